"""The For You entry point: one page of the feed for one viewer (selectors.feed_for_you).

A ranked, personalised list has no stable sort key, so keyset pagination does not fit. The
cursor is opaque and signed: it names a feed session (a random id) and a page number, and
is bound to the viewer. What the session has served lives in the cache under the session id
(constant-size cursors, however deep the viewer scrolls), so pages never repeat, and each
page is remembered for a while, so a retried or reloaded page comes back the same.
Everything else is recomputed per page from the database, which is why a like, a long watch
or a "not interested" changes the very next page.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from social.models import User

from ..models import Video
from . import candidates as cands
from .ranking import DEFAULT_EXPLORATION_SHARE, Picked, is_excluded, rerank, score_all
from .reasons import describe

CURSOR_SALT = "videos.feed.for_you"
CURSOR_MAX_LENGTH = 200
SESSION_TTL = 6 * 3600  # how long a feed session remembers what it served
PAGES_REMEMBERED = 3
BACKFILL = 200
INTEREST_TAGS = 16


@dataclass
class State:
    served: list[int]
    last_author: int | None = None
    last_sound: int | None = None
    pages: dict[str, list[list]] | None = None  # page number → [[video id, code, name], …]


def session_hash(session_key: str | None) -> str:
    """How anonymous viewers are keyed in WatchEvent: never the session key itself."""
    if not session_key:
        return ""
    return hashlib.sha256(f"feed:{session_key}".encode()).hexdigest()[:32]


def exploration_share() -> float:
    return float(getattr(settings, "FEED_EXPLORATION_SHARE", DEFAULT_EXPLORATION_SHARE))


def _bad_cursor():
    from django.utils.translation import gettext as _

    from ..selectors import BadCursor

    return BadCursor(_("That page link is not valid."))


def cursor_encode(feed_id: str, page: int, user_id: int | None) -> str:
    return signing.dumps([feed_id, page, user_id or 0], salt=CURSOR_SALT, compress=False)


def cursor_decode(cursor: str, user_id: int | None) -> tuple[str, int]:
    if not isinstance(cursor, str) or len(cursor) > CURSOR_MAX_LENGTH:
        raise _bad_cursor()
    try:
        feed_id, page, owner = signing.loads(cursor, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise _bad_cursor() from None
    if (
        not isinstance(feed_id, str)
        or not isinstance(page, int)
        or isinstance(page, bool)
        or not 0 < page < 100_000
        or owner != (user_id or 0)
    ):
        raise _bad_cursor()
    return feed_id, page


def _state_key(feed_id: str) -> str:
    return f"{cands.CACHE_PREFIX}served:{feed_id}"


def _load_state(feed_id: str, fresh: bool) -> State:
    raw = None if fresh else cache.get(_state_key(feed_id))
    if not raw:
        return State(served=[], pages={})
    return State(
        served=raw["served"],
        last_author=raw["last"][0],
        last_sound=raw["last"][1],
        pages=raw["pages"],
    )


def _save_state(feed_id: str, state: State) -> None:
    pages = dict(sorted(state.pages.items(), key=lambda kv: int(kv[0]))[-PAGES_REMEMBERED:])
    cache.set(
        _state_key(feed_id),
        {"served": state.served, "last": [state.last_author, state.last_sound], "pages": pages},
        SESSION_TTL,
    )


def _visible(user: User | None):
    """What For You may show: public videos of public, active accounts; the viewer's own
    ready videos (to them alone); nothing across a block."""
    from ..selectors import without_blocked

    condition = Q(
        status=Video.Status.READY,
        visibility=Video.Visibility.PUBLIC,
        is_hidden=False,
        report_held=False,  # held back by reports until a moderator decides
        author__is_active=True,
        author__is_private=False,
    )
    if user is not None:
        condition |= Q(author_id=user.pk, status=Video.Status.READY, is_hidden=False)
    return without_blocked(Video.objects.filter(condition), viewer=user)


def _cards(ids: list[int], user: User | None) -> list[Video]:
    """One query (plus the hashtags' prefetch) for everything the slides and the API render."""
    if not ids:
        return []
    qs = _visible(user).filter(pk__in=ids).with_cards().select_related("duet_of", "stitch_of")
    by_id = {v.pk: v for v in qs}
    return [by_id[i] for i in ids if i in by_id]


def _attach(videos: list[Video], rows: list[list]) -> list[Video]:
    reasons = {vid: (code, name) for vid, code, name in rows}
    for video in videos:
        code, name = reasons.get(video.pk, ("popular", ""))
        video.feed_reason_code = code
        video.feed_reason = describe(code, name)
    return videos


def _reason_name(picked: Picked, viewer: cands.Viewer, usernames: dict[int, str]) -> str:
    code, arg = picked.reason
    if code.startswith("tag_") and arg is not None:
        return viewer.tag_names.get(arg, "")
    if code == "creator" and arg is not None:
        return usernames.get(arg, "")
    return ""


def _backfill(user: User | None, exclude: set[int]) -> list[int]:
    """Deep in a session the sources run dry: the best-trending public videos not yet served
    keep the feed going until the catalogue itself is exhausted."""
    from django.db.models import F

    return list(
        _visible(user)
        .filter(visibility=Video.Visibility.PUBLIC, author__is_private=False)
        .exclude(pk__in=list(exclude))
        .order_by(F("feed_stats__trending").desc(nulls_last=True), "-created_at", "-id")
        .values_list("id", flat=True)[:BACKFILL]
    )


@dataclass(frozen=True)
class Served:
    items: list[Video]
    next_cursor: str | None
    # For a signed-in viewer we know nothing about yet: hashtags for the interests picker.
    interest_tags: list[tuple[int, str]] = ()


def for_you(
    *,
    viewer: User | None,
    session_key: str | None = None,
    cursor: str | None = None,
    limit: int = 8,
    share: float | None = None,
) -> Served:
    user = viewer if viewer is not None and viewer.is_authenticated else None
    user_id = user.pk if user else None
    if cursor:
        feed_id, page = cursor_decode(cursor, user_id)
    else:
        feed_id, page = secrets.token_urlsafe(9), 0
    state = _load_state(feed_id, fresh=not cursor)

    remembered = state.pages.get(str(page))
    if remembered is not None:
        # A page asked for again (a retry, a reload): the same videos, visibility re-checked.
        items = _attach(_cards([row[0] for row in remembered], user), remembered)
        more = cursor_encode(feed_id, page + 1, user_id)
        return Served(items=items, next_cursor=more if remembered else None)

    now = timezone.now()
    viewer_data = cands.load_viewer(user=user, session_hash=session_hash(session_key), now=now)
    sources = cands.load_sources(viewer=viewer_data, user=user, now=now)
    served = set(state.served)
    if served:
        remaining = len(set(sources.proposals) - served - viewer_data.not_interested)
        if remaining < 2 * limit:
            for vid in _backfill(user, served | viewer_data.not_interested):
                sources.proposals.setdefault(vid, {"fresh"})
    loaded = cands.load_candidates(sources=sources, viewer=viewer_data, user=user, now=now)

    profile = viewer_data.profile
    stamp = now.timestamp()
    excluded_videos = viewer_data.not_interested | served
    excluded_authors = viewer_data.blocked | viewer_data.hidden_creators
    eligible = [
        c
        for c in loaded.candidates
        if not is_excluded(
            c,
            excluded_videos=excluded_videos,
            excluded_authors=excluded_authors,
            watched=profile.watched,
            liked=profile.liked,
            now=stamp,
        )
    ]
    picked, more = rerank(
        score_all(eligible, profile, now=stamp),
        limit=limit,
        start=len(state.served),
        share=exploration_share() if share is None else share,
        last_author=state.last_author,
        last_sound=state.last_sound,
    )
    rows = [
        [p.video_id, p.reason[0], _reason_name(p, viewer_data, loaded.usernames)] for p in picked
    ]
    items = _attach(_cards([p.video_id for p in picked], user), rows)

    next_cursor = None
    if picked and more:
        state.served.extend(p.video_id for p in picked)
        state.last_author, state.last_sound = picked[-1].author_id, picked[-1].sound_id
        state.pages[str(page)] = rows
        _save_state(feed_id, state)
        next_cursor = cursor_encode(feed_id, page + 1, user_id)
    interest_tags: list[tuple[int, str]] = []
    if user is not None and page == 0 and profile.is_cold:
        interest_tags = sources.popular_tags[:INTEREST_TAGS] or cands.popular_tags(INTEREST_TAGS)
    return Served(items=items, next_cursor=next_cursor, interest_tags=interest_tags)


def served_ids(cursor: str, viewer: User | None) -> list[int]:
    """What the feed session behind a cursor has served so far (for tests and tools)."""
    user_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    feed_id, _page = cursor_decode(cursor, user_id)
    return list(_load_state(feed_id, fresh=False).served)
