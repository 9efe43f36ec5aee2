"""The For You recommender end to end, on a real database: signals count at once, what must
never appear, pagination, exploration, cold start, the refresh, and query counts."""

from __future__ import annotations

import datetime
import io
import itertools
import re
import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from social.models import Block, Follow
from videos import engagement, selectors
from videos.feed import events, service
from videos.feed import state as feed_state
from videos.models import FeedStats, HiddenCreator, Interest, NotInterested, Video, WatchEvent

V = Video.Visibility


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Feed sessions and the precomputed state live in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def refresh() -> str:
    out = io.StringIO()
    call_command("feed_refresh", stdout=out)
    return out.getvalue()


def page(viewer, cursor=None, limit=6, **kwargs):
    return service.for_you(viewer=viewer, cursor=cursor, limit=limit, **kwargs)


def tags_of(videos) -> list[str]:
    return [v.hashtag_names[0] for v in videos]


def all_pages(viewer, limit=6, **kwargs) -> list[list[Video]]:
    pages, cursor = [], None
    while True:
        served = page(viewer, cursor, limit, **kwargs)
        pages.append(served.items)
        cursor = served.next_cursor
        if not cursor:
            return pages
        assert len(pages) < 100


def record(viewer, video, seconds, *, session_key=None, **kwargs):
    return events.watch_events_record(
        user=viewer,
        session_key=session_key,
        events=[events.WatchInput(public_id=video.public_id, watch_seconds=seconds, **kwargs)],
    )


def watched_at(viewer, video, when, *, completed=True):
    WatchEvent.objects.create(
        user=viewer,
        video=video,
        watch_seconds=video.duration,
        completed=completed,
        event_key=uuid.uuid4(),
        created_at=when,
    )


@pytest.fixture
def two_topics(video_factory, user_factory):
    """12 #dance videos, then 12 newer #cooking videos, each by its own creator."""
    now = timezone.now()
    dance = [
        video_factory(tags=["dance"], created_at=now - datetime.timedelta(hours=2, minutes=i))
        for i in range(12)
    ]
    cooking = [
        video_factory(tags=["cooking"], created_at=now - datetime.timedelta(hours=1, minutes=i))
        for i in range(12)
    ]
    return {"dance": dance, "cooking": cooking}


# --- signals count at once ---------------------------------------------------------------------
def test_a_like_changes_the_very_next_page(two_topics, user):
    first = page(user)
    assert tags_of(first.items) == ["cooking"] * 6  # nothing known yet: newest first
    engagement.like_create(user=user, video=two_topics["dance"][0])
    second = page(user, first.next_cursor)
    assert tags_of(second.items).count("dance") >= 5
    assert second.items[0].feed_reason == "You liked videos with #dance"


def test_a_long_watch_changes_the_very_next_page(two_topics, user):
    first = page(user)
    record(user, two_topics["dance"][3], 7.5, completed=True)
    second = page(user, first.next_cursor)
    assert tags_of(second.items).count("dance") >= 5
    assert second.items[0].feed_reason == "You watched #dance"
    assert two_topics["dance"][3] not in second.items  # just watched: not again


def test_quick_skips_push_a_topic_down(two_topics, user):
    first = page(user)
    for video in first.items[:3]:  # skipped three cooking videos in a row
        record(user, video, 0.4)
    assert WatchEvent.objects.filter(user=user, skipped=True).count() == 3
    second = page(user, first.next_cursor)
    assert tags_of(second.items).count("dance") >= 5


def test_not_interested_changes_the_very_next_page(two_topics, user):
    first = page(user, limit=3)
    events.not_interested_create(user=user, video=first.items[0])
    second = page(user, first.next_cursor, limit=6)
    assert tags_of(second.items).count("dance") >= 5
    rest = [v for p in all_pages(user) for v in p]
    assert first.items[0] not in rest


