"""The periodic refresh: everything expensive the feed needs, computed from the rows.

- FeedStats per video: impressions and Beta-smoothed completion, watch ratio, skip, like,
  share and follow rates over the last STATS_DAYS; trending velocity; exploration stage.
- FeedState (state.py): the trending list, the exploration pool, the catalogue's base rates,
  the best recent videos per hashtag and per sound, popular hashtags for the interests
  picker, and item-to-item co-engagement neighbours.

Run by Celery beat (tiktok/celery.py, every REFRESH_SECONDS) or by hand:
`manage.py feed_refresh`. Aggregation happens in the database; the pure parts
(smoothing, trending decay, pool stages, neighbours) are the functions in scoring.py that the
offline evaluation uses too.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Least, TruncHour
from django.utils import timezone

from social.models import Follow

from ..models import Comment, FeedStats, Like, Share, TaggedVideo, Video, WatchEvent
from . import state
from .scoring import (
    ENGAGEMENT_WEIGHTS,
    PRIORS,
    Rates,
    co_engagement_neighbours,
    pool_score,
    pool_stage,
    smoothed_rates,
    trending_scores,
)

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 600
STATS_DAYS = 60
TRENDING_HOURS = 48
NEIGHBOUR_DAYS = 30
LIST_DAYS = 60  # per-hashtag and per-sound lists draw from videos this recent
TRENDING_SIZE = 300
POOL_SIZE = 300
LIST_SIZE = 100
POPULAR_TAGS = 24
FOLLOW_ATTRIBUTION = datetime.timedelta(days=1)  # a follow this soon after a watch counts


@dataclass
class Report:
    videos_with_stats: int = 0
    trending: int = 0
    pool: int = 0
    tag_lists: int = 0
    sound_lists: int = 0
    neighbour_lists: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def _watch_aggregates(since: datetime.datetime) -> dict[int, dict]:
    ratio = Case(
        When(
            video__duration__gt=0,
            then=Least(
                ExpressionWrapper(
                    F("watch_seconds") / F("video__duration"), output_field=FloatField()
                ),
                Value(1.0),
            ),
        ),
        When(completed=True, then=Value(1.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    rows = (
        WatchEvent.objects.filter(created_at__gte=since)
        .values("video_id")
        .annotate(
            n=Count("id"),
            c=Count("id", filter=Q(completed=True)),
            s=Count("id", filter=Q(skipped=True)),
            w=Sum(ratio),
        )
        .order_by()
    )
    return {row["video_id"]: row for row in rows}


def _counts(qs) -> dict[int, int]:
    return dict(
        qs.values("video_id").annotate(n=Count("id")).order_by().values_list("video_id", "n")
    )


def _follow_attribution(since: datetime.datetime) -> dict[int, int]:
    """Follows credited to the video their follower watched last, within a day before."""
    window = ExpressionWrapper(
        OuterRef("created_at") - Value(FOLLOW_ATTRIBUTION), output_field=DateTimeField()
    )
    last_watch = (
        WatchEvent.objects.filter(
            user_id=OuterRef("follower_id"),
            video__author_id=OuterRef("followee_id"),
            created_at__lte=OuterRef("created_at"),
            created_at__gte=window,
        )
        .order_by("-created_at")
        .values("video_id")[:1]
    )
    rows = (
        Follow.objects.filter(created_at__gte=since)
        .annotate(v=Subquery(last_watch))
        .exclude(v=None)
        .values("v")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("v", "n")
    )
    return dict(rows)


def _trending_events(now: datetime.datetime) -> list[tuple[int, float, float]]:
    """Engagement of the last TRENDING_HOURS as (video, hour, weight), counted per hour."""
    since = now - datetime.timedelta(hours=TRENDING_HOURS)
    half_hour = datetime.timedelta(minutes=30)
    events: list[tuple[int, float, float]] = []
    w = ENGAGEMENT_WEIGHTS

    def add(qs, per_row: float, per_completed: float = 0.0):
        rows = (
            qs.filter(created_at__gte=since)
            .annotate(h=TruncHour("created_at"))
            .values("video_id", "h")
            .annotate(n=Count("id"))
            .order_by()
        )
        if per_completed:
            rows = rows.annotate(c=Count("id", filter=Q(completed=True)))
        for row in rows:
            weight = row["n"] * per_row + row.get("c", 0) * per_completed
            events.append((row["video_id"], (row["h"] + half_hour).timestamp(), weight))

    add(WatchEvent.objects, w["view"], w["complete"])
    add(Like.objects, w["like"])
    add(Share.objects, w["share"])
    add(Comment.objects.filter(is_removed=False, status=Comment.Status.VISIBLE), w["comment"])
    return events


def _histories(now: datetime.datetime) -> list[list[int]]:
    """Per viewer, the videos they finished or liked in the last NEIGHBOUR_DAYS, newest first."""
    since = now - datetime.timedelta(days=NEIGHBOUR_DAYS)
    by_viewer: dict[tuple, list[tuple[float, int]]] = defaultdict(list)
    watched = (
        WatchEvent.objects.filter(created_at__gte=since, completed=True)
        .order_by()
        .values_list("user_id", "session_hash", "video_id", "created_at")
    )
    for user_id, session, vid, at in watched.iterator(chunk_size=20000):
        by_viewer[("u", user_id) if user_id else ("s", session)].append((at.timestamp(), vid))
    liked = (
        Like.objects.filter(created_at__gte=since)
        .order_by()
        .values_list("user_id", "video_id", "created_at")
    )
    for user_id, vid, at in liked.iterator(chunk_size=20000):
        by_viewer[("u", user_id)].append((at.timestamp(), vid))
    return [[vid for _at, vid in sorted(items, reverse=True)] for items in by_viewer.values()]


# --- the pure part: from aggregates to state (the offline evaluation calls this too) ----------
@dataclass(frozen=True)
class VideoInfo:
    created_at: float
    tag_ids: tuple[int, ...] = ()
    sound_id: int | None = None


@dataclass(frozen=True)
class WatchAggregate:
    impressions: int
    completions: int
    watch_ratio_sum: float
    skips: int


@dataclass(frozen=True)
class StatsRow:
    rates: Rates
    impressions: int
    trending: float
    stage: int


@dataclass
class Computed:
    stats: dict[int, StatsRow]
    values: dict[str, object]  # the FeedState keys and values
    priors: Rates


def _priors(
    watch: Mapping[int, WatchAggregate], likes: Mapping, shares: Mapping, follows: Mapping
) -> Rates:
    n = sum(a.impressions for a in watch.values())
    if n < 200:  # too little data to say anything better than the defaults
        return PRIORS

    def rate(counts: Mapping, default: float) -> float:
        return min(0.5, sum(counts.get(v, 0) for v in watch) / n) or default

    return Rates(
        completion=sum(a.completions for a in watch.values()) / n,
        watch_ratio=sum(a.watch_ratio_sum for a in watch.values()) / n,
        like=rate(likes, PRIORS.like),
        share=rate(shares, PRIORS.share),
        follow=rate(follows, PRIORS.follow),
        skip=sum(a.skips for a in watch.values()) / n,
    )


def quality(rates: Rates, trending: float, age_days: float) -> float:
    """How good a video is for its hashtag's and sound's lists, fading over two weeks."""
    value = rates.completion + 0.5 * rates.watch_ratio + 2.0 * rates.like + 0.5 * trending
    return value * 0.5 ** (max(0.0, age_days) / 14)


def compute(
    *,
    now: float,
    watch: Mapping[int, WatchAggregate],
    likes: Mapping[int, int],
    shares: Mapping[int, int],
    follows: Mapping[int, int],
    trending_events: Sequence[tuple[int, float, float]],
    videos: Mapping[int, VideoInfo],
    created: Mapping[int, float],
    tag_names: Mapping[int, str],
    histories: Sequence[list[int]],
) -> Computed:
    """videos: the public videos of the last LIST_DAYS (what lists may contain); created:
    when every video with watch events was posted."""
    priors = _priors(watch, likes, shares, follows)
    raw = trending_scores(trending_events, now=now)
    top = max(raw.values(), default=0.0) or 1.0
    trending = {vid: s / top for vid, s in raw.items()}
    trending_list = sorted(
        ((v, round(t, 4)) for v, t in trending.items() if v in videos), key=lambda kv: -kv[1]
    )[:TRENDING_SIZE]

    def age_days(vid: int) -> float:
        return (now - created.get(vid, videos[vid].created_at if vid in videos else now)) / 86400

    stats: dict[int, StatsRow] = {}
    for vid, a in watch.items():
        r = smoothed_rates(
            impressions=a.impressions,
            completions=a.completions,
            watch_ratio_sum=a.watch_ratio_sum,
            likes=likes.get(vid, 0),
            shares=shares.get(vid, 0),
            follows=follows.get(vid, 0),
            skips=a.skips,
            priors=priors,
        )
        stage = pool_stage(
            impressions=a.impressions,
            completion=r.completion,
            age_days=age_days(vid),
            baseline=priors.completion,
        )
        stats[vid] = StatsRow(
            rates=r, impressions=a.impressions, trending=trending.get(vid, 0.0), stage=stage
        )

    pool = []
    for vid in videos:
        row = stats.get(vid)
        r = row.rates if row else priors
        n = row.impressions if row else 0
        stage = (
            row.stage
            if row
            else pool_stage(impressions=0, completion=r.completion, age_days=age_days(vid))
        )
        if stage >= 0:
            score = pool_score(impressions=n, completion=r.completion, engagement=r.like + r.share)
            pool.append((score, videos[vid].created_at, vid))
    pool.sort(reverse=True)

    scores = {
        vid: quality(
            stats[vid].rates if vid in stats else priors, trending.get(vid, 0.0), age_days(vid)
        )
        for vid in videos
    }
    by_tag: dict[int, list[int]] = defaultdict(list)
    by_sound: dict[int, list[int]] = defaultdict(list)
    for vid, info in videos.items():
        for t in info.tag_ids:
            by_tag[t].append(vid)
        if info.sound_id is not None:
            by_sound[info.sound_id].append(vid)
    values: dict[str, object] = {}
    for tag_id, vids in by_tag.items():
        values[state.tag_key(tag_id)] = sorted(vids, key=lambda v: -scores[v])[:LIST_SIZE]
    for sound_id, vids in by_sound.items():
        values[state.sound_key(sound_id)] = sorted(vids, key=lambda v: -scores[v])[:LIST_SIZE]
    heat = {t: sum(1 + 5 * trending.get(v, 0.0) for v in vids) for t, vids in by_tag.items()}
    popular = sorted(heat, key=lambda t: (-heat[t], tag_names.get(t, "")))[:POPULAR_TAGS]
    for vid, row in co_engagement_neighbours(histories).items():
        values[state.neighbour_key(vid)] = row
    values[state.TRENDING] = trending_list
    values[state.POOL] = [vid for _s, _c, vid in pool[:POOL_SIZE]]
    values[state.PRIORS] = asdict(priors)
    values[state.POPULAR_TAGS] = [[t, tag_names.get(t, "")] for t in popular]
    values[state.REFRESHED] = now
    return Computed(stats=stats, values=values, priors=priors)


# --- the database part ---------------------------------------------------------------------
def refresh(*, now: datetime.datetime | None = None) -> Report:
    started = time.monotonic()
    now = now or timezone.now()
    since = now - datetime.timedelta(days=STATS_DAYS)
    watch = {
        vid: WatchAggregate(
            impressions=row["n"],
            completions=row["c"],
            watch_ratio_sum=row["w"] or 0.0,
            skips=row["s"],
        )
        for vid, row in _watch_aggregates(since).items()
    }
    recent = now - datetime.timedelta(days=LIST_DAYS)
    # Held back by reports: out of the trending and pool lists too (moderation.py).
    public = Video.objects.public().filter(created_at__gte=recent, report_held=False)
    tags: dict[int, list[int]] = defaultdict(list)
    tag_names: dict[int, str] = {}
    for vid, tag_id, name in TaggedVideo.objects.filter(
        content_object_id__in=public.values("pk")
    ).values_list("content_object_id", "tag_id", "tag__name"):
        tags[vid].append(tag_id)
        tag_names[tag_id] = name
    videos = {
        vid: VideoInfo(created_at=at.timestamp(), tag_ids=tuple(tags.get(vid, ())), sound_id=sound)
        for vid, at, sound in public.values_list("id", "created_at", "sound_id")
    }
    created: dict[int, float] = {}
    ids = list(watch)
    for start in range(0, len(ids), 5000):
        created.update(
            (vid, at.timestamp())
            for vid, at in Video.objects.filter(pk__in=ids[start : start + 5000]).values_list(
                "id", "created_at"
            )
        )
    histories = _histories(now)
    computed = compute(
        now=now.timestamp(),
        watch=watch,
        likes=_counts(Like.objects.filter(created_at__gte=since)),
        shares=_counts(Share.objects.filter(created_at__gte=since)),
        follows=_follow_attribution(since),
        trending_events=_trending_events(now),
        videos=videos,
        created=created,
        tag_names=tag_names,
        histories=histories,
    )
    trending = dict(computed.values[state.TRENDING])
    rows = [
        FeedStats(
            video_id=vid,
            impressions=row.impressions,
            completion=row.rates.completion,
            watch_ratio=row.rates.watch_ratio,
            skip_rate=row.rates.skip,
            like_rate=row.rates.like,
            share_rate=row.rates.share,
            follow_rate=row.rates.follow,
            trending=trending.get(vid, row.trending),
            stage=row.stage,
            updated_at=now,
        )
        for vid, row in computed.stats.items()
    ]
    fields = [
        "impressions",
        "completion",
        "watch_ratio",
        "skip_rate",
        "like_rate",
        "share_rate",
        "follow_rate",
        "trending",
        "stage",
        "updated_at",
    ]
    with transaction.atomic():
        for start in range(0, len(rows), 2000):
            FeedStats.objects.bulk_create(
                rows[start : start + 2000],
                update_conflicts=True,
                unique_fields=["video"],
                update_fields=fields,
            )
        FeedStats.objects.filter(updated_at__lt=now).delete()
    state.replace_all(computed.values)
    values = computed.values
    report = Report(
        videos_with_stats=len(rows),
        trending=len(values[state.TRENDING]),
        pool=len(values[state.POOL]),
        tag_lists=sum(1 for k in values if k.startswith("tag:")),
        sound_lists=sum(1 for k in values if k.startswith("sound:")),
        neighbour_lists=sum(1 for k in values if k.startswith("nn:")),
        seconds=round(time.monotonic() - started, 2),
    )
    logger.info("feed refresh: %s", report.as_dict())
    return report
