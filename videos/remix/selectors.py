"""Reads with rules for sounds, remixes, hashtags and challenges (visibility, blocks)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from social.models import Block, RemixAudience, User
from social.selectors import (
    friend_ids_among,
    is_blocked_between,
    is_protected_minor,
    remix_audience_for,
    remix_open_to_everyone_q,
)

from .. import selectors
from ..models import Challenge, Sound, Template, Video

PUBLIC_ID_MAX = 16

# The engagement score that ranks a hashtag's Top tab and a challenge's leaderboard:
# a comment costs more effort than a like, and a share brings new viewers.
ENGAGEMENT_WEIGHTS = {"likes": 1, "comments": 2, "shares": 3}


def engagement_expression():
    return ExpressionWrapper(
        F("likes_count") * ENGAGEMENT_WEIGHTS["likes"]
        + F("comments_count") * ENGAGEMENT_WEIGHTS["comments"]
        + F("shares_count") * ENGAGEMENT_WEIGHTS["shares"],
        output_field=IntegerField(),
    )


def engagement_score(*, likes: int, comments: int, shares: int) -> int:
    """likes + 2 × comments + 3 × shares (ENGAGEMENT_WEIGHTS), as the database computes it."""
    return (
        likes * ENGAGEMENT_WEIGHTS["likes"]
        + comments * ENGAGEMENT_WEIGHTS["comments"]
        + shares * ENGAGEMENT_WEIGHTS["shares"]
    )


# --- sounds --------------------------------------------------------------------------------------
def _authed(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_authenticated


def can_view_sound(*, viewer: User | None, sound: Sound) -> bool:
    """Whether viewer may see a sound (its page, its file, its API resource).

    A sound is public once ready, unless its owner is inactive or on the other side of a
    block with viewer; an original sound is seen only by those who may see its video, so a
    private video's audio never leaks through its sound. Owners see their own in any state.
    """
    owner = sound.owner
    if not owner.is_active:
        return _authed(viewer) and viewer.is_staff
    if _authed(viewer) and viewer.pk == sound.owner_id:
        return True
    if is_blocked_between(a=viewer, b=owner):
        return False
    if sound.status != Sound.Status.READY:
        return False
    if sound.source_video_id is not None:
        return selectors.can_view_video(viewer=viewer, video=sound.source_video)
    return True


def sound_by_public_id(public_id) -> Sound | None:
    """The sound with that id whoever may see it (callers check can_view_sound), or None."""
    if not isinstance(public_id, str) or not public_id or len(public_id) > PUBLIC_ID_MAX:
        return None
    return (
        Sound.objects.select_related("owner", "source_video__author")
        .filter(public_id=public_id)
        .first()
    )


def sound_get_visible(*, viewer: User | None, public_id: str) -> Sound:
    """The one permission-checked getter for sounds: Http404 for missing and forbidden."""
    sound = sound_by_public_id(public_id)
    if sound is None or not can_view_sound(viewer=viewer, sound=sound):
        raise Http404(_("This sound is not available."))
    return sound


def sound_get_owned(*, viewer: User | None, public_id: str) -> Sound | None:
    if not _authed(viewer):
        return None
    sound = sound_by_public_id(public_id)
    return sound if sound is not None and sound.owner_id == viewer.pk else None


def visible_sounds(*, viewer: User | None) -> QuerySet[Sound]:
    """Ready sounds viewer may see, for lists (one query; no per-row checks)."""
    qs = Sound.objects.filter(status=Sound.Status.READY, owner__is_active=True).filter(
        Q(source_video__isnull=True)
        | Q(source_video__in=selectors.visible_videos(viewer=viewer).values("pk"))
    )
    if _authed(viewer):
        qs = qs.exclude(
            owner__in=Block.objects.filter(blocker=viewer).values("blocked_id")
        ).exclude(owner__in=Block.objects.filter(blocked=viewer).values("blocker_id"))
    return qs.select_related("owner")


def sound_videos(*, viewer: User | None, sound: Sound) -> QuerySet[Video]:
    """The videos using sound that viewer may see (the original's own video among them)."""
    return selectors.visible_videos(viewer=viewer).filter(sound=sound).with_cards()


def sounds_of(*, owner: User) -> QuerySet[Sound]:
    """Everything an owner uploaded or has as original sounds, in any state."""
    return Sound.objects.filter(owner=owner).select_related("owner")


# --- duets and stitches --------------------------------------------------------------------------
REMIX_KINDS = ("duets", "stitches")


def remixes_of(*, viewer: User | None, video: Video, kind: str) -> QuerySet[Video]:
    """The duets or the stitches of video that viewer may see."""
    if kind not in REMIX_KINDS:
        raise ValueError(kind)
    field = "duet_of" if kind == "duets" else "stitch_of"
    return selectors.visible_videos(viewer=viewer).filter(**{field: video}).with_cards()


# --- who may duet or stitch (issue 7: minors) ----------------------------------------------------
REMIX_FIELDS = {"duet": "allow_duet", "stitch": "allow_stitch"}


def remix_refusal(
    *,
    viewer: User | None,
    video: Video,
    kind: str,
    friends: bool | None = None,
    today: datetime.date | None = None,
) -> str:
    """Why viewer may not duet (kind="duet") or stitch video, or "" when they may.

    The one rule behind the upload page, the API, the pipeline and the rail's buttons: the
    video's own switch, then the author's remix audience (social.selectors.remix_audience_for:
    13–15 nobody, not even themselves; 16–17 friends unless they loosened it). Visibility is
    the caller's business (video_get_visible). friends: whether viewer and the author are
    friends, when the caller already knows (lists work it out for a whole page at once)."""
    if kind not in REMIX_FIELDS:
        raise ValueError(kind)
    if not getattr(video, REMIX_FIELDS[kind]):
        return (
            _("The author does not allow duets of this video.")
            if kind == "duet"
            else _("The author does not allow stitches of this video.")
        )
    author = video.author
    if is_protected_minor(author, today=today):
        return (
            _("Duets are not available for this video.")
            if kind == "duet"
            else _("Stitches are not available for this video.")
        )
    if _authed(viewer) and viewer.pk == author.pk:
        return ""
    audience = remix_audience_for(author, today=today)
    if audience == RemixAudience.EVERYONE:
        return ""
    if audience == RemixAudience.FRIENDS:
        if friends is None:
            friends = author.pk in friend_ids_among(user=viewer, other_ids=[author.pk])
        if friends:
            return ""
        return (
            _("Only the author's friends can duet this video.")
            if kind == "duet"
            else _("Only the author's friends can stitch this video.")
        )
    return (
        _("The author does not allow duets of this video.")
        if kind == "duet"
        else _("The author does not allow stitches of this video.")
    )


def can_remix(
    *, viewer: User | None, video: Video, kind: str, today: datetime.date | None = None
) -> bool:
    return not remix_refusal(viewer=viewer, video=video, kind=kind, today=today)


def remix_permissions_annotate(
    *, viewer: User | None, videos, today: datetime.date | None = None
) -> None:
    """Set can_duet, can_stitch and can_download on each video of a list, for the rail's
    buttons and the API. At most one query (the friendships with authors whose audience is
    friends only), and none when no such author is on the page."""
    videos = list(videos)
    friends_only = {
        v.author_id
        for v in videos
        if not (_authed(viewer) and viewer.pk == v.author_id)
        and remix_audience_for(v.author, today=today) == RemixAudience.FRIENDS
    }
    friend_ids = friend_ids_among(user=viewer, other_ids=friends_only) if friends_only else set()
    for v in videos:
        friends = v.author_id in friend_ids
        v.can_duet = not remix_refusal(
            viewer=viewer, video=v, kind="duet", friends=friends, today=today
        )
        v.can_stitch = not remix_refusal(
            viewer=viewer, video=v, kind="stitch", friends=friends, today=today
        )
        v.can_download = selectors.download_allowed(video=v, today=today)


# --- hashtags ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HashtagStats:
    videos: int
    views: int


def hashtag_stats(*, tags: list[Tag]) -> HashtagStats:
    """Public videos and their views under the hashtag (the same for every viewer)."""
    stats = selectors.with_hashtags(Video.objects.public(), tags).aggregate(
        n=Count("id"), views=Sum("views_count")
    )
    return HashtagStats(videos=stats["n"], views=stats["views"] or 0)


HASHTAG_TABS = ("top", "newest")


def hashtag_top(qs: QuerySet[Video], *, offset: int, limit: int) -> tuple[list[Video], int | None]:
    """A page of qs ranked by engagement (ties: newest first) and the next offset, if any.

    Offsets, not keysets: the ranking moves as people like, so a cursor could not promise
    more than an offset does; the player drops a video it has already shown."""
    offset = max(0, int(offset))
    items = list(
        qs.annotate(engagement=engagement_expression()).order_by(
            "-engagement", "-created_at", "-pk"
        )[offset : offset + limit + 1]
    )
    more = offset + limit if len(items) > limit else None
    return items[:limit], more


def hashtag_suggestions(*, prefix: str, limit: int = 8) -> list[dict]:
    """Hashtags starting with prefix, most used first, with their public video counts."""
    prefix = (prefix or "").strip().lstrip("#")[:50]
    if not prefix:
        return []
    public = Video.objects.public().values("pk")
    rows = (
        Tag.objects.filter(Q(name__istartswith=prefix) | Q(slug__startswith=prefix.lower()))
        .annotate(
            videos=Count(
                "videos_taggedvideo_items",
                filter=Q(videos_taggedvideo_items__content_object__in=public),
            )
        )
        .filter(videos__gt=0)
        .order_by("-videos", "name")[:limit]
    )
    return [{"name": tag.name, "videos": tag.videos} for tag in rows]


# --- challenges ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChallengeSections:
    active: list[Challenge]
    upcoming: list[Challenge]
    past: list[Challenge]


def challenges_qs() -> QuerySet[Challenge]:
    return Challenge.objects.select_related("sound__owner")


def challenge_sections(*, now: datetime.datetime | None = None, past_limit: int = 30):
    """Active (featured first, ending soonest), upcoming (starting soonest), past (latest
    first): three queries whatever the numbers."""
    now = now or timezone.now()
    qs = challenges_qs()
    return ChallengeSections(
        active=list(
            qs.filter(starts_at__lte=now, ends_at__gt=now).order_by("-featured", "ends_at", "pk")
        ),
        upcoming=list(qs.filter(starts_at__gt=now).order_by("starts_at", "pk")),
        past=list(qs.filter(ends_at__lte=now).order_by("-ends_at", "-pk")[:past_limit]),
    )


def challenge_get(*, slug: str) -> Challenge:
    challenge = (
        challenges_qs().filter(slug=slug).first()
        if isinstance(slug, str) and len(slug) <= 100
        else None
    )
    if challenge is None:
        raise Http404(_("This challenge does not exist."))
    return challenge


def challenge_for_tags(*, tags: list[Tag], now: datetime.datetime | None = None):
    """The challenge to show on a hashtag page: the active one, else the next upcoming,
    else the latest past (None when the hashtag never had one)."""
    names = {tag.name.casefold() for tag in tags}
    if not names:
        return None
    now = now or timezone.now()
    spelled = Q()
    for tag in tags:
        spelled |= Q(hashtag__iexact=tag.name)
    # iexact folds ASCII only on SQLite: compare casefolded names here as well.
    candidates = [c for c in challenges_qs().filter(spelled) if c.hashtag.casefold() in names]
    if not candidates:
        return None
    order = {"active": 0, "upcoming": 1, "past": 2}
    return min(candidates, key=lambda c: (order[c.state(now)], -c.featured, c.starts_at))


def challenge_entries(*, viewer: User | None, challenge: Challenge) -> QuerySet[Video]:
    """The challenge hashtag's videos viewer may see, posted inside the window."""
    tags = selectors.hashtag_tags(name=challenge.hashtag)
    if not tags:
        return Video.objects.none()
    qs = selectors.visible_videos(viewer=viewer).filter(
        created_at__gte=challenge.starts_at, created_at__lt=challenge.ends_at
    )
    return selectors.with_hashtags(qs, tags)


def challenge_leaderboard(
    *, viewer: User | None, challenge: Challenge, limit: int = 10
) -> list[Video]:
    """Entries ranked by engagement (ENGAGEMENT_WEIGHTS), earliest first on a tie: who got
    there first keeps the place."""
    qs = challenge_entries(viewer=viewer, challenge=challenge).with_cards()
    return list(
        qs.annotate(engagement=engagement_expression()).order_by("-engagement", "created_at", "pk")[
            :limit
        ]
    )


# --- templates ("one-tap formats") ---------------------------------------------------------------
def _public_video_q(prefix: str) -> Q:
    return Q(
        **{
            f"{prefix}status": Video.Status.READY,
            f"{prefix}visibility": Video.Visibility.PUBLIC,
            f"{prefix}is_hidden": False,
            f"{prefix}author__is_active": True,
            f"{prefix}author__is_private": False,
        }
    )


def templates_usable() -> QuerySet[Template]:
    """Active templates that anyone may use right now: the sound (if any) is ready and
    reusable by others, the original of a side-by-side is public, allows duets and may be
    duetted by anyone (minors' rules), a green screen has its picture. A template whose
    parts went away drops out of the gallery by itself; per-viewer rules (blocks) are
    checked again when one is used."""
    sound_ok = Q(sound__isnull=True) | (
        Q(sound__status=Sound.Status.READY, sound__is_reusable=True, sound__owner__is_active=True)
        & ~Q(sound__audio="")
        & (Q(sound__source_video__isnull=True) | _public_video_q("sound__source_video__"))
    )
    layout_ok = (
        Q(layout=Template.Layout.SIDE_BY_SIDE, original__allow_duet=True)
        & _public_video_q("original__")
        # Minors' rules (issue 7): only an original anyone may duet (never a 13–15 year
        # old's; a 16–17 year old's only if they opened it to everyone).
        & remix_open_to_everyone_q(prefix="original__author__")
        | (Q(layout=Template.Layout.GREEN_SCREEN) & ~Q(background=""))
        | Q(layout=Template.Layout.TEXT_ON_TOP)
    )
    return Template.objects.filter(Q(is_active=True) & sound_ok & layout_ok)


def template_gallery() -> QuerySet[Template]:
    """The gallery's cards in their order, with what a card shows joined in one query."""
    return templates_usable().select_related("sound__owner", "original__author")


_SLUG_RE = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def template_by_slug(slug) -> Template | None:
    """The template with that slug in any state (callers decide), or None."""
    # Only what a SlugField holds reaches the database (a NUL would be a 500 on PostgreSQL).
    if not isinstance(slug, str) or not _SLUG_RE.fullmatch(slug):
        return None
    return (
        Template.objects.select_related("sound__owner", "sound__source_video", "original__author")
        .filter(slug=slug)
        .first()
    )
