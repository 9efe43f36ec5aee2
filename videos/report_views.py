"""The "Report" page: a small server-rendered form for a video, comment, account or sound.

Works without JavaScript. Thin: report_target_get applies the visibility rules (404 for
missing and forbidden alike), report_create validates and merges repeats."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from . import moderation
from .models import Report


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you reporting this?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a reason."),
            "invalid_choice": _("Choose a reason from the list."),
        },
    )
    text = forms.CharField(
        label=_("Anything else we should know? (optional)"),
        required=False,
        max_length=Report.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": Report.TEXT_MAX_LENGTH}),
    )


def _describe(kind: str, target) -> dict:
    """What the page names and where "back" leads."""
    if kind == "video":
        return {"title": _("Report video"), "back": target.get_absolute_url()}
    if kind == "comment":
        return {
            "title": _("Report comment"),
            "back": target.video.get_absolute_url(),
            "quote": target.text,
        }
    if kind == "sound":
        return {
            "title": _("Report sound"),
            "back": target.get_absolute_url(),
            "quote": target.display_name,
        }
    return {
        "title": _("Report account"),
        "back": target.get_absolute_url(),
        "quote": f"@{target.username}",
    }


@login_required
@require_http_methods(["GET", "POST"])
def report(request, target_type: str, target: str):
    if target_type not in moderation.TARGET_TYPES:
        raise Http404
    obj = moderation.report_target_get(viewer=request.user, target_type=target_type, target=target)
    context = {"target_type": target_type, "target": obj, **_describe(target_type, obj)}
    own = moderation.target_owner_id(obj) == request.user.pk
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not own and form.is_valid():
        try:
            result = moderation.report_create(
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                **{target_type: obj},
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return render(
                request, "videos/report_done.html", {**context, "merged": not result.created}
            )
    return render(
        request,
        "videos/report.html",
        {**context, "form": form, "own": own},
        status=400 if form.is_bound and (form.errors or own) else 200,
    )
