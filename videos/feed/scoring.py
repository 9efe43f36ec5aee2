"""Scoring for For You: pure functions on plain values (no Django, no database), so the
production service and the offline evaluation in bench/ run exactly the same code.

1. `build_profile` turns a viewer's signals (watches, likes, comments, shares, follows,
   "not interested", picked interests) into affinities for hashtags, creators and sounds,
   decayed with a half-life so that what happened this minute counts most.
2. `predict` estimates, for one candidate, the probability that this viewer completes it,
   the fraction they will watch, and the probabilities of a like, a share and a follow:
   each starts from the video's smoothed rate (its quality, `VideoStats`) on the logit scale
   and is shifted by the viewer's affinity to its hashtags, creator and sound, by
   co-engagement with what the viewer finished, and by following its creator.
3. `score` combines the predictions with `WEIGHTS` (each divided by its base rate, so a
   prediction twice the average counts twice), plus small freshness and trending bonuses.
   Watch time and completion weigh most.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

DAY = 86400.0

# --- signals -----------------------------------------------------------------------------------
# What one signal says about the viewer's taste, before decay. Watches depend on how they went.
SIGNAL_VALUES = {
    "like": 2.0,
    "comment": 1.5,
    "share": 2.5,
    "follow": 3.0,  # creator only
    "interest": 2.0,  # a hashtag picked on the first visit
    "tap": 0.8,  # opened a hashtag or a sound from a video: curious, not yet committed
    "not_interested": -4.0,
}
WATCH_COMPLETED = 1.0
WATCH_PER_REPLAY = 0.4  # up to MAX_REPLAYS_COUNTED replays
MAX_REPLAYS_COUNTED = 3
WATCH_LONG = 0.4  # at least half watched, not completed
WATCH_SKIPPED = -0.5  # a quick skip: under 2 s or under 20 %
LONG_WATCH_RATIO = 0.5
# How a signal's value spreads over the video's features.
SOUND_SHARE = 0.6
HALF_LIFE_DAYS = 3.0
# Follows and picked interests are standing choices: they do not decay.
UNDECAYED = frozenset({"follow", "interest"})
POSITIVE_HISTORY = 20  # recent positive videos used for co-engagement neighbours


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str  # "watch", "like", "comment", "share", "follow", "not_interested", "interest", "tap"
    at: float  # unix seconds
    video_id: int | None = None
    author_id: int | None = None
    sound_id: int | None = None
    tag_ids: tuple[int, ...] = ()
    watch_ratio: float = 0.0  # fraction of one loop watched, 0..1
    completed: bool = False
    replays: int = 0
    skipped: bool = False


def signal_value(signal: Signal) -> float:
    if signal.kind != "watch":
        return SIGNAL_VALUES.get(signal.kind, 0.0)
    if signal.completed:
        return WATCH_COMPLETED + WATCH_PER_REPLAY * min(signal.replays, MAX_REPLAYS_COUNTED)
    if signal.skipped:
        return WATCH_SKIPPED
    if signal.watch_ratio >= LONG_WATCH_RATIO:
        return WATCH_LONG
    return 0.0


def decay(age_seconds: float, half_life_days: float = HALF_LIFE_DAYS) -> float:
    return 0.5 ** (max(0.0, age_seconds) / (half_life_days * DAY))


@dataclass
class Profile:
    tags: dict[int, float] = field(default_factory=dict)
    creators: dict[int, float] = field(default_factory=dict)
    sounds: dict[int, float] = field(default_factory=dict)
    # The kind of signal that contributed most to each hashtag ("watch", "like", "interest"…),
    # for the "Why am I seeing this?" text.
    tag_origin: dict[int, str] = field(default_factory=dict)
    followed: frozenset[int] = frozenset()
    positives: list[tuple[int, float]] = field(default_factory=list)  # (video id, weight)
    watched: dict[int, float] = field(default_factory=dict)  # video id → last watched at
    liked: frozenset[int] = frozenset()
    signal_count: int = 0
    tag_norm: float = 1.0
    creator_norm: float = 1.0
    sound_norm: float = 1.0

    @property
    def is_cold(self) -> bool:
        return self.signal_count == 0 and not self.followed

    def top_tags(self, n: int) -> list[int]:
        return [t for t, w in sorted(self.tags.items(), key=lambda kv: -kv[1])[:n] if w > 0]

    def top_creators(self, n: int) -> list[int]:
        return [a for a, w in sorted(self.creators.items(), key=lambda kv: -kv[1])[:n] if w > 0]

    def top_sounds(self, n: int) -> list[int]:
        return [s for s, w in sorted(self.sounds.items(), key=lambda kv: -kv[1])[:n] if w > 0]


def _norm(weights: Mapping[int, float]) -> float:
    return max((abs(w) for w in weights.values()), default=0.0) or 1.0


def build_profile(
    signals: Iterable[Signal],
    *,
    now: float,
    followed: Iterable[int] = (),
    half_life_days: float = HALF_LIFE_DAYS,
) -> Profile:
    tags: dict[int, float] = {}
    origin_weight: dict[tuple[int, str], float] = {}
    creators: dict[int, float] = {}
    sounds: dict[int, float] = {}
    positives: dict[int, tuple[float, float]] = {}  # video → (weight, at)
    watched: dict[int, float] = {}
    liked: set[int] = set()
    count = 0
    for s in signals:
        count += 1
        if s.kind == "watch" and s.video_id is not None:
            watched[s.video_id] = max(watched.get(s.video_id, 0.0), s.at)
        if s.kind == "like" and s.video_id is not None:
            liked.add(s.video_id)
        value = signal_value(s)
        if not value:
            continue
        w = value if s.kind in UNDECAYED else value * decay(now - s.at, half_life_days)
        if s.tag_ids:
            per_tag = w / math.sqrt(len(s.tag_ids))
            for t in s.tag_ids:
                tags[t] = tags.get(t, 0.0) + per_tag
                key = (t, "watch" if s.kind == "watch" else s.kind)
                origin_weight[key] = origin_weight.get(key, 0.0) + per_tag
        if s.author_id is not None:
            creators[s.author_id] = creators.get(s.author_id, 0.0) + w
        if s.sound_id is not None:
            sounds[s.sound_id] = sounds.get(s.sound_id, 0.0) + SOUND_SHARE * w
        if w > 0 and s.video_id is not None:
            before = positives.get(s.video_id, (0.0, 0.0))
            positives[s.video_id] = (before[0] + w, max(before[1], s.at))
    origin: dict[int, str] = {}
    best: dict[int, float] = {}
    for (t, kind), w in origin_weight.items():
        if w > best.get(t, 0.0):
            best[t], origin[t] = w, kind
    recent = sorted(positives.items(), key=lambda kv: -kv[1][1])[:POSITIVE_HISTORY]
    return Profile(
        tags=tags,
        creators=creators,
        sounds=sounds,
        tag_origin=origin,
        followed=frozenset(followed),
        positives=[(vid, w) for vid, (w, _at) in recent],
        watched=watched,
        liked=frozenset(liked),
        signal_count=count,
        tag_norm=_norm(tags),
        creator_norm=_norm(creators),
        sound_norm=_norm(sounds),
    )


# --- what we know about a video ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Rates:
    """Per-impression rates. PRIORS are the base rates used for unseen videos and as the
    centre of the Beta prior that smooths every video's own rates."""

    completion: float
    watch_ratio: float
    like: float
    share: float
    follow: float
    skip: float


