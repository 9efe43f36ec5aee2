"""Where For You candidates come from, and what we load about the viewer.

Sources (each capped, merged with `merge_sources`):
- own:        the viewer's own video posted in the last day (it opens their feed)
- following:  recent videos of followed creators
- creator:    recent videos of creators the viewer engaged with
- tag:        the best recent videos of the hashtags the viewer engaged with (precomputed lists)
- sound:      the same for sounds
- similar:    co-engagement neighbours of what the viewer finished or liked (precomputed)
- trending:   engagement velocity with time decay (precomputed)
- explore:    the exploration pool: new videos being tested, and those promoted (precomputed)
- fresh:      the newest public uploads (a live query: the pool's entry door when the cache is cold)

Serving costs a constant number of queries (see `load_viewer` and `load_sources`) plus one
read of the precomputed state (state.get_many: the cache, or one query), whatever the size
of the catalogue or the page.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import models
from django.db.models import CharField, F, IntegerField, Q, Value

from social.models import Block, Follow, User

from ..models import (
    Comment,
    HiddenCreator,
    Interest,
    Like,
    NotInterested,
    Share,
    TaggedVideo,
    TopicTap,
    Video,
    WatchEvent,
)
from . import state
from .scoring import PRIORS, Candidate, Profile, Rates, Signal, build_profile, neighbour_scores

CACHE_PREFIX = state.PREFIX


@models.BigAutoField.register_lookup
class AnyOf(models.Lookup):
    """`id__any_of=[...]`: membership in a list of ids, sent as one array parameter on
    PostgreSQL (`= ANY(%s)`). Candidate lists run to hundreds of ids, and an IN list that
    long costs more to build and parse than the query takes to run. Elsewhere, IN."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(v) for v in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]
        if not self.rhs:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*lhs_params, *self.rhs]


SOURCE_CAPS = {
    "own": 1,
    "following": 80,
    "creator": 80,
    "tag": 160,
    "sound": 40,
    "similar": 120,
    "trending": 120,
    "explore": 100,
    "fresh": 200,
}
MAX_CANDIDATES = 700
SIGNAL_DAYS = 14  # = ranking.WATCHED_WINDOW_DAYS: these rows also say what not to repeat
ENGAGEMENT_DAYS = 90
MAX_WATCHED = 1500  # watched videos remembered for "not again within 14 days"
MAX_WATCH_SIGNALS = 400  # of which the newest shape the profile
MAX_ENGAGEMENT_SIGNALS = 300
MAX_TAP_SIGNALS = 50
PROFILE_TAGS = 8
PROFILE_SOUNDS = 4
PROFILE_CREATORS = 30
OWN_PIN_HOURS = 24


def merge_sources(
    lists: Mapping[str, Sequence[int]],
    caps: Mapping[str, int] = SOURCE_CAPS,
    limit: int = MAX_CANDIDATES,
) -> dict[int, set[str]]:
    """video id → the sources that proposed it. Sources are taken in the order of `caps`
    (personal ones first), each up to its cap, until `limit` videos are collected."""
    out: dict[int, set[str]] = {}
    for source, cap in caps.items():
        for vid in list(lists.get(source, ()))[:cap]:
            if vid in out:
                out[vid].add(source)
            elif len(out) < limit:
                out[vid] = {source}
    return out


@dataclass
class Viewer:
    """Everything the recommender knows about one viewer, loaded in a few queries."""

    user_id: int | None
    profile: Profile
    followed: set[int] = field(default_factory=set)
    blocked: set[int] = field(default_factory=set)
    hidden_creators: set[int] = field(default_factory=set)
    not_interested: set[int] = field(default_factory=set)
    tag_names: dict[int, str] = field(default_factory=dict)


REL_FOLLOW, REL_BLOCK, REL_NOT_INTERESTED, REL_HIDDEN, REL_INTEREST = range(1, 6)


