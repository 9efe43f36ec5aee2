from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _bad_request_message(exception) -> tuple[str, str]:
    """A clear reason for the 400s Django raises before any view runs (DATA_UPLOAD_MAX_*)."""
    from django.conf import settings

    if isinstance(exception, TooManyFilesSent):
        return "too_many_files", _("Send at most %(n)d files at once.") % {
            "n": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
    if isinstance(exception, TooManyFieldsSent):
        return "too_many_fields", _("The form has too many fields.")
    if isinstance(exception, RequestDataTooBig):
        return "too_large", _("The request is too large.")
    return "bad_request", _("The request was not valid.")


def bad_request(request, exception=None):
    code, message = _bad_request_message(exception)
    if request.path.startswith("/api/"):
        # The API's one error shape (tiktok.api_errors), even when DRF never got the request.
        body = {"error": {"code": code, "message": message, "fields": {}}}
        return JsonResponse(body, status=400)
    if request.headers.get("Accept", "").startswith("application/json"):
        # The shape of the upload page's own JSON errors (form.errors.get_json_data()).
        return JsonResponse(
            {"errors": {"__all__": [{"message": message, "code": code}]}}, status=400
        )
    return render(request, "errors/400.html", {"message": message}, status=400)


def not_found(request, exception=None):
    message = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    return render(request, "errors/404.html", {"message": message}, status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
