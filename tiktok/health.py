"""Liveness/readiness: the database answers and the media root is writable."""

import tempfile
from pathlib import Path

from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # report, don't raise: this is what the probe asks
        return "error"
    return "ok"


def _media() -> str:
    """A local media root must take a new file; a bucket is the storage service's business."""
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        return "ok"
    try:
        root = Path(storage.location)
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".healthz-"):
            pass
    except OSError:
        return "error"
    return "ok"


@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request):
    checks = {"database": _database(), "media": _media()}
    ok = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "error", "checks": checks}, status=200 if ok else 503
    )
