"""One error shape for every API 4xx: {"error": {"code", "message", "fields"}}."""

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from social.restrictions import AccountRestricted


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(key): [str(item) for item in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    return {}


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


def exception_handler(exc, context):
    # Django's own limits on request bodies (DATA_UPLOAD_MAX_*) are raised while DRF parses;
    # left alone they would become Django's HTML 400 page instead of the API's JSON.
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(_("The request has too many fields or files."))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        non_field = fields.pop("non_field_errors", [])
        if isinstance(exc.detail, list):
            non_field = [str(item) for item in exc.detail]
        message = non_field[0] if non_field else _("Some fields are not valid.")
        body = {"code": "invalid", "message": message, "fields": fields}
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "message": str(getattr(exc, "detail", exc)),
            "fields": {},
        }
    headers = {
        key: value
        for key, value in response.headers.items()
        if key in {"Retry-After", "WWW-Authenticate", "Allow"}
    }
    status = response.status_code
    # A suspended or banned account's credential: 401 whatever authenticator came first
    # (DRF makes it a 403 when the first one, the session, sends no challenge). The token
    # view (no authenticators: a refused login, not a credential) stays 403.
    view = context.get("view")
    if isinstance(exc, AccountRestricted) and getattr(view, "authentication_classes", None):
        status = 401
        headers.setdefault("WWW-Authenticate", 'Token realm="api"')
    return Response({"error": body}, status=status, headers=headers)


def api_not_found(request, *args, **kwargs):
    """Every /api/ path that no route takes: the API's 404 in its one error shape, also
    under DEBUG (whose technical 404 page is HTML). A path that only lacks its trailing
    slash is redirected as CommonMiddleware would (this catch-all keeps it from doing so)."""
    from django.conf import settings
    from django.http import HttpResponsePermanentRedirect, JsonResponse
    from django.urls import Resolver404, resolve

    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(f"{request.path_info}/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    body = {"code": "not_found", "message": _("Not found."), "fields": {}}
    return JsonResponse({"error": body}, status=404)