def _relations(user: User):
    """Follows, blocks both ways, not-interested videos, hidden creators and picked interests:
    one UNION ALL query of (kind, id, name)."""
    empty = Value("", output_field=CharField())

    def part(qs, kind: int, column: str, name=empty):
        return (
            qs.order_by()
            .annotate(k=Value(kind, output_field=IntegerField()), i=F(column), n=name)
            .values_list("k", "i", "n")
        )

    parts = [
        part(Block.objects.filter(blocker=user), REL_BLOCK, "blocked_id"),
        part(Block.objects.filter(blocked=user), REL_BLOCK, "blocker_id"),
        part(NotInterested.objects.filter(user=user), REL_NOT_INTERESTED, "video_id"),
        part(HiddenCreator.objects.filter(user=user), REL_HIDDEN, "creator_id"),
        part(Interest.objects.filter(user=user), REL_INTEREST, "tag_id", F("tag__name")),
    ]
    first = part(Follow.objects.filter(follower=user), REL_FOLLOW, "followee_id")
    return first.union(*parts, all=True)


def _engagement(user: User, since: datetime.datetime):
    """Likes, comments, shares and not-interested marks of the last ENGAGEMENT_DAYS, with the
    video's creator and sound: one UNION ALL query."""

    def part(qs, kind: str):
        return (
            qs.filter(created_at__gte=since)
            .order_by()
            .annotate(k=Value(kind, output_field=CharField()))
            .values_list("k", "video_id", "video__author_id", "video__sound_id", "created_at")
        )

    first = part(Like.objects.filter(user=user), "like")
    return first.union(
        part(Comment.objects.filter(author=user, is_removed=False), "comment"),
        part(Share.objects.filter(user=user), "share"),
        part(NotInterested.objects.filter(user=user), "not_interested"),
        all=True,
    ).order_by("-created_at")[:MAX_ENGAGEMENT_SIGNALS]


def load_viewer(*, user: User | None, session_hash: str, now: datetime.datetime) -> Viewer:
    """The viewer's profile and exclusions. Signed in: 5 queries; anonymous with a session:
    2; anonymous without one: none."""
    authed = user is not None and user.is_authenticated
    watches: list[tuple] = []
    engaged: list[tuple] = []
    taps: list[tuple] = []
    viewer = Viewer(user_id=user.pk if authed else None, profile=Profile())
    interests: list[int] = []
    if authed or session_hash:
        events = WatchEvent.objects.filter(created_at__gte=now - datetime.timedelta(SIGNAL_DAYS))
        events = events.filter(user=user) if authed else events.filter(session_hash=session_hash)
        watches = list(
            events.order_by("-created_at").values_list(
                "video_id",
                "video__author_id",
                "video__sound_id",
                "video__duration",
                "watch_seconds",
                "completed",
                "replays",
                "skipped",
                "created_at",
            )[:MAX_WATCHED]
        )
    if authed:
        for kind, ident, name in _relations(user):
            if kind == REL_FOLLOW:
                viewer.followed.add(ident)
            elif kind == REL_BLOCK:
                viewer.blocked.add(ident)
            elif kind == REL_NOT_INTERESTED:
                viewer.not_interested.add(ident)
            elif kind == REL_HIDDEN:
                viewer.hidden_creators.add(ident)
            elif kind == REL_INTEREST:
                interests.append(ident)
                viewer.tag_names[ident] = name
        engaged = list(_engagement(user, now - datetime.timedelta(ENGAGEMENT_DAYS)))
        taps = list(
            TopicTap.objects.filter(
                user=user, created_at__gte=now - datetime.timedelta(ENGAGEMENT_DAYS)
            )
            .order_by("-created_at")
            .values_list("tag_id", "tag__name", "sound_id", "created_at")[:MAX_TAP_SIGNALS]
        )
    watched_only, watches = watches[MAX_WATCH_SIGNALS:], watches[:MAX_WATCH_SIGNALS]
    video_ids = {row[0] for row in watches} | {row[1] for row in engaged}
    tags: dict[int, list[int]] = {}
    if video_ids:
        for vid, tag_id, name in TaggedVideo.objects.filter(
            content_object__id__any_of=video_ids
        ).values_list("content_object_id", "tag_id", "tag__name"):
            tags.setdefault(vid, []).append(tag_id)
            viewer.tag_names[tag_id] = name
    signals: list[Signal] = []
    for vid, author, sound, duration, seconds, completed, replays, skipped, at in watches:
        ratio = min(1.0, seconds / duration) if duration else (1.0 if completed else 0.0)
        signals.append(
            Signal(
                kind="watch",
                at=at.timestamp(),
                video_id=vid,
                author_id=author,
                sound_id=sound,
                tag_ids=tuple(tags.get(vid, ())),
                watch_ratio=ratio,
                completed=completed,
                replays=replays,
                skipped=skipped,
            )
        )
    for kind, vid, author, sound, at in engaged:
        signals.append(
            Signal(
                kind=kind,
                at=at.timestamp(),
                video_id=vid,
                author_id=author,
                sound_id=sound,
                tag_ids=tuple(tags.get(vid, ())),
            )
        )
    for tag_id, tag_name, sound_id, at in taps:
        if tag_id is not None:
            viewer.tag_names[tag_id] = tag_name
        signals.append(
            Signal(
                kind="tap",
                at=at.timestamp(),
                tag_ids=(tag_id,) if tag_id is not None else (),
                sound_id=sound_id,
            )
        )
    stamp = now.timestamp()
    signals.extend(Signal(kind="follow", at=stamp, author_id=a) for a in viewer.followed)
    signals.extend(Signal(kind="interest", at=stamp, tag_ids=(t,)) for t in interests)
    viewer.profile = build_profile(signals, now=stamp, followed=viewer.followed)
    for row in watched_only:
        viewer.profile.watched.setdefault(row[0], row[-1].timestamp())
    return viewer


