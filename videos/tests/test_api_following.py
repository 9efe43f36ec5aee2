"""GET api/v1/feed/following/: the Following feed through the API, with the HTML page's rules."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from social.graph import block_create, follow_create
from videos.models import Video

URL = "/api/v1/feed/following/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def as_user(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def ids(response) -> list[str]:
    return [item["public_id"] for item in response.json()["results"]]


def test_following_feed_shows_followed_accounts_newest_first(user_factory, video_factory):
    me, maya, leo, stranger = (user_factory() for _ in range(4))
    follow_create(follower=me, followee=maya)
    follow_create(follower=me, followee=leo)
    older = video_factory(author=maya)
    newer = video_factory(author=leo)
    newer.created_at = older.created_at.replace(year=older.created_at.year + 1)
    newer.save(update_fields=["created_at"])
    video_factory(author=stranger)  # not followed
    video_factory(author=maya, visibility=Video.Visibility.PRIVATE)  # private
    video_factory(author=maya, is_hidden=True)  # hidden by moderators
    video_factory(author=maya, status=Video.Status.PROCESSING)  # not ready
    response = as_user(me).get(URL)
    assert response.status_code == 200
    assert ids(response) == [newer.public_id, older.public_id]
    item = response.json()["results"][0]
    assert item["author"]["username"] == leo.username
    assert item["url"].startswith("http://testserver/")


def test_following_feed_pages_with_a_cursor_in_constant_queries(user_factory, video_factory):
    me, maya = user_factory(), user_factory()
    follow_create(follower=me, followee=maya)
    videos = [video_factory(author=maya) for _ in range(5)]
    videos[0].duet_of = videos[1]
    videos[0].save(update_fields=["duet_of"])
    client = as_user(me)
    first = client.get(URL, {"page_size": 2})
    assert len(ids(first)) == 2
    seen = ids(first)
    next_url = first.json()["next"]
    while next_url:
        page = client.get(next_url)
        seen += ids(page)
        next_url = page.json()["next"]
    assert sorted(seen) == sorted(v.public_id for v in videos)
    assert len(set(seen)) == 5
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"page_size": 1})
    with CaptureQueriesContext(connection) as large:
        client.get(URL, {"page_size": 5})
    assert len(large) == len(small)


def test_following_feed_hides_blocked_and_needs_a_login(user_factory, video_factory):
    me, maya = user_factory(), user_factory()
    follow_create(follower=me, followee=maya)
    video_factory(author=maya)
    block_create(blocker=maya, blocked=me)
    assert ids(as_user(me).get(URL)) == []
    anonymous = APIClient().get(URL)
    assert anonymous.status_code == 403
    assert anonymous.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("query", [{"cursor": "not-a-cursor"}, {"page_size": "many"}])
def test_following_feed_bad_input_is_a_400(user, query):
    response = as_user(user).get(URL, query)
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert set(body["fields"]) == set(query)
