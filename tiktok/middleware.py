"""Request hygiene that holds for every view."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    """A NUL byte in the query string is never meaningful, and PostgreSQL refuses it in any
    text parameter (a DataError deep inside a query). Refuse it at the door with a clear 400,
    in the API's error shape under /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = _("The request contains characters we cannot accept.")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "invalid", "message": message, "fields": {}}}, status=400
                )
            return render(request, "errors/400.html", {"message": message}, status=400)
        return self.get_response(request)