@dataclass
class Sources:
    proposals: dict[int, set[str]]
    neighbour: dict[int, float]
    trending: dict[int, float]
    pool: set[int]
    warm: bool  # whether a refresh has run (else the hashtag/sound sources query live)
    priors: Rates = PRIORS  # the catalogue's base rates, for videos not yet measured
    popular_tags: list[tuple[int, str]] = field(default_factory=list)


def _public():
    from ..selectors import for_you_author_age_q

    # report_held: reported by REPORT_AUTOHIDE_THRESHOLD people, awaiting a moderator.
    return Video.objects.public().filter(for_you_author_age_q(), report_held=False)


def wanted_keys(profile: Profile, *, signed_in: bool) -> list[str]:
    """The precomputed state one viewer's page needs."""
    keys = [state.REFRESHED, state.TRENDING, state.POOL, state.PRIORS]
    if signed_in and profile.is_cold:
        keys.append(state.POPULAR_TAGS)  # for the interests picker
    keys += [state.tag_key(t) for t in profile.top_tags(PROFILE_TAGS)]
    keys += [state.sound_key(s) for s in profile.top_sounds(PROFILE_SOUNDS)]
    keys += [state.neighbour_key(v) for v, _w in profile.positives]
    return keys


def viewer_creators(profile: Profile, followed: set[int]) -> list[int]:
    """Creators whose newest videos are candidates: followed ones, then engaged ones."""
    return list(followed)[:100] + [
        a for a in profile.top_creators(PROFILE_CREATORS) if a not in followed
    ]


