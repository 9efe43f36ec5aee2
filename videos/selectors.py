"""Every read with rules (visibility, privacy). HTML views, the API and consumers all use these."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _
from taggit.models import Tag

from social.models import Block, Follow, User
from social.selectors import is_blocked_between, is_protected_minor

from .models import TaggedVideo, Video

CURSOR_MAX_LENGTH = 200
# Keys are BigAutoField values: anything outside a signed 64-bit integer cannot be one, and
# the database driver would fail on it (a 500) instead of finding nothing.
PK_MAX = 2**63 - 1
HASHTAG_LOOKUP_MAX_LENGTH = 100


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Page:
    items: list[Video]
    next_cursor: str | None


def cursor_encode(video: Video) -> str:
    raw = json.dumps([video.created_at.isoformat(), video.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        if not isinstance(cursor, str) or not cursor or len(cursor) > CURSOR_MAX_LENGTH:
            raise ValueError
        padded = cursor + "=" * (-len(cursor) % 4)
        created, pk = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        when = parse_datetime(created)
        if when is None or not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError
        if not 0 <= pk <= PK_MAX:
            raise ValueError
        if when.tzinfo is None:
            raise ValueError  # we only ever write aware timestamps
        # Normalise to UTC here: a timestamp at the edge of the calendar ("0001-01-01T00:00
        # +01:00") overflows on conversion, which must be a bad cursor, not a server error.
        when = when.astimezone(datetime.UTC)
        return when, pk
    except (
        ValueError,
        TypeError,
        OverflowError,
        binascii.Error,
        UnicodeError,
        json.JSONDecodeError,
    ):
        raise BadCursor(_("That page link is not valid.")) from None


def paginate_newest(qs: QuerySet[Video], *, cursor: str | None, limit: int) -> Page:
    """Keyset pagination on (created_at, id) descending: no duplicates and no gaps when
    new videos arrive between pages, and constant cost however deep the viewer scrolls."""
    if cursor:
        created, pk = cursor_decode(cursor)
        qs = qs.filter(Q(created_at__lt=created) | Q(created_at=created, pk__lt=pk))
    items = list(qs.order_by("-created_at", "-pk")[: limit + 1])
    next_cursor = cursor_encode(items[limit - 1]) if len(items) > limit else None
    return Page(items=items[:limit], next_cursor=next_cursor)


def _follows(*, viewer: User | None, author_id: int) -> bool:
    if viewer is None or not viewer.is_authenticated:
        return False
    return Follow.objects.filter(follower=viewer, followee_id=author_id).exists()


class Access:
    OK = "ok"
    BLOCKED = "blocked"
    PRIVATE = "private"
    GONE = "gone"


def account_access(*, viewer: User | None, author: User) -> str:
    """Whether viewer may see the videos of author at all, and if not, why (an Access)."""
    if not author.is_active:
        return Access.OK if viewer and viewer.is_authenticated and viewer.is_staff else Access.GONE
    if viewer is not None and viewer.is_authenticated and viewer.pk == author.pk:
        return Access.OK
    # A block, either way round, hides each one's videos from the other.
    if is_blocked_between(a=viewer, b=author):
        return Access.BLOCKED
    if not author.is_private or _follows(viewer=viewer, author_id=author.pk):
        return Access.OK
    return Access.PRIVATE


def can_view_account_videos(*, viewer: User | None, author: User) -> bool:
    """Whether viewer may see the videos of author at all (private accounts, blocks)."""
    return account_access(viewer=viewer, author=author) == Access.OK


def without_blocked(qs: QuerySet[Video], *, viewer: User | None) -> QuerySet[Video]:
    """qs less the videos of everyone on the other side of a block with viewer (subqueries:
    no extra round trip)."""
    if viewer is None or not viewer.is_authenticated:
        return qs
    return qs.exclude(author__in=Block.objects.filter(blocker=viewer).values("blocked_id")).exclude(
        author__in=Block.objects.filter(blocked=viewer).values("blocker_id")
    )


def can_view_video(*, viewer: User | None, video: Video) -> bool:
    """Whether viewer may watch video (its page, its media, its API resource).

    Hidden by moderation means hidden everywhere but the admin: not even its author sees it
    (the same rule as visible_videos, so a page never shows what a list leaves out).
    The author alone sees their own processing, failed and private videos.
    """
    if video.is_hidden:
        return False
    is_author = viewer is not None and viewer.is_authenticated and viewer.pk == video.author_id
    if is_author:
        return video.author.is_active
    if video.status != Video.Status.READY:
        return False
    if video.visibility == Video.Visibility.PRIVATE:
        return False
    if not can_view_account_videos(viewer=viewer, author=video.author):
        return False
    if video.visibility == Video.Visibility.FOLLOWERS:
        return _follows(viewer=viewer, author_id=video.author_id)
    return True


def video_get_visible(*, viewer: User | None, public_id: str) -> Video:
    """The one permission-checked getter; raises Http404 for missing and forbidden alike,
    so nobody can learn that a hidden video exists."""
    video = (
        Video.objects.with_cards().filter(public_id=public_id).first()
        if isinstance(public_id, str) and len(public_id) <= 16
        else None
    )
    if video is None or not can_view_video(viewer=viewer, video=video):
        raise Http404(_("This video is not available."))
    return video


def download_allowed(*, video: Video, today: datetime.date | None = None) -> bool:
    """Whether a video's MP4 may be saved, by anyone who may see it: ready, the author's
    switch on, and the author 16 or older (issue 7: nobody downloads a 13–15 year old's
    videos, whatever the switch says). Visibility is checked by video_get_visible."""
    return (
        video.status == Video.Status.READY
        and bool(video.file)
        and video.allow_download
        and not is_protected_minor(video.author, today=today)
    )


def video_get_downloadable(*, viewer: User | None, public_id: str) -> Video:
    """The video viewer may save: Http404 when they may not see it, PermissionDenied (with
    the reason) when they may see it but not save it."""
    from django.core.exceptions import PermissionDenied

    video = video_get_visible(viewer=viewer, public_id=public_id)
    if not download_allowed(video=video):
        if is_protected_minor(video.author):
            raise PermissionDenied(_("This video cannot be saved."))
        raise PermissionDenied(_("The author does not allow saving this video."))
    return video


def comments_visible_q(*, viewer: User | None, video: Video) -> Q:
    """The comments of video that viewer may read: visible ones, their own held ones, and
    (for the video's author) those their own filter held. Removed ones are the caller's."""
    from .models import Comment

    q = Q(status=Comment.Status.VISIBLE)
    if viewer is not None and viewer.is_authenticated:
        q |= Q(author=viewer)
        if viewer.pk == video.author_id:
            q |= Q(status=Comment.Status.HELD_BY_CREATOR)
    return q


def can_see_comment(*, viewer: User | None, comment) -> bool:
    """comments_visible_q for one comment (staff see held ones too, to review them)."""
    if not comment.is_held:
        return True
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.is_staff or viewer.pk == comment.author_id:
        return True
    return comment.status == comment.Status.HELD_BY_CREATOR and viewer.pk == comment.video.author_id


def video_get_owned(*, viewer: User | None, public_id: str) -> Video | None:
    """The viewer's own video in any state (processing, failed, hidden), or None.

    For what an author may always do to their own video, such as deleting it."""
    if viewer is None or not viewer.is_authenticated:
        return None
    if not isinstance(public_id, str) or len(public_id) > 16:
        return None
    return Video.objects.with_cards().filter(public_id=public_id, author=viewer).first()


def visible_videos(*, viewer: User | None) -> QuerySet[Video]:
    """Ready videos this viewer may see, for lists (profiles, hashtags, sounds)."""
    qs = Video.objects.public()
    if viewer is not None and viewer.is_authenticated:
        followed = Follow.objects.filter(follower=viewer).values("followee_id")
        qs = (
            Video.objects.ready()
            .filter(is_hidden=False, author__is_active=True)
            .filter(
                Q(visibility=Video.Visibility.PUBLIC, author__is_private=False)
                | Q(
                    visibility__in=[Video.Visibility.PUBLIC, Video.Visibility.FOLLOWERS],
                    author__in=followed,
                )
                | Q(author=viewer)
            )
        )
        qs = without_blocked(qs, viewer=viewer)
    return qs


def _tag_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def hashtag_tags(*, name: str) -> list[Tag]:
    """The tags spelled like name, ignoring case in every script (and a leading '#').

    The database cannot be asked: SQLite's LIKE and LOWER fold ASCII only, so
    name__iexact misses "ÑANDÚ" for "ñandú". Tag slugs are lowercased by Python, though, so
    candidates are found by slug (taggit suffixes clashing slugs with "_<n>") and the
    names compared here. Several tags can match when two spellings were stored apart.
    """
    if not isinstance(name, str):
        return []
    name = unicodedata.normalize("NFC", name.strip().lstrip("#"))
    if not name or len(name) > HASHTAG_LOOKUP_MAX_LENGTH:
        return []
    condition = Q(name__iexact=name)
    for spelling in {name.lower(), name.casefold()}:
        slug = slugify(spelling, allow_unicode=True)
        if slug:
            condition |= Q(slug=slug) | Q(slug__regex=rf"^{re.escape(slug)}_[0-9]+$")
    key = _tag_key(name)
    return [tag for tag in Tag.objects.filter(condition) if _tag_key(tag.name) == key]


def with_hashtags(qs: QuerySet[Video], tags: list[Tag]) -> QuerySet[Video]:
    """Videos of qs carrying any of tags, each once (a subquery, not a row-multiplying join)."""
    tagged = TaggedVideo.objects.filter(tag__in=[tag.pk for tag in tags])
    return qs.filter(pk__in=tagged.values("content_object_id"))


def for_you_videos(*, viewer: User | None) -> QuerySet[Video]:
    """What For You draws from: public videos, less those of accounts blocked either way."""
    return without_blocked(Video.objects.public(), viewer=viewer)


@dataclass(frozen=True)
class FeedPage(Page):
    # For a signed-in viewer we know nothing about yet: hashtags for the interests picker.
    interest_tags: tuple = ()


def feed_for_you(
    *,
    viewer: User | None,
    cursor: str | None = None,
    limit: int = 8,
    session_key: str | None = None,
) -> FeedPage:
    """One page of the recommender (videos/feed/): ranked for this viewer, each video with
    its feed_reason ("Why am I seeing this?"). The cursor is opaque and remembers what the
    feed served, so pages never repeat. session_key lets an anonymous viewer's watching in
    this session shape their feed."""
    from .feed.service import for_you

    served = for_you(viewer=viewer, session_key=session_key, cursor=cursor, limit=limit)
    return FeedPage(
        items=served.items,
        next_cursor=served.next_cursor,
        interest_tags=tuple(served.interest_tags),
    )


def profile_get(*, viewer: User | None, username: str) -> User:
    user = User.objects.filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise Http404(_("This account is not available."))
    return user


def profile_page(
    *, viewer: User | None, author: User, cursor: str | None = None, limit: int = 30
) -> tuple[str, Page]:
    """The account access (an Access) and the page of author's videos viewer may see."""
    access = account_access(viewer=viewer, author=author)
    if access != Access.OK:
        return access, Page(items=[], next_cursor=None)
    qs = visible_videos(viewer=viewer).filter(author=author).with_cards()
    return access, paginate_newest(qs, cursor=cursor, limit=limit)


def profile_videos(
    *, viewer: User | None, author: User, cursor: str | None = None, limit: int = 30
) -> Page:
    return profile_page(viewer=viewer, author=author, cursor=cursor, limit=limit)[1]


def profile_likes_total(*, author: User) -> int:
    return author.likes_received_count


def feed_following(*, viewer: User, cursor: str | None = None, limit: int = 8) -> Page:
    """Newest videos of the accounts the viewer follows (that they may see)."""
    followed = Follow.objects.filter(follower=viewer).values("followee_id")
    qs = (
        Video.objects.ready()
        .filter(
            is_hidden=False,
            author__is_active=True,
            author__in=followed,
            visibility__in=[Video.Visibility.PUBLIC, Video.Visibility.FOLLOWERS],
        )
        .with_cards()
    )
    qs = without_blocked(qs, viewer=viewer)
    return paginate_newest(qs, cursor=cursor, limit=limit)


FOR_YOU_MIN_AUTHOR_AGE = 16


def for_you_author_age_q(*, today: datetime.date | None = None) -> Q:
    """Videos of 13–15 year olds never reach strangers' For You (issue 7's minors rule),
    even if the account was made public: only authors 16 or older, or without a birthdate
    (staff accounts made by createsuperuser)."""
    today = today or timezone.localdate()
    try:
        cutoff = today.replace(year=today.year - FOR_YOU_MIN_AUTHOR_AGE)
    except ValueError:  # 29 February: the birthday turns over on 1 March
        cutoff = datetime.date(today.year - FOR_YOU_MIN_AUTHOR_AGE, 2, 28)
    return Q(author__birthdate__isnull=True) | Q(author__birthdate__lte=cutoff)