# --- what never appears ------------------------------------------------------------------------
def test_forbidden_content_never_appears_even_when_it_trends(user_factory, video_factory):
    viewer = user_factory()
    blocked, blocker, hidden_creator = user_factory(), user_factory(), user_factory()
    Block.objects.create(blocker=viewer, blocked=blocked)
    Block.objects.create(blocker=blocker, blocked=viewer)
    HiddenCreator.objects.create(user=viewer, creator=hidden_creator)
    followed_private = user_factory(is_private=True)
    Follow.objects.create(follower=viewer, followee=followed_private)
    allowed = [video_factory(tags=["ok"]) for _ in range(8)]
    forbidden = [
        video_factory(author=blocked, tags=["hot"]),
        video_factory(author=blocker, tags=["hot"]),
        video_factory(author=hidden_creator, tags=["hot"]),
        video_factory(is_hidden=True, tags=["hot"]),
        video_factory(visibility=V.PRIVATE, tags=["hot"]),
        video_factory(visibility=V.FOLLOWERS, tags=["hot"]),
        video_factory(author=user_factory(is_private=True), tags=["hot"]),
        video_factory(author=followed_private, tags=["hot"]),  # For You is public only
        video_factory(author=user_factory(is_active=False), tags=["hot"]),
        video_factory(status=Video.Status.PROCESSING, file="", poster="", tags=["hot"]),
        video_factory(status=Video.Status.FAILED, file="", poster="", tags=["hot"]),
    ]
    not_interested = video_factory(tags=["hot"])
    NotInterested.objects.create(user=viewer, video=not_interested)
    forbidden.append(not_interested)
    # Everyone else loves the forbidden ones (they trend, they are neighbours), and so did
    # the viewer once: hashtags, creators and co-engagement all point at them.
    fans = [user_factory() for _ in range(3)]
    for fan in fans:
        for video in forbidden:
            watched_at(fan, video, timezone.now())
    watched_at(viewer, allowed[0], timezone.now() - datetime.timedelta(days=20))
    refresh()
    assert feed_state.get_many([feed_state.TRENDING])[feed_state.TRENDING]
    for share in (0.0, 0.5, 1.0):
        served = [v for p in all_pages(viewer, share=share) for v in p]
        assert sorted(v.pk for v in served) == sorted(v.pk for v in allowed), share
    # The HTML page and the API agree.
    client = APIClient()
    client.force_authenticate(viewer)
    response = client.get("/api/v1/feed/for-you/?page_size=50")
    assert {item["public_id"] for item in response.json()["results"]} == {
        v.public_id for v in allowed
    }


def test_watched_in_the_last_14_days_not_again_unless_liked(user, video_factory):
    now = timezone.now()
    recent, liked, old, fresh = (video_factory(tags=["x"]) for _ in range(4))
    watched_at(user, recent, now - datetime.timedelta(days=3))
    watched_at(user, liked, now - datetime.timedelta(days=1))
    engagement.like_create(user=user, video=liked)
    watched_at(user, old, now - datetime.timedelta(days=15))
    served = {v.pk for p in all_pages(user) for v in p}
    assert served == {liked.pk, old.pk, fresh.pk}


def test_hidden_creator_and_block_apply_from_the_next_page(user, user_factory, video_factory):
    creators = [user_factory() for _ in range(4)]
    for i in range(16):
        video_factory(author=creators[i % 4], tags=["x"])
    first = page(user, limit=4)
    events.creator_hide(user=user, creator=creators[0])
    Block.objects.create(blocker=creators[1], blocked=user)
    rest = [v for p in all_pages(user) for v in p]
    second = page(user, first.next_cursor, limit=20).items
    assert {v.author_id for v in second} <= {creators[2].pk, creators[3].pk}
    assert {v.author_id for v in rest} <= {creators[2].pk, creators[3].pk}


