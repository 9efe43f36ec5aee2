"""django-filter on the video lists: author, hashtag, sound, created before/after; 400s."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from videos.models import Sound, Video


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["public_id"] for item in response.json()["results"]}


@pytest.fixture
def corpus(user_factory, video_factory):
    alice, bob = user_factory(username="alicef"), user_factory(username="bobf")
    now = timezone.now()
    old = video_factory(author=alice, tags=["Dance"])
    Video.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=10))
    new = video_factory(author=alice, tags=["cooking"])
    sound = Sound.objects.create(title="Beat", owner=bob)
    bobs = video_factory(author=bob, tags=["dance"])
    Video.objects.filter(pk=bobs.pk).update(sound=sound)
    return {"old": old.public_id, "new": new.public_id, "bobs": bobs.public_id, "sound": sound}


def test_filters(db, corpus):
    api = APIClient()
    assert ids(api.get("/api/v1/videos/?author=ALICEF")) == {corpus["old"], corpus["new"]}
    assert ids(api.get("/api/v1/videos/?hashtag=%23dance")) == {corpus["old"], corpus["bobs"]}
    assert ids(api.get("/api/v1/videos/?hashtag=nosuchtag")) == set()
    assert ids(api.get(f"/api/v1/videos/?sound={corpus['sound'].public_id}")) == {corpus["bobs"]}
    cut = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert ids(api.get("/api/v1/videos/", {"created_before": cut})) == {corpus["old"]}
    assert ids(api.get("/api/v1/videos/", {"created_after": cut})) == {
        corpus["new"],
        corpus["bobs"],
    }
    assert ids(api.get("/api/v1/videos/", {"author": "alicef", "hashtag": "dance"})) == {
        corpus["old"]
    }
    assert ids(api.get("/api/v1/users/alicef/videos/", {"hashtag": "cooking"})) == {corpus["new"]}
    assert ids(api.get("/api/v1/hashtags/dance/videos/", {"author": "bobf"})) == {corpus["bobs"]}


@pytest.mark.parametrize(
    "query,field",
    [
        ({"created_before": "yesterday"}, "created_before"),
        ({"created_after": "2026-13-45T99:00:00Z"}, "created_after"),
        ({"author": "x" * 25}, "author"),
        ({"sound": "s" * 17}, "sound"),
        ({"hashtag": "h" * 101}, "hashtag"),
    ],
)
def test_bad_filter_values_are_400(db, query, field):
    response = APIClient().get("/api/v1/videos/", query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]


def test_filters_in_schema(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    params = {p["name"] for p in schema["paths"]["/api/v1/videos/"]["get"]["parameters"]}
    assert {"author", "hashtag", "sound", "created_before", "created_after", "cursor"} <= params


def test_empty_date_is_400(db):
    response = APIClient().get("/api/v1/videos/?created_before=")
    assert response.status_code == 400
    assert "created_before" in response.json()["error"]["fields"]
