"""HTML views for privacy rights under /settings/: export my data, delete my account.

Thin: videos/privacy.py does the work (here, not in social, because both reach every app).
"""

from __future__ import annotations

import asyncio

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from social.lockout import lockout_record_failure, lockout_status

from . import privacy
from .forms import AccountDeleteForm
from .models import DataExport

CHUNK = 256 * 1024


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def data_export(request):
    """GET: the user's recent exports and their state. POST: ask for a new one."""
    if request.method == "POST":
        try:
            privacy.data_export_request(user=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request,
                _(
                    "We're preparing a copy of your data. It appears below when it is ready, "
                    "for 7 days, and can be downloaded once."
                ),
            )
        return redirect("videos:data_export")
    exports = list(DataExport.objects.filter(user=request.user)[:10])
    return render(
        request,
        "videos/privacy/export.html",
        {
            "exports": exports,
            "pending": any(e.status == DataExport.Status.PENDING for e in exports),
        },
    )


@never_cache
@login_required
@require_GET
def data_export_download(request, public_id: str):
    """The ZIP, once, to its owner: anyone else gets a 404, a second try or a late one 410."""
    try:
        export = privacy.data_export_claim(user=request.user, public_id=public_id)
    except DataExport.DoesNotExist:
        raise Http404(_("This export is not available.")) from None
    except privacy.ExportUnavailable as exc:
        return render(
            request, "videos/privacy/unavailable.html", {"message": str(exc)}, status=exc.status
        )
    try:
        handle = storages["private"].open(export.file_name, "rb")
    except FileNotFoundError:
        return render(
            request,
            "videos/privacy/unavailable.html",
            {"message": _("This export has expired. Ask for a new one.")},
            status=410,
        )
    filename = "{site}-{user}-{date}.zip".format(
        site=slugify(settings.SITE_NAME) or "data",
        user=request.user.username,
        date=timezone.localdate().isoformat(),
    )
    if isinstance(request, ASGIRequest):
        # A sync iterator would be read whole into memory under ASGI; this streams.
        response = StreamingHttpResponse(
            _aiter_once(handle, export), content_type="application/zip"
        )
    else:
        response = FileResponse(
            _OnceFile(handle, export), content_type="application/zip", as_attachment=True
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(export.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class _OnceFile:
    """The export's stored file; closing it (at the end of the response) deletes it."""

    def __init__(self, handle, export: DataExport):
        self.handle, self.export = handle, export

    def read(self, size: int = -1) -> bytes:
        return self.handle.read(size)

    def close(self) -> None:
        try:
            self.handle.close()
        finally:
            privacy.data_export_discard_file(export=self.export)


async def _aiter_once(handle, export: DataExport):
    try:
        while True:
            data = await asyncio.to_thread(handle.read, CHUNK)
            if not data:
                break
            yield data
    finally:
        await asyncio.to_thread(handle.close)
        await asyncio.to_thread(privacy.data_export_discard_file, export=export)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Confirm with the password; then everything of the user's goes and they are logged out."""
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        username = request.user.get_username()
        # A stolen session must not be a way round the login lockout: wrong passwords here
        # count like failed logins, and a locked account cannot be deleted until it cools.
        lock = lockout_status(request=request, username=username)
        if lock.locked:
            form.add_error("password", lock.message)
        else:
            try:
                privacy.account_delete(user=request.user, password=form.cleaned_data["password"])
            except ValidationError as exc:
                if getattr(exc, "code", None) == "password" or "password" in getattr(
                    exc, "error_dict", {}
                ):
                    lock = lockout_record_failure(request=request, username=username)
                    if lock.locked:
                        exc = ValidationError({"password": lock.message})
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                logout(request)
                messages.success(request, _("Your account and everything in it have been deleted."))
                return redirect("videos:for_you")
    return render(
        request,
        "videos/privacy/delete.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