def assemble(
    *,
    profile: Profile,
    followed: set[int],
    got: Mapping[str, object],
    creator_rows: Sequence[tuple[int, int]] = (),
    fresh: Sequence[int] = (),
    own: Sequence[int] = (),
    live_rows: Sequence[tuple[int, int | None]] | None = None,
) -> Sources:
    """Pure: every source's ranked ids, merged. `got` is the precomputed state
    (state.get_many); `creator_rows` (video, author) the newest videos of
    `viewer_creators`; `live_rows` (video, sound) the newest videos of the viewer's top
    hashtags and sounds, used only when no refresh has run (the state is cold)."""
    top_tags = profile.top_tags(PROFILE_TAGS)
    top_sounds = profile.top_sounds(PROFILE_SOUNDS)
    lists: dict[str, list[int]] = {"own": list(own), "fresh": list(fresh)}
    trending_list = got.get(state.TRENDING) or []
    trending = dict(trending_list)
    lists["trending"] = [vid for vid, _s in trending_list]
    pool_list = got.get(state.POOL) or []
    lists["explore"] = list(pool_list)

    nn = {
        v: got[state.neighbour_key(v)]
        for v, _w in profile.positives
        if state.neighbour_key(v) in got
    }
    neighbour = neighbour_scores(profile.positives, nn)
    lists["similar"] = [vid for vid, _s in sorted(neighbour.items(), key=lambda kv: -kv[1])]

    warm = state.REFRESHED in got
    if warm:
        lists["tag"] = _interleave([got.get(state.tag_key(t)) or [] for t in top_tags])
        lists["sound"] = _interleave([got.get(state.sound_key(s)) or [] for s in top_sounds])
    elif live_rows:
        sound_set = set(top_sounds)
        lists["sound"] = [vid for vid, sound in live_rows if sound in sound_set]
        lists["tag"] = [vid for vid, sound in live_rows if sound not in sound_set]
    lists["following"] = [vid for vid, a in creator_rows if a in followed]
    lists["creator"] = [vid for vid, a in creator_rows if a not in followed]
    priors = got.get(state.PRIORS)
    return Sources(
        proposals=merge_sources(lists),
        neighbour=neighbour,
        trending=trending,
        pool=set(pool_list),
        warm=warm,
        priors=Rates(**priors) if isinstance(priors, dict) else PRIORS,
        popular_tags=[tuple(row) for row in got.get(state.POPULAR_TAGS) or []],
    )


def load_sources(*, viewer: Viewer, user: User | None, now: datetime.datetime) -> Sources:
    """Candidate ids from every source: one read of the precomputed state, the fresh query,
    the creators' query when the viewer has creators, the own-video query when signed in,
    and (only while no refresh has run) one fallback query for hashtags and sounds."""
    profile = viewer.profile
    got = state.get_many(wanted_keys(profile, signed_in=viewer.user_id is not None))
    live_rows = None
    top_tags = profile.top_tags(PROFILE_TAGS)
    top_sounds = profile.top_sounds(PROFILE_SOUNDS)
    if state.REFRESHED not in got and (top_tags or top_sounds):
        tagged = TaggedVideo.objects.filter(tag_id__in=top_tags).values("content_object_id")
        live_rows = list(
            _public()
            .filter(Q(pk__in=tagged) | Q(sound_id__in=top_sounds))
            .order_by("-created_at", "-id")
            .values_list("id", "sound_id")[: SOURCE_CAPS["tag"] + SOURCE_CAPS["sound"]]
        )
    creator_rows: list[tuple[int, int]] = []
    creators = viewer_creators(profile, viewer.followed)
    if creators:
        creator_rows = list(
            _public()
            .filter(author_id__in=creators)
            .order_by("-created_at", "-id")
            .values_list("id", "author_id")[: SOURCE_CAPS["following"] + SOURCE_CAPS["creator"]]
        )
    own: list[int] = []
    if user is not None and user.is_authenticated:
        own = list(
            Video.objects.ready()
            .filter(
                author=user,
                is_hidden=False,
                visibility=Video.Visibility.PUBLIC,
                created_at__gte=now - datetime.timedelta(hours=OWN_PIN_HOURS),
            )
            .order_by("-created_at")
            .values_list("id", flat=True)[:1]
        )
    fresh = list(
        _public()
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)[: SOURCE_CAPS["fresh"]]
    )
    return assemble(
        profile=profile,
        followed=viewer.followed,
        got=got,
        creator_rows=creator_rows,
        fresh=fresh,
        own=own,
        live_rows=live_rows,
    )


def _interleave(lists: list[list[int]]) -> list[int]:
    """Round-robin over several ranked lists, so no one hashtag takes every slot."""
    out: list[int] = []
    seen: set[int] = set()
    for i in range(max((len(lst) for lst in lists), default=0)):
        for lst in lists:
            if i < len(lst) and lst[i] not in seen:
                seen.add(lst[i])
                out.append(lst[i])
    return out


POOL_AGE_SECONDS = 14 * 86400.0