PRIORS = Rates(completion=0.35, watch_ratio=0.5, like=0.06, share=0.01, follow=0.005, skip=0.3)
PRIOR_STRENGTH = 20.0  # pseudo-impressions: a video needs ~20 views before its own rates dominate


def beta_smooth(
    successes: float, trials: float, prior_mean: float, strength: float = PRIOR_STRENGTH
) -> float:
    """Posterior mean of a rate under a Beta prior with mean prior_mean and weight
    strength (in impressions): three views do not beat three thousand."""
    return (successes + prior_mean * strength) / (max(0.0, trials) + strength)


def smoothed_rates(
    *,
    impressions: int,
    completions: float,
    watch_ratio_sum: float,
    likes: float,
    shares: float,
    follows: float,
    skips: float,
    priors: Rates = PRIORS,
) -> Rates:
    n = impressions
    return Rates(
        completion=beta_smooth(completions, n, priors.completion),
        watch_ratio=beta_smooth(watch_ratio_sum, n, priors.watch_ratio),
        like=beta_smooth(min(likes, n), n, priors.like),
        share=beta_smooth(min(shares, n), n, priors.share),
        follow=beta_smooth(min(follows, n), n, priors.follow),
        skip=beta_smooth(skips, n, priors.skip),
    )


@dataclass(slots=True)
class Candidate:
    video_id: int
    author_id: int
    created_at: float
    sound_id: int | None = None
    tag_ids: tuple[int, ...] = ()
    rates: Rates = PRIORS
    impressions: int = 0
    trending: float = 0.0  # 0..1, 1 = the top of the trending list
    neighbour: float = 0.0  # 0..1, co-engagement with what the viewer finished
    sources: frozenset[str] = frozenset()
    author_followers: int = 0
    in_pool: bool = False  # in the exploration pool (testing or promoted)