# --- pagination --------------------------------------------------------------------------------
def test_pages_never_repeat_and_reach_everything(user, user_factory, video_factory):
    creators = [user_factory() for _ in range(8)]
    videos = [video_factory(author=creators[i % 8], tags=[f"t{i % 5}"]) for i in range(40)]
    seen: list[int] = []
    cursor = None
    for n in range(20):
        served = page(user, cursor)
        seen.extend(v.pk for v in served.items)
        if n == 2:  # signals arriving mid-scroll change the ranking, not the no-repeat rule
            engagement.like_create(user=user, video=served.items[0])
            record(user, served.items[1], 7.5)
        cursor = served.next_cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == len(videos)


def test_no_two_in_a_row_from_one_creator_across_pages(user, user_factory, video_factory):
    a, b = user_factory(), user_factory()
    for i in range(10):
        video_factory(author=a if i < 7 else b, tags=["x"])
    order = [v.author_id for p in all_pages(user, limit=2) for v in p]
    assert len(order) == 10
    runs = sum(1 for x, y in itertools.pairwise(order) if x == y)
    # 7 by one creator and 3 by the other: at least 3 repeats are unavoidable, never more.
    assert runs == 3


def test_a_retried_page_comes_back_the_same(user, video_factory):
    for _ in range(20):
        video_factory()
    first = page(user)
    again = page(user, first.next_cursor)
    assert [v.pk for v in page(user, first.next_cursor).items] == [v.pk for v in again.items]
    assert service.served_ids(again.next_cursor, user)[:6] == [v.pk for v in first.items]


def test_cursors_are_opaque_signed_and_bound_to_the_viewer(user, user_factory, video_factory):
    for _ in range(10):
        video_factory()
    cursor = page(user).next_cursor
    assert len(cursor) <= service.CURSOR_MAX_LENGTH
    other = user_factory()
    for bad in [cursor[:-2] + "xx", "x", "A" * 500, cursor + "A"]:
        with pytest.raises(selectors.BadCursor):
            page(user, bad)
    with pytest.raises(selectors.BadCursor):
        page(other, cursor)
    with pytest.raises(selectors.BadCursor):
        page(None, cursor)


def test_bad_cursor_is_a_400_everywhere(client, user, video_factory):
    for _ in range(10):
        video_factory()
    cursor = page(None).next_cursor
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/v1/feed/for-you/?cursor={cursor}")  # someone else's cursor
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"cursor": ["That page link is not valid."]}
    assert client.get(f"/?cursor={cursor}x").status_code == 400


# --- exploration -------------------------------------------------------------------------------
@pytest.fixture
def established_and_new(video_factory, user_factory):
    """30 proven videos (great smoothed rates, out of the pool) and 30 new ones being tested."""
    old = timezone.now() - datetime.timedelta(days=30)
    proven = []
    for i in range(30):
        video = video_factory(tags=["x"], created_at=old - datetime.timedelta(minutes=i))
        FeedStats.objects.create(
            video=video,
            impressions=3000,
            completion=0.8,
            watch_ratio=0.85,
            like_rate=0.12,
            share_rate=0.02,
            follow_rate=0.01,
            skip_rate=0.1,
            stage=FeedStats.Stage.RETIRED,
        )
        proven.append(video)
    new = [video_factory(tags=["x"], author=user_factory()) for _ in range(30)]
    return {"proven": {v.pk for v in proven}, "new": {v.pk for v in new}}


@pytest.mark.parametrize(("share", "expected"), [(0.0, 0), (0.15, 3), (0.25, 5), (0.5, 10)])
def test_exploration_share_is_configurable(established_and_new, share, expected):
    served = page(None, limit=20, share=share).items
    new = [v for v in served if v.pk in established_and_new["new"]]
    assert len(new) == expected
    assert all(v.feed_reason == "New creator" for v in new)


