"""Serving MEDIA_ROOT in the embedded default, with HTTP Range so seeking works.

Only our own encodes are served (MP4, JPEG, M4A), each with its exact type and nosniff;
a video's files are served only to viewers who may see the video, a sound's only to those
who may see the sound.
"""

import asyncio
import re
from pathlib import Path

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils.http import http_date
from django.views.decorators.http import require_http_methods

from . import selectors
from .models import Challenge
from .remix import selectors as remix_selectors

CONTENT_TYPES = {".mp4": "video/mp4", ".jpg": "image/jpeg", ".m4a": "audio/mp4"}
# ASCII digits only: \d would take "１２" (full-width), which int() then accepts.
RANGE_RE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")
VIDEO_PATH_RE = re.compile(r"^videos/([A-Za-z0-9_-]{1,16})/[A-Za-z0-9_-]+\.(mp4|jpg)$")
# A sound's audio and cover: served to those who may see the sound (remix/selectors.py).
SOUND_PATH_RE = re.compile(r"^sounds/([A-Za-z0-9_-]{1,16})/[A-Za-z0-9_-]+\.(m4a|jpg)$")


CHUNK = 256 * 1024


async def _aiter_range(path: Path, start: int, length: int):
    # Under ASGI a sync iterator would be read whole into memory first; this streams.
    handle = await asyncio.to_thread(open, path, "rb")
    try:
        await asyncio.to_thread(handle.seek, start)
        remaining = length
        while remaining > 0:
            data = await asyncio.to_thread(handle.read, min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


class _RangeFile:
    """A file object that yields at most `length` bytes from `start`."""

    def __init__(self, handle, start: int, length: int):
        self.handle = handle
        self.remaining = length
        handle.seek(start)

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size < 0 else min(size, self.remaining)
        data = self.handle.read(size)
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


@require_http_methods(["GET", "HEAD"])
def serve_media(request, path: str):
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        full = (root / path).resolve()
        if root not in full.parents or not full.is_file():
            raise Http404
        stat = full.stat()
    except (OSError, ValueError):  # a NUL byte, a name too long, a loop of links…
        raise Http404 from None
    content_type = CONTENT_TYPES.get(full.suffix.lower())
    if content_type is None:
        raise Http404
    match = VIDEO_PATH_RE.match(path)
    if path.startswith("videos/"):
        if not match:
            raise Http404
        video = selectors.video_get_visible(viewer=request.user, public_id=match.group(1))
        if path not in {video.file.name, video.poster.name}:
            raise Http404
    elif path.startswith("sounds/"):
        sound_match = SOUND_PATH_RE.match(path)
        if not sound_match:
            raise Http404
        sound = remix_selectors.sound_get_visible(
            viewer=request.user, public_id=sound_match.group(1)
        )
        if path not in {sound.audio.name, sound.cover.name}:
            raise Http404
    elif path.startswith("challenges/") and not Challenge.objects.filter(cover=path).exists():
        raise Http404
    return range_response(request, full, stat=stat, content_type=content_type)


def range_response(
    request, full: Path, *, stat, content_type: str, disposition: str = "inline"
) -> HttpResponse:
    """Serve one of our files whole or by byte range (the caller has checked the viewer may
    have it). disposition: "inline", or an attachment header for "Save video"."""
    size = stat.st_size
    mtime = stat.st_mtime
    headers = {
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Last-Modified": http_date(mtime),
        # Our file names are random per encode, so they can be cached hard, but privately:
        # visibility can change.
        "Cache-Control": "private, max-age=86400",
        "Content-Disposition": disposition,
    }
    range_header = request.headers.get("Range", "")
    start, end = 0, size - 1
    status = 200
    if range_header:
        m = RANGE_RE.match(range_header.strip())
        if not m or (not m.group(1) and not m.group(2)):
            return _unsatisfiable(size)
        if m.group(1):
            start = int(m.group(1))
            end = int(m.group(2)) if m.group(2) else size - 1
        else:  # suffix range: the last N bytes
            start = max(0, size - int(m.group(2)))
        end = min(end, size - 1)
        if start > end or start >= size:
            return _unsatisfiable(size)
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    length = end - start + 1
    if request.method == "HEAD":
        response = HttpResponse(status=status, content_type=content_type)
    elif isinstance(request, ASGIRequest):
        response = StreamingHttpResponse(
            _aiter_range(full, start, length), status=status, content_type=content_type
        )
    else:
        handle = open(full, "rb")  # noqa: SIM115 - FileResponse closes it
        response = FileResponse(
            _RangeFile(handle, start, length), status=status, content_type=content_type
        )
    for key, value in headers.items():
        response[key] = value
    response["Content-Length"] = str(length)
    return response


def _unsatisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    return response


@require_http_methods(["GET", "HEAD"])
def download(request, username: str, public_id: str):
    """/@<username>/video/<public_id>/download/: "Save video", the ready MP4 as an attachment.

    404 when the viewer may not see the video (the same answer as for a missing one); 403
    with the reason when they may see it but not save it (the author turned saving off, or
    is under 16: issue 7)."""
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import render

    try:
        video = selectors.video_get_downloadable(viewer=request.user, public_id=public_id)
    except PermissionDenied as exc:
        return render(request, "errors/403.html", {"message": str(exc)}, status=403)
    if video.author.username.lower() != username.lower():
        raise Http404
    filename = f"{settings.SITE_NAME}-{video.author.username}-{video.public_id}.mp4"
    # An ASCII-only name of ours (the site name may not be): no header injection.
    filename = re.sub(r"[^A-Za-z0-9_.-]", "_", filename)
    disposition = f'attachment; filename="{filename}"'
    try:
        full = Path(video.file.path)
    except NotImplementedError:
        # Remote storage (S3): a signed URL that makes the bucket answer as an attachment.
        from django.shortcuts import redirect

        url = video.file.storage.url(
            video.file.name, parameters={"ResponseContentDisposition": disposition}
        )
        return redirect(url)
    try:
        stat = full.stat()
    except (OSError, ValueError):
        raise Http404 from None
    return range_response(
        request, full, stat=stat, content_type="video/mp4", disposition=disposition
    )
