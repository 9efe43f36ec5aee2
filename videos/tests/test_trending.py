"""Trending maths on fixed numbers: growth over the last 24 h against the 7 days before."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from videos.models import Sound, Video
from videos.remix import trending


def test_growth_is_the_last_day_against_the_usual_daily_rate():
    # Steady: 7 a day for a week, 7 today.
    assert trending.growth(recent=7, previous=49) == pytest.approx(1.0)
    # Twice the usual rate.
    assert trending.growth(recent=14, previous=49) == pytest.approx(15 / 8)
    # From nothing: smoothed, so 2 new videos are not "infinitely" trending.
    assert trending.growth(recent=2, previous=0) == pytest.approx(3.0)
    # Fewer than usual.
    assert trending.growth(recent=1, previous=70) < 1


def test_rank_prefers_growth_over_size():
    counts = {
        "huge": (700, 4900),  # the biggest, but steady
        "rising": (40, 70),  # 10 a day before, 40 today
        "new": (6, 0),  # brand new
        "dying": (2, 140),  # shrinking
        "one": (1, 0),  # a single video is no trend
    }
    ranked = trending.rank(counts, limit=10)
    assert [t.key for t in ranked] == ["new", "rising"]
    assert ranked[0].score == pytest.approx(7.0)
    assert ranked[1].score == pytest.approx(41 / 11)


def test_rank_ties_and_limit_are_stable():
    counts = {"b": (4, 0), "a": (4, 0), "c": (9, 14)}
    ranked = trending.rank(counts, limit=10)
    # c: (9+1)/(2+1) = 3.33; a and b: 5.0, tied, by name.
    assert [t.key for t in ranked] == ["a", "b", "c"]
    assert [t.key for t in trending.rank(counts, limit=1)] == ["a"]


@pytest.mark.django_db
def test_trending_hashtags_and_sounds_count_public_videos_by_window(video_factory, user_factory):
    now = timezone.now()

    def at(hours_ago: float, **kwargs) -> Video:
        return video_factory(created_at=now - datetime.timedelta(hours=hours_ago), **kwargs)

    sound = Sound.objects.create(title="Hook", owner=user_factory())
    for h in (1, 2, 3, 5):
        at(h, tags=["rising"], sound=sound)
    for h in (30, 60, 90, 120):
        at(h, tags=["rising"])
    for h in range(1, 8):
        at(h * 24 + 5, tags=["steady"])  # one a day for a week …
    at(2, tags=["steady"])  # … and one today: steady
    at(1, tags=["hidden"], visibility=Video.Visibility.PRIVATE)
    at(2, tags=["hidden"], visibility=Video.Visibility.PRIVATE)
    at(24 * 10, tags=["old"])

    hashtags = trending.trending_hashtags(now=now)
    assert [h["name"] for h in hashtags] == ["rising"]
    assert (hashtags[0]["recent"], hashtags[0]["previous"]) == (4, 4)
    sounds = trending.trending_sounds(now=now)
    assert [(s, t.recent) for s, t in sounds] == [(sound, 4)]