def test_exploration_share_default_and_setting(client, established_and_new, settings):
    def explored(response) -> int:
        ids = re.findall(r'data-video="([^"]+)"', response.content.decode())
        pks = set(Video.objects.filter(public_id__in=ids).values_list("pk", flat=True))
        return len(pks & established_and_new["new"])

    api = APIClient()
    body = api.get("/api/v1/feed/for-you/?page_size=20").json()
    codes = [item["reason"]["code"] for item in body["results"]]
    assert codes.count("new_creator") == 3  # the default: 15 %
    settings.FEED_EXPLORATION_SHARE = 0.5
    assert explored(client.get("/")) == 3  # 6 slides, every other one explores


# --- cold start --------------------------------------------------------------------------------
def test_anonymous_viewers_get_trending_then_adapt_in_their_session(
    client, two_topics, user_factory
):
    hot = two_topics["dance"][11]  # the oldest of all, but everyone finished it today
    for fan in [user_factory() for _ in range(5)]:
        watched_at(fan, hot, timezone.now())
    refresh()
    first = client.get("/")
    slides = re.findall(r'data-video="([^"]+)"', first.content.decode())
    assert slides[0] == hot.public_id
    assert "Trending" in first.content.decode()
    # Watching in this anonymous session shapes the next page.
    for video in two_topics["cooking"][:2]:
        response = client.post(
            f"/api/v1/videos/{video.public_id}/views/",
            {"watch_seconds": 7.5, "source": "for_you"},
            content_type="application/json",
        )
        assert response.status_code == 201
    assert WatchEvent.objects.filter(user=None).exclude(session_hash="").count() == 2
    second = client.get("/")
    ids = re.findall(r'data-video="([^"]+)"', second.content.decode())
    chosen = Video.objects.filter(public_id__in=ids[:6])
    assert sum(1 for v in chosen if v.hashtag_names == ["cooking"]) >= 5
    assert two_topics["cooking"][0].public_id not in ids  # watched: not again


def test_new_signed_in_viewer_picks_interests_or_skips(client, two_topics, user_factory):
    viewer = user_factory()
    client.force_login(viewer)
    html = client.get("/").content.decode()
    assert 'action="/interests/"' in html and "What do you like to watch?" in html
    dance_tag = two_topics["dance"][0].tags.get()
    response = client.post("/interests/", {"tags": [str(dance_tag.pk), "nope", "99999"]})
    assert response.status_code == 302 and response["Location"] == "/"
    assert list(Interest.objects.filter(user=viewer).values_list("tag_id", flat=True)) == [
        dance_tag.pk
    ]
    html = client.get("/").content.decode()
    assert "What do you like to watch?" not in html
    ids = re.findall(r'data-video="([^"]+)"', html)
    first = Video.objects.get(public_id=ids[0])
    assert first.hashtag_names == ["dance"]
    assert "You chose #dance" in html

    other = user_factory()
    client.force_login(other)
    assert "What do you like to watch?" in client.get("/").content.decode()
    client.post("/interests/", {"skip": "1"})
    assert "What do you like to watch?" not in client.get("/").content.decode()
    assert not Interest.objects.filter(user=other).exists()


