"""Suggested accounts: who is suggested, in which order, in one query; the strip on /following/
and /discover/; GET /api/v1/users/suggested/ with its hostile inputs."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from social import graph
from social.models import Follow, User
from social.selectors import users_suggested
from social.services import user_create

pytestmark = pytest.mark.django_db


def born(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1) - datetime.timedelta(days=40)


def names(users) -> list[str]:
    return [u.username for u in users]


@pytest.fixture
def world(user_factory):
    w = {name: user_factory(username=name) for name in ("me", "a", "b", "fof1", "fof2", "pop")}
    w["teen"] = user_factory(username="teen", birthdate=born(15), is_private=False)
    w["sixteen"] = user_factory(username="sixteen", birthdate=born(16))
    w["gone"] = user_factory(username="gone", is_active=False)
    w["blocker"] = user_factory(username="blocker")
    w["blocked"] = user_factory(username="blocked")
    w["asked"] = user_factory(username="asked", is_private=True)
    me = w["me"]
    graph.follow_create(follower=me, followee=w["a"])
    graph.follow_create(follower=me, followee=w["b"])
    # fof1 is followed by both of my follows, fof2 by one, the teen by both.
    for follower, followee in [
        ("a", "fof1"),
        ("b", "fof1"),
        ("a", "fof2"),
        ("a", "teen"),
        ("b", "teen"),
        ("a", "gone"),
        ("a", "blocker"),
        ("a", "blocked"),
    ]:
        Follow.objects.create(follower=w[follower], followee=w[followee])
    User.objects.filter(pk=w["pop"].pk).update(followers_count=500)
    User.objects.filter(pk=w["sixteen"].pk).update(followers_count=100)
    graph.block_create(blocker=w["blocker"], blocked=me)
    graph.block_create(blocker=me, blocked=w["blocked"])
    graph.follow_create(follower=me, followee=w["asked"])  # a pending request
    return w


def test_friends_of_friends_first_then_popular_and_never_the_excluded(world):
    got = users_suggested(viewer=world["me"], limit=30)
    assert names(got)[:4] == ["fof1", "fof2", "pop", "sixteen"]
    assert [u.mutuals for u in got[:2]] == [2, 1]
    for never in ("me", "a", "b", "teen", "gone", "blocker", "blocked", "asked"):
        assert never not in names(got)


def test_anonymous_gets_popular_creators_without_teens(world):
    got = names(users_suggested(viewer=None, limit=3))
    assert got[:2] == ["pop", "sixteen"]
    assert "teen" not in names(users_suggested(viewer=None, limit=30))


def test_one_query_however_many_follows_and_blocks(world, user_factory):
    with CaptureQueriesContext(connection) as ctx:
        users_suggested(viewer=world["me"], limit=10)
    first = len(ctx)
    for _ in range(5):
        other = user_factory()
        graph.follow_create(follower=world["me"], followee=other)
        graph.block_create(blocker=user_factory(), blocked=world["me"])
    with CaptureQueriesContext(connection) as ctx:
        users_suggested(viewer=world["me"], limit=10)
    assert len(ctx) == first == 1


@pytest.mark.parametrize("limit, count", [(0, 0), (-5, 0), (2, 2), (10_000, 30)])
def test_limit_is_clamped(user_factory, limit, count):
    for _ in range(32):
        user_factory()
    assert len(users_suggested(viewer=None, limit=limit)) == count


# --- pages ------------------------------------------------------------------------------------
def test_following_empty_state_shows_the_strip_with_follow_buttons(client, world):
    client.force_login(world["me"])
    Follow.objects.filter(follower=world["me"]).delete()
    html = client.get("/following/").content.decode()
    assert "Suggested accounts" in html
    assert 'action="/@fof1/action/"' in html
    assert "@teen" not in html
    response = client.post("/@pop/action/", {"action": "follow", "next": "/following/"})
    assert response.status_code == 302 and response["Location"] == "/following/"
    assert Follow.objects.filter(follower=world["me"], followee=world["pop"]).exists()


def test_follow_from_the_strip_never_redirects_off_site(client, world):
    client.force_login(world["me"])
    for evil in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post("/@pop/action/", {"action": "follow", "next": evil})
        assert response.status_code == 302
        assert response["Location"] == "/@pop/"


def test_discover_shows_suggestions(client, world):
    client.force_login(world["me"])
    html = client.get("/discover/").content.decode()
    assert "Suggested accounts" in html and "@fof1" in html and "@teen" not in html


# --- API ------------------------------------------------------------------------------------
def authed(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_api_suggested(world):
    body = authed(world["me"]).get("/api/v1/users/suggested/", {"limit": 2}).json()
    assert [(u["username"], u["mutuals"]) for u in body["results"]] == [("fof1", 2), ("fof2", 1)]
    assert set(body["results"][0]) == {"username", "display_name", "avatar", "followers", "mutuals"}
    anon = APIClient().get("/api/v1/users/suggested/").json()["results"]
    assert "teen" not in [u["username"] for u in anon]


@pytest.mark.parametrize("limit", ["0", "31", "-1", "abc", "1e3", "١٢", "9" * 50, "", " 5"])
def test_api_suggested_bad_limit(world, limit):
    response = authed(world["me"]).get("/api/v1/users/suggested/", {"limit": limit})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"limit": ["Enter a whole number from 1 to 30."]}


def test_api_suggested_nul_byte(world):
    response = authed(world["me"]).get("/api/v1/users/suggested/", {"limit": "5\x00"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "The request contains characters we cannot accept."
    )


def test_suggested_is_a_reserved_username():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        user_create(username="Suggested", email="s@example.com", password="x", birthdate=born(30))
    assert exc.value.message_dict == {"username": ["That username is taken."]}


def test_banned_and_suspended_accounts_are_not_suggested_until_a_suspension_ends(world):
    now = timezone.now()
    User.objects.filter(pk=world["fof1"].pk).update(banned_at=now)
    User.objects.filter(pk=world["pop"].pk).update(suspended_until=now + datetime.timedelta(days=2))
    User.objects.filter(pk=world["fof2"].pk).update(
        suspended_until=now - datetime.timedelta(minutes=1)
    )
    got = names(users_suggested(viewer=world["me"], limit=30))
    assert got[:2] == ["fof2", "sixteen"]
    assert "fof1" not in got and "pop" not in got
