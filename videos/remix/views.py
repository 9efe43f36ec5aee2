"""HTML for remix culture: sound pages and uploads, duets and stitches of a video,
hashtag pages with their challenge, /challenges/, /discover/. Thin: parse, call a
selector or service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from social import selectors as social_selectors

from .. import selectors as video_selectors
from ..feed import events as feed_events
from ..forms import SoundUploadForm
from ..models import Template, Video
from . import selectors, services, trending

GRID_PAGE_SIZE = 30
PLAYER_PAGE_SIZE = 6
SUGGESTED_ON_DISCOVER = 8


def _cursor(request) -> str | None:
    return request.GET.get("cursor") or None


def _bad_cursor(request, exc) -> object:
    return render(request, "errors/400.html", {"message": str(exc)}, status=400)


def _can_use(*, user, sound) -> tuple[bool, str]:
    """Whether user may use sound now, and if not, why (for the button's place)."""
    if not user.is_authenticated:
        return sound.is_ready and sound.is_reusable, ""
    try:
        services.sound_check_usable(user=user, sound=sound)
    except ValidationError as exc:
        return False, exc.message_dict["sound"][0]
    return True, ""


# --- sounds ---------------------------------------------------------------------------------------
@require_GET
def sound_page(request, public_id: str):
    sound = selectors.sound_get_visible(viewer=request.user, public_id=public_id)
    feed_events.topic_tap_record(user=request.user, sound=sound)
    try:
        page = video_selectors.paginate_newest(
            selectors.sound_videos(viewer=request.user, sound=sound),
            cursor=_cursor(request),
            limit=GRID_PAGE_SIZE,
        )
    except video_selectors.BadCursor as exc:
        return _bad_cursor(request, exc)
    can_use, why_not = _can_use(user=request.user, sound=sound)
    return render(
        request,
        "videos/sound.html",
        {
            "sound": sound,
            "videos": page.items,
            "next_url": f"?cursor={page.next_cursor}" if page.next_cursor else "",
            "can_use": can_use,
            "why_not": why_not,
            "is_owner": request.user.is_authenticated and request.user.pk == sound.owner_id,
            "use_url": f"{reverse('videos:upload')}?{urlencode({'sound': sound.public_id})}",
        },
    )


@login_required
@require_POST
def sound_action(request, public_id: str):
    """The owner's switches without JavaScript: reusable on/off, remove."""
    sound = selectors.sound_get_owned(viewer=request.user, public_id=public_id)
    if sound is None:
        raise Http404(_("This sound is not available."))
    action = request.POST.get("action", "")
    try:
        if action in ("reusable", "not_reusable"):
            services.sound_update(
                sound=sound, editor=request.user, is_reusable=action == "reusable"
            )
        elif action == "delete":
            services.sound_delete(sound=sound, actor=request.user)
            messages.success(request, _("The sound was removed."))
            return redirect("videos:profile", username=request.user.username)
        else:
            return render(request, "errors/400.html", {"message": _("Unknown action.")}, status=400)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    return redirect(sound.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def sound_upload(request):
    limits = {"max_mb": settings.UPLOAD_MAX_BYTES // 2**20, "max_minutes": 10}
    if request.method == "GET":
        return render(request, "videos/sound_upload.html", {"form": SoundUploadForm(), **limits})
    form = SoundUploadForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        cover = data.get("cover")
        if cover is not None and cover.size > settings.AVATAR_MAX_BYTES:
            form.add_error("cover", _("The image is too large."))
        else:
            try:
                sound = services.sound_create(
                    owner=request.user,
                    upload=data["file"],
                    size=data["file"].size,
                    title=data["title"],
                    artist=data["artist"],
                    cover=cover.read() if cover is not None else None,
                    is_reusable=data["is_reusable"],
                )
            except (ValidationError, PermissionDenied) as exc:
                _add_errors(form, exc)
            else:
                return redirect(sound.get_absolute_url())
    return render(request, "videos/sound_upload.html", {"form": form, **limits}, status=400)


def _add_errors(form, exc) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))


# --- the upload page's remix part -----------------------------------------------------------------
def upload_initial(request) -> dict:
    """Initial upload fields from the link that opened the page (?sound=, ?duet=,
    ?stitch=, ?tag= from a challenge's Join)."""
    initial: dict = {}
    get = request.GET
    if get.get("sound"):
        initial["sound"] = get["sound"][:16]
    if get.get("duet"):
        initial["duet_of"] = get["duet"][:16]
    elif get.get("stitch"):
        initial["stitch_of"] = get["stitch"][:16]
    if get.get("tag"):
        name = get["tag"].strip().lstrip("#")[:100]
        if name:
            initial["caption"] = f"#{name} "
    if get.get("template"):
        initial.update(_template_initial(get["template"][:80]))
    return initial


def _template_initial(slug: str) -> dict:
    """?template=<slug> (a card of the gallery): the caption scaffold with its hashtag, the
    sound, the text to draw, and for side by side the duet of the template's original.
    An unusable template pre-fills nothing but its slug, so the page can say why."""
    initial: dict = {"template": slug}
    template = selectors.template_by_slug(slug)
    if template is None or not selectors.templates_usable().filter(pk=template.pk).exists():
        return initial
    initial["caption"] = template.prefilled_caption
    if template.sound_id:
        initial["sound"] = template.sound.public_id
    if template.layout == Template.Layout.SIDE_BY_SIDE:
        initial["duet_of"] = template.original.public_id
        initial["layout"] = Video.DuetLayout.SIDE_BY_SIDE
    if template.layout == Template.Layout.TEXT_ON_TOP:
        initial["template_text"] = template.text
    return initial


def upload_context(request, form) -> dict:
    """What the upload page shows about the remix in progress: the sound, or the original
    of a duet or stitch (playing beside the recorder), or why it cannot be used."""
    values = form.data if form.is_bound else form.initial
    context: dict = {"remix_kind": "", "remix_sound": None, "remix_original": None}
    context.update(_template_context(values))
    sound_id = (values.get("sound") or "")[:16]
    duet_id = (values.get("duet_of") or "")[:16]
    stitch_id = (values.get("stitch_of") or "")[:16]
    if sound_id:
        context["remix_kind"] = "sound"
        try:
            sound = selectors.sound_get_visible(viewer=request.user, public_id=sound_id)
        except Http404:
            context["remix_error"] = _("This sound is not available.")
        else:
            context["remix_sound"] = sound
            ok, why = _can_use(user=request.user, sound=sound)
            if not ok:
                context["remix_error"] = why
    elif duet_id or stitch_id:
        kind = "duet" if duet_id else "stitch"
        context["remix_kind"] = kind
        try:
            original = video_selectors.video_get_visible(
                viewer=request.user, public_id=duet_id or stitch_id
            )
        except Http404:
            original = None
        if original is None or not original.is_ready:
            context["remix_error"] = _("This video is not available.")
        else:
            context["remix_original"] = original
            refusal = selectors.remix_refusal(viewer=request.user, video=original, kind=kind)
            if refusal:
                context["remix_error"] = refusal
    return context


def _template_context(values) -> dict:
    """The template chosen on the upload page (its card, placeholders), or why it is not
    available; the link to drop it keeps nothing of it."""
    slug = (values.get("template") or "")[:80]
    if not slug:
        return {"chosen_template": None}
    template = selectors.template_by_slug(slug)
    if template is None or not selectors.templates_usable().filter(pk=template.pk).exists():
        return {"chosen_template": None, "template_error": _("This template is not available.")}
    return {"chosen_template": template, "template_placeholders": template.placeholders}


# --- templates ("one-tap formats") ----------------------------------------------------------------
@require_GET
def templates_gallery(request):
    """/templates/: the cards to pick from; a card opens the upload with it pre-filled."""
    return render(
        request,
        "videos/templates.html",
        {"templates": list(selectors.template_gallery()), "upload_url": reverse("videos:upload")},
    )


# --- duets and stitches of a video ----------------------------------------------------------------
@require_GET
def remixes(request, username: str, public_id: str, kind: str):
    video = video_selectors.video_get_visible(viewer=request.user, public_id=public_id)
    if not video.is_ready:
        raise Http404(_("This video is not available."))
    try:
        page = video_selectors.paginate_newest(
            selectors.remixes_of(viewer=request.user, video=video, kind=kind),
            cursor=_cursor(request),
            limit=GRID_PAGE_SIZE,
        )
    except video_selectors.BadCursor as exc:
        return _bad_cursor(request, exc)
    return render(
        request,
        "videos/remixes.html",
        {
            "video": video,
            "kind": kind,
            "videos": page.items,
            "next_url": f"?cursor={page.next_cursor}" if page.next_cursor else "",
        },
    )


# --- hashtags, challenges, discover ---------------------------------------------------------------
@require_GET
def hashtag(request, name: str):
    """/tag/<name>/: counts, the challenge banner, Top and Newest tabs over a player."""
    from .. import views as video_views

    tags = video_selectors.hashtag_tags(name=name)
    if not tags:
        raise Http404(_("No videos with this hashtag yet."))
    tag = tags[0]
    if "cursor" not in request.GET and request.GET.get("fragment") != "1":
        feed_events.topic_tap_record(user=request.user, tag=tag)
    # Top by default; a cursor belongs to Newest (its pages are keyset pages).
    tab = request.GET.get("tab") or ("newest" if "cursor" in request.GET else "top")
    tab = tab if tab in selectors.HASHTAG_TABS else "top"
    qs = video_selectors.with_hashtags(
        video_selectors.visible_videos(viewer=request.user), tags
    ).with_cards()
    base = reverse("videos:hashtag", kwargs={"name": tag.name})
    if tab == "top":
        try:
            offset = max(0, int(request.GET.get("offset", 0)))
        except ValueError:
            offset = 0
        items, more = selectors.hashtag_top(qs, offset=offset, limit=PLAYER_PAGE_SIZE)
        page = video_selectors.Page(items=items, next_cursor=None)
        next_url = f"{base}?{urlencode({'tab': 'top', 'offset': more})}" if more else ""
    else:
        try:
            page = video_selectors.paginate_newest(
                qs, cursor=_cursor(request), limit=PLAYER_PAGE_SIZE
            )
        except video_selectors.BadCursor as exc:
            return _bad_cursor(request, exc)
        next_url = (
            f"{base}?{urlencode({'tab': 'newest', 'cursor': page.next_cursor})}"
            if page.next_cursor
            else ""
        )
    challenge = selectors.challenge_for_tags(tags=tags)
    join_url = ""
    if challenge is not None and challenge.state() != "past":
        params = {"tag": challenge.hashtag}
        if challenge.sound_id:
            params["sound"] = challenge.sound.public_id
        join_url = f"{reverse('videos:upload')}?{urlencode(params)}"
    return video_views.feed_page(
        request,
        page=page,
        next_url=next_url,
        template="videos/hashtag.html",
        context={
            "feed": "hashtag",
            "source": "hashtag",
            "tag": tag,
            "tab": tab,
            "stats": selectors.hashtag_stats(tags=tags),
            "challenge": challenge,
            "join_url": join_url,
            "tab_urls": {
                "top": f"{base}?tab=top",
                "newest": f"{base}?tab=newest",
            },
        },
    )


@require_GET
def challenges(request):
    sections = selectors.challenge_sections()
    return render(request, "videos/challenges.html", {"sections": sections})


@require_GET
def discover(request):
    return render(
        request,
        "videos/discover.html",
        {
            "hashtags": trending.trending_hashtags(limit=12),
            "sounds": trending.trending_sounds(viewer=request.user, limit=12),
            "sections": selectors.challenge_sections(past_limit=0),
            "suggested": social_selectors.users_suggested(
                viewer=request.user, limit=SUGGESTED_ON_DISCOVER
            ),
            "templates": list(selectors.template_gallery()[:6]),
        },
    )
