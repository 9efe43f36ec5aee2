"""Embeddable player (/embed/<public_id>/) and oEmbed discovery (/oembed?url=…).

Embeds are framed by other sites, where our cookies are not sent: they show only what an
anonymous viewer may see, and only these two views relax frame-ancestors and X-Frame-Options.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from . import selectors

EMBED_WIDTH = 325
EMBED_HEIGHT = 578


@require_GET
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embed(request, public_id: str):
    video = selectors.video_get_visible(viewer=None, public_id=public_id)
    return render(request, "videos/embed.html", {"video": video})


@require_GET
def oembed(request):
    """oEmbed 1.0 (https://oembed.com) for a video page of this site; JSON only."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse(status=501)
    url = request.GET.get("url", "")
    parts = urlsplit(url[:500])
    if parts.scheme not in {"http", "https"} or parts.netloc != request.get_host():
        return JsonResponse({"error": _("That is not a video on this site.")}, status=404)
    try:
        match = resolve(parts.path)
    except Resolver404:
        match = None
    if match is None or match.view_name != "videos:detail":
        return JsonResponse({"error": _("That is not a video on this site.")}, status=404)
    try:
        video = selectors.video_get_visible(viewer=None, public_id=match.kwargs["public_id"])
    except Http404:
        return JsonResponse({"error": _("This video is not available.")}, status=404)
    width, height = _fit(request, EMBED_WIDTH, EMBED_HEIGHT)
    src = request.build_absolute_uri(reverse("videos:embed", kwargs={"public_id": video.public_id}))
    html = render_to_string(
        "videos/partials/embed_iframe.html",
        {
            "src": src,
            "width": width,
            "height": height,
            "title": video.caption[:100] or video.author.name,
        },
    )
    return JsonResponse(
        {
            "version": "1.0",
            "type": "video",
            "provider_name": settings.SITE_NAME,
            "provider_url": request.build_absolute_uri("/"),
            "title": video.caption[:200],
            "author_name": video.author.name,
            "author_url": request.build_absolute_uri(video.author.get_absolute_url()),
            "html": html.strip(),
            "width": width,
            "height": height,
            "thumbnail_url": request.build_absolute_uri(video.poster.url),
            "thumbnail_width": video.width,
            "thumbnail_height": video.height,
        }
    )


def _fit(request, width: int, height: int) -> tuple[int, int]:
    """Honour maxwidth/maxheight (bad values are ignored), keeping the 9:16 frame."""

    def read(name: str) -> int | None:
        try:
            value = int(request.GET.get(name, ""))
        except ValueError:
            return None
        return value if value > 0 else None

    scale = 1.0
    if (max_w := read("maxwidth")) and max_w < width:
        scale = min(scale, max_w / width)
    if (max_h := read("maxheight")) and max_h < height:
        scale = min(scale, max_h / height)
    return max(1, int(width * scale)), max(1, int(height * scale))