# --- predictions and the score -----------------------------------------------------------------
# Logit shifts per unit of affinity (affinities run from -1 to 1).
AFFINITY_WEIGHTS = {
    "tag": 2.2,
    "creator": 1.2,
    "sound": 0.5,
    "neighbour": 1.2,
    "followed": 0.8,
}
# The documented blend. Watch time and completion weigh most.
WEIGHTS = {"watch": 0.35, "complete": 0.30, "like": 0.15, "share": 0.10, "follow": 0.10}
FRESH_BONUS = 0.06  # for a video posted just now, halving every FRESH_HALF_LIFE_HOURS
FRESH_HALF_LIFE_HOURS = 24.0
TRENDING_BONUS = 0.08  # for the top of the trending list


@dataclass(slots=True)
class Affinity:
    tag: float = 0.0
    creator: float = 0.0
    sound: float = 0.0
    neighbour: float = 0.0
    followed: bool = False
    top_tag: int | None = None  # the candidate's hashtag the viewer likes most

    @property
    def shift(self) -> float:
        a = AFFINITY_WEIGHTS
        return (
            a["tag"] * self.tag
            + a["creator"] * self.creator
            + a["sound"] * self.sound
            + a["neighbour"] * self.neighbour
            + (a["followed"] if self.followed else 0.0)
        )