def test_interests_need_login(client, db):
    response = client.post("/interests/", {"skip": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_own_fresh_video_opens_the_uploaders_feed(user, user_factory, video_factory):
    others = [video_factory(created_at=timezone.now()) for _ in range(5)]
    mine = video_factory(author=user, created_at=timezone.now() - datetime.timedelta(hours=2))
    served = page(user).items
    assert served[0] == mine and served[0].feed_reason == "Your new video"
    assert set(others) <= set(served)
    # Only the uploader: a private account's own video reaches nobody else's For You.
    user.is_private = True
    user.save()
    assert page(user).items[0] == mine
    assert mine not in page(user_factory()).items
    # Once they watched it, it is not pinned again.
    watched_at(user, mine, timezone.now())
    assert mine not in page(user).items


# --- the refresh -------------------------------------------------------------------------------
def test_refresh_command_reports(video_factory):
    video_factory(tags=["x"])
    out = refresh()
    assert "pool: 1" in out and "tag_lists: 1" in out and "seconds:" in out


def test_refresh_learns_neighbours_stats_and_pool(user_factory, video_factory):
    a = video_factory(tags=["one"])
    b = video_factory(tags=["two"])
    filler = [video_factory(tags=["three"]) for _ in range(20)]
    fans = [user_factory() for _ in range(4)]
    for fan in fans:
        watched_at(fan, a, timezone.now())
        watched_at(fan, b, timezone.now())
        watched_at(fan, filler[0], timezone.now(), completed=False)
    refresh()
    stats = FeedStats.objects.get(video=a)
    assert stats.impressions == 4 and stats.completion > 0.35
    assert FeedStats.objects.get(video=filler[0]).completion < stats.completion
    nn = feed_state.get_many([feed_state.neighbour_key(a.pk)])[feed_state.neighbour_key(a.pk)]
    assert nn[0][0] == b.pk
    pool = feed_state.get_many([feed_state.POOL])[feed_state.POOL]
    assert set(pool) >= {v.pk for v in filler[1:]}  # untested new videos are in the pool
    # A viewer who finishes A gets B next, and is told why.
    viewer = user_factory()
    record(viewer, a, 7.5)
    served = page(viewer).items
    assert served[0] == b
    assert served[0].feed_reason == "Viewers who finished what you watched also watched this"


def test_refresh_reaches_other_processes_through_the_table(user_factory, video_factory):
    video = video_factory(tags=["x"])
    watched_at(user_factory(), video, timezone.now())
    refresh()
    cache.clear()  # another process: its cache has never seen the refresh
    got = feed_state.get_many([feed_state.TRENDING, feed_state.REFRESHED])
    assert got[feed_state.TRENDING][0][0] == video.pk
    call_command("feed_refresh", "--clear", stdout=io.StringIO())
    assert feed_state.get_many([feed_state.TRENDING]) == {}


def test_beat_schedules_the_refresh_next_to_other_jobs(settings):
    from tiktok.celery import app

    app.loader.import_default_modules()  # what a worker or beat does on start
    app.finalize()
    schedule = app.conf.beat_schedule
    assert schedule["feed-refresh"]["task"] == "videos.feed_refresh"
    assert set(getattr(settings, "CELERY_BEAT_SCHEDULE", {})) <= set(schedule)
    assert "videos.feed_refresh" in app.tasks


# --- cost --------------------------------------------------------------------------------------
def _fill(video_factory, user_factory, n):
    creators = [user_factory() for _ in range(3)]
    for i in range(n):
        video_factory(author=creators[i % 3], tags=[f"t{i % 4}", "all"])


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# A signed-in viewer with history: session, user; watches, relations, engagement, their
# videos' hashtags; the precomputed state (one read: the refresh put it in the cache, so 0
# queries); own video, creators, fresh; candidates' features and hashtags; the cards and
# their hashtags. The HTML page adds liked ids, followed ids and the unread count.
FOR_YOU_API_QUERIES = 15  # + the viewer's hashtag/sound taps
FOR_YOU_HTML_QUERIES = 18


def test_serving_a_page_costs_constant_queries(client, user, user_factory, video_factory):
    _fill(video_factory, user_factory, 5)
    liked = Video.objects.first()
    engagement.like_create(user=user, video=liked)
    record(user, Video.objects.last(), 7.5)
    Follow.objects.create(follower=user, followee=liked.author)
    refresh()
    client.force_login(user)
    api = APIClient()
    api.force_login(user)
    small = (_queries(client, "/"), _queries(api, "/api/v1/feed/for-you/?page_size=50"))
    _fill(video_factory, user_factory, 45)
    refresh()
    large = (_queries(client, "/"), _queries(api, "/api/v1/feed/for-you/?page_size=50"))
    assert small == large == (FOR_YOU_HTML_QUERIES, FOR_YOU_API_QUERIES)
