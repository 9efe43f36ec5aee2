"""Trending hashtags and sounds: growth over the last 24 hours against the 7 days before,
not all-time size. The maths are pure functions (tested on fixed numbers); the two
queries below only count rows."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from ..models import TaggedVideo, Video

RECENT = datetime.timedelta(hours=24)
BEFORE = datetime.timedelta(days=7)
# A hashtag needs this many new videos in the last 24 h to trend: one video is no trend.
MIN_RECENT = 2
# Smoothing (videos per day) so a tag going from 0 to 2 does not beat one going 50 to 400.
PRIOR = 1.0


@dataclass(frozen=True)
class Trend:
    key: object
    recent: int  # videos in the last 24 h
    previous: int  # videos in the 7 days before
    score: float


def growth(*, recent: int, previous: int, days_before: float = 7.0, prior: float = PRIOR) -> float:
    """How many times its usual daily rate the last day was: (recent + prior) over
    (previous / days_before + prior). 1 means steady; above 1, growing."""
    baseline = previous / days_before if days_before > 0 else 0.0
    return (recent + prior) / (baseline + prior)


def rank(
    counts: Mapping[object, tuple[int, int]],
    *,
    limit: int = 10,
    min_recent: int = MIN_RECENT,
    days_before: float = 7.0,
) -> list[Trend]:
    """counts: key → (recent, previous). The fastest growing first; ties go to the larger
    recent count, then to the key, so the order is stable."""
    trends = [
        Trend(
            key=key,
            recent=recent,
            previous=previous,
            score=growth(recent=recent, previous=previous, days_before=days_before),
        )
        for key, (recent, previous) in counts.items()
        if recent >= min_recent
    ]
    trends = [t for t in trends if t.score > 1.0]
    trends.sort(key=lambda t: (-t.score, -t.recent, str(t.key)))
    return trends[:limit]


def _windows(now: datetime.datetime | None):
    now = now or timezone.now()
    return now, now - RECENT, now - RECENT - BEFORE


def _counted(rows: Iterable[dict], key: str) -> dict:
    return {row[key]: (row["recent"], row["previous"]) for row in rows}


def trending_hashtags(*, now: datetime.datetime | None = None, limit: int = 10) -> list[dict]:
    """[{"name", "recent", "previous", "score"}] over public videos (the same for everyone)."""
    now, split, start = _windows(now)
    rows = (
        TaggedVideo.objects.filter(
            content_object__in=Video.objects.public().values("pk"),
            content_object__created_at__gte=start,
            content_object__created_at__lt=now,
        )
        .values("tag__name")
        .annotate(
            recent=Count("pk", filter=Q(content_object__created_at__gte=split)),
            previous=Count("pk", filter=Q(content_object__created_at__lt=split)),
        )
    )
    return [
        {"name": t.key, "recent": t.recent, "previous": t.previous, "score": round(t.score, 2)}
        for t in rank(_counted(rows, "tag__name"), limit=limit)
    ]


def trending_sounds(*, viewer=None, now: datetime.datetime | None = None, limit: int = 10):
    """[(Sound, Trend)] by videos made with each sound, among sounds viewer may see."""
    now, split, start = _windows(now)
    rows = (
        Video.objects.public()
        .filter(sound__isnull=False, created_at__gte=start, created_at__lt=now)
        .values("sound_id")
        .annotate(
            recent=Count("pk", filter=Q(created_at__gte=split)),
            previous=Count("pk", filter=Q(created_at__lt=split)),
        )
    )
    trends = rank(_counted(rows, "sound_id"), limit=limit * 2)
    from . import selectors

    sounds = selectors.visible_sounds(viewer=viewer).in_bulk([t.key for t in trends])
    return [(sounds[t.key], t) for t in trends if t.key in sounds][:limit]
