"""HTML views for watching and posting. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from social import graph
from social import selectors as social_selectors

from . import engagement, selectors, services
from .forms import UploadForm
from .models import Video
from .remix import selectors as remix_selectors
from .remix import views as remix_views

FEED_PAGE_SIZE = 6
SUGGESTED_ON_FOLLOWING = 8


def _feed_response(request, *, page: selectors.Page, template: str, context: dict, more_url: str):
    """Full page, or (for the player's infinite scroll) just the next slides."""
    next_url = f"{more_url}?cursor={page.next_cursor}" if page.next_cursor else ""
    return feed_page(request, page=page, next_url=next_url, template=template, context=context)


def feed_page(request, *, page: selectors.Page, next_url: str, template: str, context: dict):
    """_feed_response with the next page's URL made by the caller (ranked tabs page by
    offset, not by cursor)."""
    context = {
        **context,
        "videos": page.items,
        "next_url": next_url,
        # The viewer's own state on these slides: two queries, however long the page.
        "liked_ids": engagement.liked_video_ids(
            user=request.user, video_ids=[v.pk for v in page.items]
        ),
        "following_ids": social_selectors.following_ids(user=request.user),
    }
    # can_duet / can_stitch / can_download on each slide (the minors rules): no query
    # unless an author on the page lets friends only remix.
    remix_selectors.remix_permissions_annotate(viewer=request.user, videos=page.items)
    if request.GET.get("fragment") == "1":
        return render(request, "videos/partials/slides.html", context)
    return render(request, template, context)


def _cursor(request) -> str | None:
    return request.GET.get("cursor") or None


def _bad_cursor(request, exc: selectors.BadCursor) -> HttpResponse:
    return render(request, "errors/400.html", {"message": str(exc)}, status=400)


INTERESTS_SKIPPED = "feed_interests_skipped"


@require_GET
def for_you(request):
    try:
        page = selectors.feed_for_you(
            viewer=request.user,
            cursor=_cursor(request),
            limit=FEED_PAGE_SIZE,
            session_key=request.session.session_key,
        )
    except selectors.BadCursor as exc:
        return _bad_cursor(request, exc)
    context = {"feed": "for_you", "source": "for_you"}
    if page.interest_tags and not request.session.get(INTERESTS_SKIPPED):
        context["interest_tags"] = page.interest_tags
    return _feed_response(
        request,
        page=page,
        template="videos/for_you.html",
        context=context,
        more_url=reverse("videos:for_you"),
    )


@login_required
@require_POST
def interests(request):
    """The first-visit interests picker: store the chosen hashtags, or remember a skip."""
    from .feed import events as feed_events

    if "skip" in request.POST:
        request.session[INTERESTS_SKIPPED] = True
    else:
        ids = [int(v) for v in request.POST.getlist("tags")[:50] if v.isdigit() and len(v) < 19]
        if feed_events.interests_set(user=request.user, tag_ids=ids):
            messages.success(request, _("Thanks! Your feed starts with what you chose."))
        else:
            request.session[INTERESTS_SKIPPED] = True
    return redirect("videos:for_you")


@require_GET
def video_detail(request, username: str, public_id: str):
    video = selectors.video_get_visible(viewer=request.user, public_id=public_id)
    if not video.is_ready:
        # Only its author gets this far (selectors): there is nothing to play yet.
        return redirect("videos:upload_status", public_id=video.public_id)
    if video.author.username != username:
        return redirect(video.get_absolute_url(), permanent=True)
    page = selectors.feed_for_you(viewer=request.user, limit=FEED_PAGE_SIZE)
    items = [video, *[v for v in page.items if v.pk != video.pk]]
    return _feed_response(
        request,
        page=selectors.Page(items=items, next_cursor=page.next_cursor),
        template="videos/detail.html",
        context={
            "feed": "detail",
            "video": video,
            "source": "share",
            "og": {
                "page_url": request.build_absolute_uri(video.get_absolute_url()),
                "video_url": request.build_absolute_uri(video.file.url),
                "image_url": request.build_absolute_uri(video.poster.url),
                "oembed_url": request.build_absolute_uri(reverse("videos:oembed"))
                + "?"
                + urlencode({"url": request.build_absolute_uri(video.get_absolute_url())}),
            },
        },
        more_url=reverse("videos:for_you"),
    )


@require_GET
def profile(request, username: str):
    author = selectors.profile_get(viewer=request.user, username=username)
    viewer = request.user
    relation = social_selectors.relation(viewer=viewer, other=author)
    if relation.blocked_by_them:
        # Someone who blocked you is simply not there for you.
        raise Http404(_("This account is not available."))
    try:
        access, page = selectors.profile_page(viewer=viewer, author=author, cursor=_cursor(request))
    except selectors.BadCursor as exc:
        return _bad_cursor(request, exc)
    return render(
        request,
        "videos/profile.html",
        {
            "author": author,
            "links": [] if relation.blocked_by_me else list(author.links.all()),
            "videos": page.items,
            "can_see_videos": access == selectors.Access.OK,
            "blocked": access == selectors.Access.BLOCKED,
            "relation": relation,
            "next_url": f"?cursor={page.next_cursor}" if page.next_cursor else "",
            "is_me": viewer.is_authenticated and viewer.pk == author.pk,
        },
    )


@login_required
@require_POST
def profile_action(request, username: str):
    """Follow, unfollow, block and unblock from the profile page, without JavaScript."""
    author = selectors.profile_get(viewer=request.user, username=username)
    action = request.POST.get("action", "")
    try:
        if action == "follow":
            graph.follow_create(follower=request.user, followee=author)
        elif action == "unfollow":
            graph.follow_delete(follower=request.user, followee=author)
        elif action == "block":
            graph.block_create(blocker=request.user, blocked=author)
            messages.success(request, _("You blocked @%(name)s.") % {"name": author.username})
        elif action == "unblock":
            graph.block_delete(blocker=request.user, blocked=author)
        else:
            return render(request, "errors/400.html", {"message": _("Unknown action.")}, status=400)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    # The suggested-accounts strip sends people back where they were (our own pages only).
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("videos:profile", username=author.username)


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def declared_length(request) -> int:
    """The body size the client announced (0 when absent or not a number)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def upload_body_limit() -> int:
    # The file plus room for the other form fields and the multipart framing.
    return settings.UPLOAD_MAX_BYTES + 1024 * 1024


# csrf_exempt only so that the size check below runs before the CSRF check: the CSRF
# middleware reads request.POST, which would spool a multi-gigabyte body to disk first.
# _upload_form is csrf_protect'ed, so every POST that gets further is checked as usual.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
# The recorder previews what the camera recorded from a blob: URL (videos/remix).
@csp_update({"media-src": ["blob:"]})
def upload(request):
    if request.method == "POST" and declared_length(request) > upload_body_limit():
        message = _("The file is larger than %(mb)d MB.") % {
            "mb": settings.UPLOAD_MAX_BYTES // 2**20
        }
        if _wants_json(request):
            errors = {"file": [{"message": message, "code": "too_large"}]}
            return JsonResponse({"errors": errors}, status=413)
        # An unbound form cannot take add_error(): the message goes to the page itself.
        context = {
            "form": UploadForm(user=request.user),
            "limits": _limits(),
            "page_error": message,
        }
        return render(request, "videos/upload.html", context, status=413)
    return _upload_form(request)


@csrf_protect
def _upload_form(request):
    wants_json = _wants_json(request)
    if request.method == "GET":
        # ?sound=, ?duet=, ?stitch=, ?tag= (a challenge's "Join") pre-fill the remix.
        form = UploadForm(initial=remix_views.upload_initial(request), user=request.user)
        return render(
            request,
            "videos/upload.html",
            {"form": form, "limits": _limits(), **remix_views.upload_context(request, form)},
        )
    form = UploadForm(request.POST, request.FILES, user=request.user)
    video = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            video = services.video_create(
                author=request.user,
                upload=data["file"],
                size=data["file"].size,
                caption=data["caption"],
                visibility=data["visibility"],
                allow_comments=data["allow_comments"],
                allow_duet=data["allow_duet"],
                allow_stitch=data["allow_stitch"],
                allow_sound_reuse=data["allow_sound_reuse"],
                allow_download=data.get("allow_download", False),
                remix=form.remix_request(),
            )
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
    if video is None:
        if wants_json:
            return JsonResponse({"errors": form.errors.get_json_data(escape_html=True)}, status=400)
        context = {"form": form, "limits": _limits(), **remix_views.upload_context(request, form)}
        return render(request, "videos/upload.html", context, status=400)
    video.refresh_from_db()
    if wants_json:
        return JsonResponse(_status_payload(video), status=201)
    return redirect("videos:upload_status", public_id=video.public_id)


def _add_errors(form, exc) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))


def _limits() -> dict:
    return {
        "max_mb": settings.UPLOAD_MAX_BYTES // 2**20,
        "max_seconds": settings.VIDEO_MAX_SECONDS,
        "max_bytes": settings.UPLOAD_MAX_BYTES,
    }


def _status_payload(video: Video) -> dict:
    return {
        "public_id": video.public_id,
        "status": video.status,
        "reason": video.failure_reason,
        "hidden": video.is_hidden,
        "url": video.get_absolute_url() if video.is_ready and not video.is_hidden else "",
        "status_url": reverse("videos:upload_status", kwargs={"public_id": video.public_id}),
    }


@login_required
@require_GET
def upload_status(request, public_id: str):
    """The uploader's view of their own video while it processes (JSON for the upload page)."""
    video = (
        Video.objects.select_related("author")
        .filter(public_id=public_id[:16], author=request.user)
        .first()
    )
    if video is None:
        raise Http404(_("This video is not available."))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(_status_payload(video))
    return render(request, "videos/upload_status.html", {"video": video})


@login_required
@require_GET
def following(request):
    try:
        page = selectors.feed_following(
            viewer=request.user, cursor=_cursor(request), limit=FEED_PAGE_SIZE
        )
    except selectors.BadCursor as exc:
        return _bad_cursor(request, exc)
    context = {"feed": "following", "source": "following"}
    if not page.items and not _cursor(request) and request.GET.get("fragment") != "1":
        # Nothing to watch yet: people to follow instead (issue 7: never 13–15 year olds).
        context["suggested"] = social_selectors.users_suggested(
            viewer=request.user, limit=SUGGESTED_ON_FOLLOWING
        )
    return _feed_response(
        request,
        page=page,
        template="videos/following.html",
        context=context,
        more_url=reverse("videos:following"),
    )
