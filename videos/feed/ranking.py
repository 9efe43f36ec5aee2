"""Re-ranking for For You: pure functions on plain values (no Django, no database).

Rules, in order:
- never: anything in `excluded_videos` (not interested, already served in this feed) or by an
  author in `excluded_authors` (blocked either way, hidden creators). Visibility (hidden,
  private, followers-only, inactive accounts) is enforced earlier, in the database query.
- not again: a video the viewer watched in the last WATCHED_WINDOW_DAYS, unless they liked it.
- the viewer's own just-posted video goes first (pinned), as the apps do.
- no two in a row from the same creator or with the same sound (relaxed only when nothing
  else is left, so a catalogue of one creator still plays through).
- a configurable share of the slots (default 15 %) goes to the exploration pool, spread
  evenly: slot n is an exploration slot when floor((n+1)·share) > floor(n·share).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .scoring import (
    AFFINITY_WEIGHTS,
    DAY,
    Affinity,
    Candidate,
    Profile,
    affinity,
    pool_score,
    predict,
    score,
)

WATCHED_WINDOW_DAYS = 14
DEFAULT_EXPLORATION_SHARE = 0.15
DIVERSITY_WINDOW = 60  # how far down a queue to look for a candidate that keeps variety
REASON_MIN_CONTRIBUTION = 0.3  # logit shift a personal reason needs before it is named


@dataclass(slots=True)
class Scored:
    candidate: Candidate
    score: float
    pool: float  # rank inside the exploration pool
    reason: tuple[str, int | None]


@dataclass(slots=True)
class Picked:
    video_id: int
    author_id: int
    sound_id: int | None
    reason: tuple[str, int | None]
    explore: bool


def is_excluded(
    candidate: Candidate,
    *,
    excluded_videos: Iterable[int] | set[int],
    excluded_authors: Iterable[int] | set[int],
    watched: Mapping[int, float],
    liked: Iterable[int] | set[int],
    now: float,
    window_days: float = WATCHED_WINDOW_DAYS,
) -> bool:
    if candidate.video_id in excluded_videos or candidate.author_id in excluded_authors:
        return True
    at = watched.get(candidate.video_id)
    return at is not None and now - at < window_days * DAY and candidate.video_id not in liked


def choose_reason(candidate: Candidate, aff: Affinity, profile: Profile) -> tuple[str, int | None]:
    """The strongest reason this candidate is here, as (code, argument)."""
    if "own" in candidate.sources:
        return ("own", None)
    if aff.followed:
        return ("following", None)
    w = AFFINITY_WEIGHTS
    parts = {
        "tag": w["tag"] * aff.tag if aff.top_tag is not None else 0.0,
        "creator": w["creator"] * aff.creator,
        "sound": w["sound"] * aff.sound,
        "similar": w["neighbour"] * aff.neighbour,
    }
    best = max(parts, key=parts.__getitem__)
    if parts[best] >= REASON_MIN_CONTRIBUTION:
        if best == "tag":
            origin = profile.tag_origin.get(aff.top_tag, "watch")
            kind = {"watch": "tag_watch", "interest": "tag_interest", "tap": "tag_tap"}.get(
                origin, "tag_like"
            )
            return (kind, aff.top_tag)
        if best == "creator":
            return ("creator", candidate.author_id)
        if best == "sound":
            return ("sound", candidate.sound_id)
        return ("similar", None)
    if "trending" in candidate.sources or candidate.trending >= 0.2:
        return ("trending", None)
    if candidate.in_pool:
        return ("new_creator", None) if candidate.author_followers < 100 else ("rising", None)
    if "fresh" in candidate.sources:
        return ("fresh", None)
    return ("popular", None)


def score_all(candidates: Iterable[Candidate], profile: Profile, *, now: float) -> list[Scored]:
    out = []
    for c in candidates:
        aff = affinity(c, profile)
        predictions = predict(c, aff)
        out.append(
            Scored(
                candidate=c,
                score=score(c, predictions, now=now),
                pool=pool_score(
                    impressions=c.impressions,
                    completion=c.rates.completion,
                    engagement=0.5 * aff.shift / 4,
                ),
                reason=choose_reason(c, aff, profile),
            )
        )
    return out


def is_exploration_slot(position: int, share: float) -> bool:
    share = min(max(share, 0.0), 1.0)
    return math.floor((position + 1) * share + 1e-9) > math.floor(position * share + 1e-9)


def _fits(s: Scored, last_author: int | None, last_sound: int | None) -> bool:
    c = s.candidate
    if c.author_id == last_author:
        return False
    return c.sound_id is None or c.sound_id != last_sound


def rerank(
    scored: Sequence[Scored],
    *,
    limit: int,
    start: int = 0,
    share: float = DEFAULT_EXPLORATION_SHARE,
    last_author: int | None = None,
    last_sound: int | None = None,
) -> tuple[list[Picked], bool]:
    """Pick `limit` videos in order. `start` is how many this feed has served before (the
    exploration schedule continues across pages), `last_author`/`last_sound` what the
    previous page ended with. Returns the page and whether candidates are left over."""
    main = sorted(scored, key=lambda s: (-s.score, -s.candidate.created_at, -s.candidate.video_id))
    pool = sorted(
        (s for s in scored if s.candidate.in_pool),
        key=lambda s: (-s.pool, -s.candidate.created_at, -s.candidate.video_id),
    )
    used: set[int] = set()
    picked: list[Picked] = []

    def take(s: Scored, explore: bool) -> None:
        used.add(s.candidate.video_id)
        reason = s.reason
        if explore and reason[0] in {"fresh", "popular", "trending"}:
            reason = (
                ("new_creator", None) if s.candidate.author_followers < 100 else ("rising", None)
            )
        picked.append(
            Picked(
                video_id=s.candidate.video_id,
                author_id=s.candidate.author_id,
                sound_id=s.candidate.sound_id,
                reason=reason,
                explore=explore,
            )
        )

    def first_fit(queue: list[Scored], strict: bool) -> Scored | None:
        seen = 0
        for s in queue:
            if s.candidate.video_id in used:
                continue
            if not strict or _fits(s, last_author, last_sound):
                return s
            seen += 1
            if seen >= DIVERSITY_WINDOW:
                return None
        return None

    # The viewer's own newest upload, if any, opens the feed.
    own = [s for s in main if s.reason[0] == "own"]
    if own and start == 0 and limit > 0:
        take(own[0], explore=False)
        last_author, last_sound = own[0].candidate.author_id, own[0].candidate.sound_id

    while len(picked) < limit:
        position = start + len(picked)
        explore_slot = is_exploration_slot(position, share)
        order = [(pool, True), (main, False)] if explore_slot else [(main, False)]
        choice = None
        for queue, explore in order:
            s = first_fit(queue, strict=True)
            if s is not None:
                choice = (s, explore)
                break
        if choice is None:
            s = first_fit(main, strict=False)  # only one creator or sound left: relax
            if s is None:
                break
            choice = (s, False)
        s, explore = choice
        take(s, explore=explore)
        last_author, last_sound = s.candidate.author_id, s.candidate.sound_id
    more = any(s.candidate.video_id not in used for s in main)
    return picked, more