def _clamp(x: float, lo: float = -1.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def affinity(candidate: Candidate, profile: Profile) -> Affinity:
    tag_sum, top_tag, top_w = 0.0, None, 0.0
    for t in candidate.tag_ids:
        w = profile.tags.get(t, 0.0)
        tag_sum += w
        if w > top_w:
            top_tag, top_w = t, w
    tag = _clamp(tag_sum / profile.tag_norm) if candidate.tag_ids else 0.0
    creator = _clamp(profile.creators.get(candidate.author_id, 0.0) / profile.creator_norm)
    sound = 0.0
    if candidate.sound_id is not None:
        sound = _clamp(profile.sounds.get(candidate.sound_id, 0.0) / profile.sound_norm)
    return Affinity(
        tag=tag,
        creator=creator,
        sound=sound,
        neighbour=_clamp(candidate.neighbour, 0.0, 1.0),
        followed=candidate.author_id in profile.followed,
        top_tag=top_tag,
    )


def logit(p: float) -> float:
    p = _clamp(p, 1e-4, 1 - 1e-4)
    return math.log(p / (1 - p))


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


@dataclass(slots=True)
class Predictions:
    watch: float  # expected fraction of the video watched
    complete: float
    like: float
    share: float
    follow: float


def predict(candidate: Candidate, aff: Affinity) -> Predictions:
    q = candidate.rates
    z = aff.shift
    follow = 0.0
    if not aff.followed:
        follow = sigmoid(logit(q.follow) + 0.6 * z + AFFINITY_WEIGHTS["creator"] * aff.creator)
    return Predictions(
        watch=sigmoid(logit(q.watch_ratio) + 0.8 * z),
        complete=sigmoid(logit(q.completion) + z),
        like=sigmoid(logit(q.like) + 1.1 * z),
        share=sigmoid(logit(q.share) + z),
        follow=follow,
    )


def score(
    candidate: Candidate,
    predictions: Predictions,
    *,
    now: float,
    weights: Mapping[str, float] = WEIGHTS,
    base: Rates = PRIORS,
) -> float:
    p = predictions
    value = (
        weights["watch"] * p.watch / base.watch_ratio
        + weights["complete"] * p.complete / base.completion
        + weights["like"] * p.like / base.like
        + weights["share"] * p.share / base.share
        + weights["follow"] * p.follow / base.follow
    )
    age_hours = max(0.0, now - candidate.created_at) / 3600
    value += FRESH_BONUS * 0.5 ** (age_hours / FRESH_HALF_LIFE_HOURS)
    value += TRENDING_BONUS * _clamp(candidate.trending, 0.0, 1.0)
    return value


# --- the exploration pool ----------------------------------------------------------------------
TEST_AUDIENCE = 50  # impressions every new video gets before it is judged
POOL_GRADUATES_AT = 2000  # impressions after which a video leaves the pool for good
POOL_MAX_AGE_DAYS = 14


def pool_stage(
    *, impressions: int, completion: float, age_days: float, baseline: float = PRIORS.completion
) -> int:
    """1 promoted, 0 testing, -1 retired. A new video is tested with a small audience; it
    is promoted (keeps getting exploration traffic) while the lower bound of its smoothed
    completion stays at or above the baseline, until it graduates or grows old."""
    if age_days > POOL_MAX_AGE_DAYS or impressions >= POOL_GRADUATES_AT:
        return -1
    if impressions < TEST_AUDIENCE:
        return 0
    spread = math.sqrt(completion * (1 - completion) / (impressions + PRIOR_STRENGTH))
    return 1 if completion - spread >= baseline else -1


def pool_score(*, impressions: int, completion: float, engagement: float = 0.0) -> float:
    """Upper-confidence ranking inside the pool: untested videos get the benefit of the doubt
    (a wide interval), tested ones are ranked by their smoothed rates."""
    spread = math.sqrt(max(completion * (1 - completion), 0.01) / (impressions + 1))
    need = max(0.0, 1 - impressions / TEST_AUDIENCE)
    return completion + engagement + spread + 0.2 * need


# --- trending and co-engagement, shared by precompute and the offline bench --------------------
TRENDING_HALF_LIFE_HOURS = 12.0
ENGAGEMENT_WEIGHTS = {"view": 1.0, "complete": 1.0, "like": 3.0, "comment": 3.0, "share": 5.0}


def trending_scores(
    events: Iterable[tuple[int, float, float]],
    *,
    now: float,
    half_life_hours: float = TRENDING_HALF_LIFE_HOURS,
) -> dict[int, float]:
    """Engagement velocity with time decay: events are (video id, at, weight)."""
    out: dict[int, float] = {}
    for vid, at, weight in events:
        age_h = max(0.0, now - at) / 3600
        out[vid] = out.get(vid, 0.0) + weight * 0.5 ** (age_h / half_life_hours)
    return out


def co_engagement_neighbours(
    histories: Iterable[list[int]], *, top: int = 30, max_history: int = 30, min_count: int = 2
) -> dict[int, list[tuple[int, float]]]:
    """Item-to-item neighbours: "viewers who finished this also finished…". Each history is
    one viewer's positively engaged videos, newest first. Cosine similarity over viewers,
    each viewer's pairs damped by the length of their history (prolific viewers say less
    about any one pair)."""
    counts: dict[int, float] = {}
    pairs: dict[int, dict[int, float]] = {}
    for history in histories:
        items = list(dict.fromkeys(history))[:max_history]
        if not items:
            continue
        damp = 1.0 / math.log2(2 + len(items))
        for i in items:
            counts[i] = counts.get(i, 0.0) + 1.0
        for a_index, a in enumerate(items):
            row = pairs.setdefault(a, {})
            for b in items[a_index + 1 :]:
                row[b] = row.get(b, 0.0) + damp
                other = pairs.setdefault(b, {})
                other[a] = other.get(a, 0.0) + damp
    out: dict[int, list[tuple[int, float]]] = {}
    for a, row in pairs.items():
        if counts.get(a, 0) < min_count:
            continue
        ranked = sorted(
            (
                (b, c / math.sqrt(counts[a] * counts[b]))
                for b, c in row.items()
                if counts.get(b, 0) >= min_count
            ),
            key=lambda kv: -kv[1],
        )[:top]
        if ranked:
            out[a] = [(b, round(s, 4)) for b, s in ranked]
    return out


def neighbour_scores(
    positives: list[tuple[int, float]], neighbours: Mapping[int, list[tuple[int, float]]]
) -> dict[int, float]:
    """How strongly each neighbour video is linked to what the viewer finished, 0..1."""
    raw: dict[int, float] = {}
    for rank, (vid, weight) in enumerate(positives):
        recency = 1.0 / (1 + 0.15 * rank)
        for other, sim in neighbours.get(vid, ()):
            raw[other] = raw.get(other, 0.0) + sim * recency * min(weight, 3.0)
    return {vid: 1 - math.exp(-s) for vid, s in raw.items()}
