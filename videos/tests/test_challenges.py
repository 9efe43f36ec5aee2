"""Challenges: entries inside the window only, the leaderboard's order, /challenges/
sections, the banner and Join on the hashtag page, the API; the hashtag page's counts and
Top / Newest tabs."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from social.models import Block
from videos.models import Challenge, Sound, Video
from videos.remix import selectors as remix_selectors

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def make_challenge(*, hashtag="dance", starts=-2, ends=5, **fields) -> Challenge:
    now = timezone.now()
    fields.setdefault("slug", f"{hashtag}-{starts}-{ends}".replace("--", "-m"))
    fields.setdefault("title", f"The {hashtag} challenge")
    return Challenge.objects.create(
        hashtag=hashtag, starts_at=now + starts * DAY, ends_at=now + ends * DAY, **fields
    )


@pytest.fixture
def challenge():
    return make_challenge(description="Show us your moves", rules="One per person")


def entry(video_factory, *, days_ago: float, likes=0, comments=0, shares=0, tags=("dance",), **kw):
    return video_factory(
        tags=list(tags),
        created_at=timezone.now() - datetime.timedelta(days=days_ago),
        likes_count=likes,
        comments_count=comments,
        shares_count=shares,
        **kw,
    )


# --- entries and leaderboard ----------------------------------------------------------------------
def test_entries_are_the_hashtags_visible_videos_inside_the_window(challenge, video_factory):
    inside = [entry(video_factory, days_ago=d) for d in (0.1, 1, 1.9)]
    entry(video_factory, days_ago=3)  # before it started
    entry(video_factory, days_ago=1, tags=["other"])  # another hashtag
    entry(video_factory, days_ago=1, visibility=Video.Visibility.PRIVATE)
    entry(video_factory, days_ago=1, is_hidden=True)
    entry(video_factory, days_ago=1, status=Video.Status.PROCESSING)
    got = set(remix_selectors.challenge_entries(viewer=None, challenge=challenge))
    assert got == set(inside)


def test_entries_after_the_end_do_not_count(video_factory):
    ended = make_challenge(starts=-10, ends=-3)
    kept = entry(video_factory, days_ago=5)
    entry(video_factory, days_ago=2)
    entry(video_factory, days_ago=11)
    assert list(remix_selectors.challenge_entries(viewer=None, challenge=ended)) == [kept]


def test_hashtag_case_does_not_matter(video_factory):
    challenge = make_challenge(hashtag="DanceOff")
    video = entry(video_factory, days_ago=1, tags=["danceoff"])
    assert list(remix_selectors.challenge_entries(viewer=None, challenge=challenge)) == [video]


def test_leaderboard_ranks_by_likes_plus_two_comments_plus_three_shares(challenge, video_factory):
    a = entry(video_factory, days_ago=1.5, likes=10)  # 10
    b = entry(video_factory, days_ago=1.4, comments=4)  # 8
    c = entry(video_factory, days_ago=1.3, shares=4)  # 12
    d = entry(video_factory, days_ago=1.2, likes=2, comments=1, shares=2)  # 10, later than a
    outside = entry(video_factory, days_ago=4, likes=1000)
    board = remix_selectors.challenge_leaderboard(viewer=None, challenge=challenge)
    assert board == [c, a, d, b]
    assert [v.engagement for v in board] == [12, 10, 10, 8]
    assert outside not in board
    assert remix_selectors.engagement_score(likes=2, comments=1, shares=2) == 10
    assert (
        len(remix_selectors.challenge_leaderboard(viewer=None, challenge=challenge, limit=2)) == 2
    )


def test_leaderboard_leaves_out_blocked_authors(challenge, video_factory, user_factory):
    viewer = user_factory()
    blocked = entry(video_factory, days_ago=1, likes=50)
    kept = entry(video_factory, days_ago=1, likes=1)
    Block.objects.create(blocker=viewer, blocked=blocked.author)
    assert remix_selectors.challenge_leaderboard(viewer=viewer, challenge=challenge) == [kept]


# --- /challenges/ ---------------------------------------------------------------------------------
def test_challenges_page_lists_active_upcoming_and_past(client):
    active = make_challenge(hashtag="now", title="Now running", featured=True)
    upcoming = make_challenge(hashtag="soon", starts=3, ends=9, title="Coming soon")
    past = make_challenge(hashtag="gone", starts=-9, ends=-1, title="All over")
    sections = remix_selectors.challenge_sections()
    assert (sections.active, sections.upcoming, sections.past) == ([active], [upcoming], [past])
    page = client.get("/challenges/").content.decode()
    now_at, soon_at, past_at = (page.index(t) for t in ("Now running", "Coming soon", "All over"))
    assert page.index('id="active"') < now_at < page.index('id="upcoming"') < soon_at
    assert page.index('id="past"') < past_at
    assert 'href="/tag/now/"' in page


def test_challenges_page_query_count_is_constant(client):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/challenges/").status_code == 200
        return len(ctx.captured_queries)

    make_challenge(hashtag="a")
    small = count()
    for i in range(10):
        make_challenge(hashtag=f"b{i}", starts=i - 5, ends=i - 2 if i < 5 else i + 3)
    assert count() == small


# --- the hashtag page -----------------------------------------------------------------------------
def test_hashtag_page_shows_counts_banner_and_join(client, challenge, video_factory, user_factory):
    sound = Sound.objects.create(title="Beat", owner=user_factory())
    Challenge.objects.filter(pk=challenge.pk).update(sound=sound)
    entry(video_factory, days_ago=1, views_count=1500)
    entry(video_factory, days_ago=1, views_count=600)
    entry(video_factory, days_ago=1, visibility=Video.Visibility.PRIVATE, views_count=99)
    page = client.get("/tag/dance/").content.decode()
    assert "#dance" in page
    assert "2 videos" in page and "2.1K views" in page
    assert "The dance challenge" in page and "Show us your moves" in page
    assert f'href="/upload/?tag=dance&amp;sound={sound.public_id}"' in page
    assert ">Join<" in page


def test_past_challenge_banner_has_no_join(client, video_factory):
    make_challenge(hashtag="old", starts=-9, ends=-1)
    entry(video_factory, days_ago=1, tags=["old"])
    page = client.get("/tag/old/").content.decode()
    assert "This challenge has ended." in page
    assert ">Join<" not in page


def test_join_prefills_the_upload(client, challenge, user):
    client.force_login(user)
    page = client.get("/upload/?tag=dance").content.decode()
    assert "#dance </textarea>" in page


def test_hashtag_tabs_top_and_newest(client, video_factory):
    low = entry(video_factory, days_ago=0.1, likes=1)
    high = entry(video_factory, days_ago=3, likes=10)
    mid = entry(video_factory, days_ago=2, comments=3)
    top = client.get("/tag/dance/").content.decode()
    order = [top.index(f'data-video="{v.public_id}"') for v in (high, mid, low)]
    assert order == sorted(order)
    assert 'aria-current="page">Top<' in top
    newest = client.get("/tag/dance/?tab=newest").content.decode()
    order = [newest.index(f'data-video="{v.public_id}"') for v in (low, mid, high)]
    assert order == sorted(order)
    assert 'aria-current="page">Newest<' in newest


def test_hashtag_top_pages_by_offset_without_repeats(client, video_factory):
    videos = [entry(video_factory, days_ago=1, likes=i) for i in range(9)]
    first = client.get("/tag/dance/").content.decode()
    assert "offset=6" in first
    second = client.get("/tag/dance/?tab=top&offset=6&fragment=1").content.decode()
    shown = [v for v in videos if f'data-video="{v.public_id}"' in second]
    assert shown == videos[:3]
    assert client.get("/tag/dance/?tab=top&offset=abc").status_code == 200


def test_hashtag_page_query_count_is_constant(client, challenge, video_factory):
    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        entry(video_factory, days_ago=1, likes=i)
    small = (count("/tag/dance/"), count("/tag/dance/?tab=newest"))
    for i in range(12):
        entry(video_factory, days_ago=1, likes=i)
    assert (count("/tag/dance/"), count("/tag/dance/?tab=newest")) == small


# --- API ------------------------------------------------------------------------------------------
def test_api_lists_challenges_by_section(client):
    make_challenge(hashtag="now")
    make_challenge(hashtag="soon", starts=1, ends=3)
    body = client.get("/api/v1/challenges/").json()
    assert [c["hashtag"] for c in body["active"]] == ["now"]
    assert [c["hashtag"] for c in body["upcoming"]] == ["soon"]
    assert body["past"] == []
    assert body["active"][0]["state"] == "active"


def test_api_challenge_detail_has_the_leaderboard(client, challenge, video_factory):
    a = entry(video_factory, days_ago=1, likes=3)
    b = entry(video_factory, days_ago=1, shares=2)
    entry(video_factory, days_ago=9, likes=99)
    body = client.get(f"/api/v1/challenges/{challenge.slug}/").json()
    assert body["title"] == "The dance challenge" and body["rules"] == "One per person"
    assert body["entries"] == 2
    assert [(e["rank"], e["engagement"], e["video"]["public_id"]) for e in body["leaderboard"]] == [
        (1, 6, b.public_id),
        (2, 3, a.public_id),
    ]
    assert client.get("/api/v1/challenges/nope/").status_code == 404
