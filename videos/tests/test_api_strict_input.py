"""Input the schema forbids is refused, as schemathesis's stateful run found it was not:
lengths count what was sent (not what is left after trimming), repeated query parameters."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from videos.models import CAPTION_MAX_LENGTH, Comment


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


def assert_invalid(response, field: str):
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert field in body["fields"], body


def test_caption_too_long_with_trailing_spaces_is_refused(user_factory, video_factory):
    author = user_factory()
    video = video_factory(author=author, caption="before")
    client = as_user(author)
    url = f"/api/v1/videos/{video.public_id}/"
    padded = "new" + "\u00a0" * CAPTION_MAX_LENGTH  # trims to "new"
    assert_invalid(client.patch(url, {"caption": padded}, format="json"), "caption")
    video.refresh_from_db()
    assert video.caption == "before"
    # Exactly the limit, spaces included, is still fine.
    exact = "new" + " " * (CAPTION_MAX_LENGTH - 3)
    response = client.patch(url, {"caption": exact}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["caption"] == "new"


def test_comment_text_counts_what_was_sent_and_must_be_a_string(user_factory, video_factory):
    video = video_factory()
    client = as_user(user_factory())
    url = f"/api/v1/videos/{video.public_id}/comments/"
    padded = "hi" + " " * Comment.MAX_LENGTH
    assert_invalid(client.post(url, {"text": padded}, format="json"), "text")
    assert_invalid(client.post(url, {"text": 12345}, format="json"), "text")
    assert_invalid(client.post(url, {"text": "ok", "parent": 7}, format="json"), "parent")
    assert not Comment.objects.filter(video=video).exists()
    # Form bodies still work, and a normal comment is trimmed as before.
    response = client.post(url, {"text": "  nice  "})
    assert response.status_code == 201, response.content
    assert response.json()["text"] == "nice"


def test_upload_caption_over_the_limit_is_refused(user_factory):
    client = as_user(user_factory())
    response = client.post(
        "/api/v1/videos/",
        {"caption": "x" + " " * CAPTION_MAX_LENGTH, "file": b""},
        format="multipart",
    )
    assert response.status_code == 400
    assert "caption" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/videos/?page_size=2&page_size=3",
        "/api/v1/videos/?author=a&author=b",
        "/api/v1/sounds/?q=a&q=b",
        "/api/v1/me/?x=1&x=2",
    ],
)
def test_repeated_query_parameters_are_refused(user, path):
    response = as_user(user).get(path)
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "invalid"
    [name] = body["fields"]
    assert name in path


def test_single_query_parameters_and_html_pages_are_unaffected(client, user):
    assert as_user(user).get("/api/v1/videos/?page_size=2&author=x").status_code == 200
    # Outside the API a repeated parameter is the page's business.
    assert client.get("/?x=1&x=2").status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("allow_sound_reuse", "1"),
        ("allow_duet", "yes"),
        ("allow_comments", "on"),
        ("visibility", "everyone"),
        ("sound_offset", "soon"),
        ("layout", "diagonal"),
    ],
)
def test_upload_form_fields_take_only_documented_values(user_factory, field, value):
    client = as_user(user_factory())
    response = client.post(
        "/api/v1/videos/", {"file": b"not checked first", field: value}, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_followers_are_cursor_paginated_by_username(user_factory):
    from social.graph import follow_create

    star = user_factory(username="star")
    names = [f"fan{n:02d}" for n in range(7)]
    for name in reversed(names):
        follow_create(follower=user_factory(username=name), followee=star)
    client = as_user(user_factory())
    seen, url = [], "/api/v1/users/star/followers/?page_size=3"
    pages = 0
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 3
        seen += [item["username"] for item in body["results"]]
        url = body["next"]
        pages += 1
    assert seen == names
    assert pages == 3
    for bad in ("?page_size=true", "?cursor=%25%25%25", "?cursor=" + "A" * 80):
        response = client.get(f"/api/v1/users/star/followers/{bad}")
        assert response.status_code == 400, (bad, response.content)