def to_candidate(
    *,
    video_id: int,
    author_id: int,
    sound_id: int | None,
    created_at: float,
    author_followers: int,
    tag_ids: tuple[int, ...],
    stats: Sequence | None,
    sources: Sources,
    now: float,
) -> Candidate:
    """Pure: one candidate from its row. stats is (impressions, completion, watch_ratio,
    like_rate, share_rate, follow_rate, skip_rate, stage) from FeedStats, or None for a
    video no refresh has measured yet (it gets the catalogue's base rates, and stays in the
    exploration pool while young)."""
    if stats is None:
        rates, impressions = sources.priors, 0
        in_pool = now - created_at < POOL_AGE_SECONDS
    else:
        impressions, completion, watch_ratio, like, share, follow, skip, stage = stats
        rates = Rates(
            completion=completion,
            watch_ratio=watch_ratio,
            like=like,
            share=share,
            follow=follow,
            skip=skip,
        )
        in_pool = stage >= 0
    return Candidate(
        video_id=video_id,
        author_id=author_id,
        created_at=created_at,
        sound_id=sound_id,
        tag_ids=tag_ids,
        rates=rates,
        impressions=impressions,
        trending=sources.trending.get(video_id, 0.0),
        neighbour=sources.neighbour.get(video_id, 0.0),
        sources=frozenset(sources.proposals.get(video_id, ())),
        author_followers=author_followers,
        in_pool=in_pool or video_id in sources.pool,
    )


@dataclass
class Loaded:
    candidates: list[Candidate]
    usernames: dict[int, str]


def load_candidates(
    *, sources: Sources, viewer: Viewer, user: User | None, now: datetime.datetime
) -> Loaded:
    """Two queries: the candidates' features (visibility and blocks applied in SQL, with the
    precomputed FeedStats joined) and their hashtags."""
    from ..selectors import for_you_author_age_q, without_blocked

    ids = list(sources.proposals)
    if not ids:
        return Loaded(candidates=[], usernames={})
    own = [vid for vid, src in sources.proposals.items() if "own" in src]
    qs = Video.objects.filter(id__any_of=ids).filter(
        Q(
            for_you_author_age_q(),
            status=Video.Status.READY,
            visibility=Video.Visibility.PUBLIC,
            is_hidden=False,
            report_held=False,
            author__is_active=True,
            author__is_private=False,
        )
        | Q(id__any_of=own, is_hidden=False, status=Video.Status.READY)
    )
    qs = without_blocked(qs, viewer=user)
    rows = list(
        qs.values_list(
            "id",
            "author_id",
            "sound_id",
            "created_at",
            "author__followers_count",
            "author__username",
            "feed_stats__impressions",
            "feed_stats__completion",
            "feed_stats__watch_ratio",
            "feed_stats__like_rate",
            "feed_stats__share_rate",
            "feed_stats__follow_rate",
            "feed_stats__skip_rate",
            "feed_stats__stage",
        )
    )
    found = [row[0] for row in rows]
    tags: dict[int, list[int]] = {}
    if found:
        for vid, tag_id in TaggedVideo.objects.filter(content_object__id__any_of=found).values_list(
            "content_object_id", "tag_id"
        ):
            tags.setdefault(vid, []).append(tag_id)
    out = []
    usernames: dict[int, str] = {}
    stamp = now.timestamp()
    for row in rows:
        vid, author, sound, created, followers, username = row[:6]
        usernames[author] = username
        stats = None if row[6] is None else row[6:]
        out.append(
            to_candidate(
                video_id=vid,
                author_id=author,
                sound_id=sound,
                created_at=created.timestamp(),
                author_followers=followers,
                tag_ids=tuple(tags.get(vid, ())),
                stats=stats,
                sources=sources,
                now=stamp,
            )
        )
    return Loaded(candidates=out, usernames=usernames)


def popular_tags(limit: int = 16) -> list[tuple[int, str]]:
    """Hashtags for the interests picker when no refresh has run yet: one counting query."""
    from django.db.models import Count

    rows = (
        TaggedVideo.objects.filter(
            content_object__in=Video.objects.public().values("pk"),
        )
        .values("tag_id", "tag__name")
        .annotate(n=Count("id"))
        .order_by("-n", "tag__name")[:limit]
    )
    return [(row["tag_id"], row["tag__name"]) for row in rows]
