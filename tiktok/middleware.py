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


class ApiSingleQueryValuesMiddleware:
    """Every query parameter of the API takes one value (the schema documents no arrays),
    but Django's QueryDict.get quietly uses the last of ?page_size=x&page_size=5. A repeated
    parameter is a client bug, answered with a 400 that names it (found by schemathesis)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/v1/"):
            repeated = sorted(key for key, values in request.GET.lists() if len(values) > 1)
            if repeated:
                message = _("Give each query parameter once.")
                fields = {key[:50]: [message] for key in repeated[:20]}
                return JsonResponse(
                    {"error": {"code": "invalid", "message": message, "fields": fields}},
                    status=400,
                )
        return self.get_response(request)
