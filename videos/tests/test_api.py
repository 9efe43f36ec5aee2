"""The REST API through HTTP: auth, feeds, videos, users, hashtags, schema; one error shape."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from social.models import Block, Follow
from videos import selectors
from videos.models import Sound, Video

V = Video.Visibility
S = Video.Status
BASE = "http://testserver"
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # The token endpoint is throttled per client address in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def as_user(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def error(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


NOT_FOUND = error("not_found", "Not found.")
NOT_AUTHENTICATED = error("not_authenticated", "Authentication credentials were not provided.")


def ids(response) -> list[str]:
    return [item["public_id"] for item in response.json()["results"]]


def newest_first(videos) -> list[str]:
    return [v.public_id for v in sorted(videos, key=lambda v: (v.created_at, v.pk), reverse=True)]


# --- auth ------------------------------------------------------------------------------------
def test_token_good_credentials(api, user_factory):
    user = user_factory(username="tokenuser")
    response = api.post(
        "/api/v1/auth/token/", {"username": "tokenuser", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}
    again = api.post(
        "/api/v1/auth/token/", {"username": "tokenuser", "password": PASSWORD}, format="json"
    )
    assert again.json() == response.json()
    form = api.post("/api/v1/auth/token/", {"username": "tokenuser", "password": PASSWORD})
    assert form.status_code == 200
    assert form.json() == response.json()


@pytest.mark.parametrize(
    "body",
    [
        {"username": "tokenuser", "password": "wrong password"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "TOKENUSER ", "password": PASSWORD},
    ],
)
def test_token_bad_credentials(api, user_factory, body):
    user_factory(username="tokenuser")
    response = api.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert response.json() == error("invalid", "Those credentials are not valid.")
    assert Token.objects.count() == 0


def test_token_inactive_user(api, user_factory):
    user_factory(username="sleeper", is_active=False)
    response = api.post(
        "/api/v1/auth/token/", {"username": "sleeper", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == error("invalid", "Those credentials are not valid.")


MISSING = error(
    "invalid", "Some fields are not valid.", {"username": ["Give a username and a password."]}
)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "tokenuser"},
        {"password": PASSWORD},
        {"username": "", "password": ""},
        {"username": 123, "password": PASSWORD},
        {"username": "tokenuser", "password": ["x"]},
        {"username": {"$ne": None}, "password": {"$ne": None}},
        {"username": None, "password": None},
        {"username": True, "password": False},
        [1, 2],
        "just a string",
        42,
    ],
)
def test_token_missing_or_non_string_fields(api, user_factory, body):
    user_factory(username="tokenuser")
    response = api.post("/api/v1/auth/token/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == MISSING


def test_token_malformed_json(api, db):
    response = api.post("/api/v1/auth/token/", "{nope", content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "parse_error"
    assert body["error"]["message"].startswith("JSON parse error")
    assert body["error"]["fields"] == {}


def test_token_endpoint_is_throttled(api, user_factory, settings):
    # The rate limit, on its own: the login lockout (social.lockout) would stop this at 5.
    settings.LOGIN_LOCKOUT_FAILURES = settings.LOGIN_LOCKOUT_IP_FAILURES = 100
    user_factory(username="tokenuser")
    for _ in range(10):
        response = api.post(
            "/api/v1/auth/token/", {"username": "tokenuser", "password": "no"}, format="json"
        )
        assert response.status_code == 400
    response = api.post(
        "/api/v1/auth/token/", {"username": "tokenuser", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_me_with_token(user_factory):
    user = user_factory(username="meuser", email="me@example.com", display_name="Me Me")
    response = as_user(user).get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "meuser"
    assert body["email"] == "me@example.com"
    assert body["display_name"] == "Me Me"
    assert body["is_private"] is False
    assert body["links"] == []
    assert (body["followers"], body["following"], body["likes"]) == (0, 0, 0)


def test_me_without_or_with_bad_token(api, db):
    response = api.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json() == NOT_AUTHENTICATED
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json() == error("authentication_failed", "Invalid token.")


# --- the video resource ----------------------------------------------------------------------
def test_video_representation(api, user_factory, video_factory):
    author = user_factory(username="shape_author", display_name="Shape")
    sound = Sound.objects.create(title="Tune", artist="Band", owner=author)
    created = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    video = video_factory(
        author=author,
        caption="Look #Dance #Ñandú",
        tags=["Dance", "Ñandú"],
        sound=sound,
        duration=7.5,
        created_at=created,
    )
    Video.objects.filter(pk=video.pk).update(
        likes_count=3, comments_count=4, views_count=5, shares_count=6
    )
    response = api.get(f"/api/v1/videos/{video.public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "public_id": video.public_id,
        "author": {"username": "shape_author", "display_name": "Shape", "avatar": None},
        "caption": "Look #Dance #Ñandú",
        "hashtags": ["Dance", "Ñandú"],
        "status": "ready",
        "failure_reason": "",
        "url": f"{BASE}{video.file.url}",
        "poster": f"{BASE}{video.poster.url}",
        "web_url": f"{BASE}/@shape_author/video/{video.public_id}/",
        "duration": 7.5,
        "width": 720,
        "height": 1280,
        "visibility": "public",
        "allow_comments": True,
        "allow_duet": True,
        "allow_stitch": True,
        "allow_sound_reuse": True,
        # What the requesting viewer may do (the minors rules; docs/SAFETY.md).
        "allow_download": True,
        "can_duet": True,
        "can_stitch": True,
        "can_download": True,
        "download_url": f"http://testserver/@shape_author/video/{video.public_id}/download/",
        "sound": {
            "public_id": sound.public_id,
            "name": "Tune — Band",
            "title": "Tune",
            "artist": "Band",
        },
        "duet_of": None,
        "stitch_of": None,
        "template": None,
        "likes": 3,
        "comments": 4,
        "views": 5,
        "shares": 6,
        "created_at": created.isoformat().replace("+00:00", "Z"),
    }


@pytest.fixture
def world(user_factory, video_factory):
    author = user_factory(username="api_author")
    follower = user_factory(username="api_follower")
    stranger = user_factory(username="api_stranger")
    Follow.objects.create(follower=follower, followee=author)
    private_account = user_factory(username="api_private", is_private=True)
    Follow.objects.create(follower=follower, followee=private_account)
    videos = {
        "public": video_factory(author=author, tags=["Dance"]),
        "followers": video_factory(author=author, visibility=V.FOLLOWERS, tags=["Dance"]),
        "private": video_factory(author=author, visibility=V.PRIVATE, tags=["Dance"]),
        "hidden": video_factory(author=author, is_hidden=True, tags=["Dance"]),
        "processing": video_factory(author=author, status=S.PROCESSING, file="", poster=""),
        "failed": video_factory(author=author, status=S.FAILED, file="", poster=""),
        "privacc": video_factory(author=private_account, tags=["Dance"]),
        "inactive": video_factory(author=user_factory(is_active=False), tags=["Dance"]),
    }
    return {
        "author": author,
        "follower": follower,
        "stranger": stranger,
        "private_account": private_account,
        "videos": videos,
    }


def _names(world, public_ids) -> set[str]:
    by_id = {v.public_id: k for k, v in world["videos"].items()}
    return {by_id[p] for p in public_ids}


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (None, {"public"}),
        ("stranger", {"public"}),
        ("follower", {"public", "followers", "privacc"}),
        ("author", {"public", "followers", "private"}),
        ("private_account", {"public", "privacc"}),
    ],
)
def test_videos_list_visibility_same_as_web(api, world, viewer, expected):
    client = as_user(world[viewer]) if viewer else api
    response = client.get("/api/v1/videos/?page_size=50")
    assert response.status_code == 200
    assert response.json()["next"] is None
    got = ids(response)
    assert _names(world, got) == expected
    web = selectors.visible_videos(viewer=world[viewer] if viewer else None)
    assert got == newest_first(web)


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (None, {"public"}),
        ("stranger", {"public"}),
        ("follower", {"public", "followers", "privacc"}),
        ("author", {"public", "followers", "private"}),
    ],
)
def test_videos_list_hashtag_filter(api, world, viewer, expected):
    client = as_user(world[viewer]) if viewer else api
    for spelling in ["Dance", "dance", "%23DANCE"]:
        response = client.get(f"/api/v1/videos/?hashtag={spelling}&page_size=50")
        assert response.status_code == 200
        assert _names(world, ids(response)) == expected
    assert ids(client.get("/api/v1/videos/?hashtag=nosuchtag")) == []


def test_videos_list_author_filter(api, world):
    response = api.get("/api/v1/videos/?author=API_AUTHOR&page_size=50")
    assert _names(world, ids(response)) == {"public"}
    response = as_user(world["follower"]).get("/api/v1/videos/?author=api_private")
    assert _names(world, ids(response)) == {"privacc"}
    assert ids(api.get("/api/v1/videos/?author=api_private")) == []


@pytest.mark.parametrize(
    ("viewer", "visible"),
    [
        (None, {"public"}),
        ("stranger", {"public"}),
        ("follower", {"public", "followers", "privacc"}),
        ("author", {"public", "followers", "private", "processing", "failed"}),
    ],
)
def test_video_detail_visibility(api, world, viewer, visible):
    client = as_user(world[viewer]) if viewer else api
    for name, video in world["videos"].items():
        response = client.get(f"/api/v1/videos/{video.public_id}/")
        if name in visible:
            assert response.status_code == 200, name
            assert response.json()["public_id"] == video.public_id
        else:
            assert response.status_code == 404, name
            assert response.json() == NOT_FOUND
    response = client.get("/api/v1/videos/NoSuchVideo1/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_own_processing_video_has_no_urls(world):
    video = world["videos"]["processing"]
    body = as_user(world["author"]).get(f"/api/v1/videos/{video.public_id}/").json()
    assert body["status"] == "processing"
    assert body["url"] is None
    assert body["poster"] is None


# --- feed and pagination ---------------------------------------------------------------------
def test_for_you_feed_cursor_pagination(api, user_factory, video_factory):
    videos = [video_factory() for _ in range(23)]
    video_factory(visibility=V.PRIVATE)
    video_factory(is_hidden=True)
    expected = newest_first(videos)
    seen = []
    url = "/api/v1/feed/for-you/"
    pages = 0
    while url:
        response = api.get(url)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"next", "results"}
        seen.extend(item["public_id"] for item in body["results"])
        pages += 1
        url = body["next"]
        if url:
            assert url.startswith(f"{BASE}/api/v1/feed/for-you/?cursor=")
    assert pages == 3  # the default page size is 10
    assert seen == expected


def test_for_you_feed_next_keeps_page_size(api, video_factory):
    videos = [video_factory() for _ in range(7)]
    expected = newest_first(videos)
    first = api.get("/api/v1/feed/for-you/?page_size=3").json()
    assert [v["public_id"] for v in first["results"]] == expected[:3]
    assert "page_size=3" in first["next"]
    second = api.get(first["next"]).json()
    assert [v["public_id"] for v in second["results"]] == expected[3:6]
    third = api.get(second["next"]).json()
    assert [v["public_id"] for v in third["results"]] == expected[6:]
    assert third["next"] is None


@pytest.mark.parametrize(
    ("size", "count"),
    [("1", 1), ("0", 1), ("-7", 1), ("50", 50), ("51", 50), ("100000000000000000000000", 50)],
)
def test_for_you_feed_page_size_bounds(api, video_factory, user, size, count):
    for _ in range(52):
        video_factory(author=user)
    response = api.get(f"/api/v1/feed/for-you/?page_size={size}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == count
    assert response.json()["next"] is not None


@pytest.mark.parametrize("size", ["abc", "1.5", "", " "])
def test_for_you_feed_page_size_not_a_number(api, db, size):
    response = api.get(f"/api/v1/feed/for-you/?page_size={size}")
    assert response.status_code == 400
    assert response.json() == error(
        "invalid", "Some fields are not valid.", {"page_size": ["Must be a whole number."]}
    )


@pytest.mark.parametrize(
    "cursor",
    ["x", "%21%21", "A" * 300, "WyJ4IiwxXQ", "WyIyMDI0LTAxLTAxVDAwOjAwOjAwKzAwOjAwIix0cnVlXQ"],
)
@pytest.mark.parametrize(
    "url", ["/api/v1/feed/for-you/", "/api/v1/videos/", "/api/v1/hashtags/dance/videos/"]
)
def test_bad_cursor_is_400_with_error_shape(api, video_factory, cursor, url):
    video_factory(tags=["dance"])
    response = api.get(f"{url}?cursor={cursor}")
    assert response.status_code == 400
    assert response.json() == error(
        "invalid", "Some fields are not valid.", {"cursor": ["That page link is not valid."]}
    )


def test_for_you_feed_public_only_even_for_followers(world):
    response = as_user(world["follower"]).get("/api/v1/feed/for-you/")
    assert _names(world, ids(response)) == {"public"}


# --- upload ----------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_upload_real_clip_is_ready_with_absolute_urls(user_factory, clips):
    uploader = user_factory(username="uploader1")
    client = as_user(uploader)
    with clips["small_h264"].open("rb") as fh:
        response = client.post(
            "/api/v1/videos/",
            {"file": fh, "caption": "Hello #API", "visibility": "public"},
            format="multipart",
        )
    assert response.status_code == 201
    body = response.json()
    video = Video.objects.get()
    assert body["public_id"] == video.public_id
    assert body["status"] == "ready"
    assert body["author"]["username"] == "uploader1"
    assert body["caption"] == "Hello #API"
    assert body["hashtags"] == ["API"]
    assert body["visibility"] == "public"
    assert body["url"] == f"{BASE}/media/{video.file.name}"
    assert body["url"].startswith(f"{BASE}/media/videos/{video.public_id}/")
    assert body["url"].endswith(".mp4")
    assert body["poster"] == f"{BASE}/media/{video.poster.name}"
    assert (body["width"], body["height"]) == (720, 1280)
    assert 1.5 < body["duration"] < 2.5
    assert (body["likes"], body["comments"], body["views"], body["shares"]) == (0, 0, 0, 0)
    again = client.get(f"/api/v1/videos/{video.public_id}/")
    assert again.json() == body
    # Media are served by Django views, not DRF: no token there, so this is anonymous.
    media = APIClient().get(body["url"].removeprefix(BASE))
    assert media.status_code == 200
    assert media["Content-Type"] == "video/mp4"


def test_upload_ignores_mass_assignment(user_factory, clips, django_capture_on_commit_callbacks):
    uploader = user_factory()
    other = user_factory(username="not_me")
    client = as_user(uploader)
    with django_capture_on_commit_callbacks(execute=True), clips["small_h264"].open("rb") as fh:
        response = client.post(
            "/api/v1/videos/",
            {
                "file": fh,
                "caption": "mine",
                "likes_count": "999",
                "likes": "999",
                "views_count": "999",
                "status": "ready",
                "author": "not_me",
                "author_id": str(other.pk),
                "public_id": "chosen_id",
                "is_hidden": "true",
                "duration": "1000",
            },
            format="multipart",
        )
    assert response.status_code == 201
    body = response.json()
    # Still processing at answer time (the pipeline runs after the commit), whatever was sent.
    assert body["status"] == "processing"
    assert body["likes"] == 0
    assert body["author"]["username"] == uploader.username
    assert body["public_id"] != "chosen_id"
    video = Video.objects.get()
    assert video.author == uploader
    assert (video.likes_count, video.views_count) == (0, 0)
    assert video.is_hidden is False
    assert video.public_id == body["public_id"]
    assert video.status == S.READY
    assert video.duration < 3


def test_upload_requires_auth(api, db, clips):
    with clips["small_h264"].open("rb") as fh:
        response = api.post("/api/v1/videos/", {"file": fh}, format="multipart")
    assert response.status_code == 403
    assert response.json() == NOT_AUTHENTICATED
    assert Video.objects.count() == 0


def test_upload_without_file_or_with_bad_fields(user):
    client = as_user(user)
    response = client.post("/api/v1/videos/", {"caption": "x"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == error(
        "invalid", "Some fields are not valid.", {"file": ["No file was submitted."]}
    )
    response = client.post(
        "/api/v1/videos/", {"file": b"", "visibility": "everyone"}, format="multipart"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["visibility"] == ['"everyone" is not a valid choice.']
    response = client.post("/api/v1/videos/", {"caption": "x"}, format="json")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert Video.objects.count() == 0


def test_upload_not_a_video_is_accepted_then_fails(
    user, tmp_path, django_capture_on_commit_callbacks
):
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"GIF89a" + b"\x00" * 500)
    client = as_user(user)
    with django_capture_on_commit_callbacks(execute=True), fake.open("rb") as fh:
        response = client.post("/api/v1/videos/", {"file": fh}, format="multipart")
    assert response.status_code == 201
    body = client.get(f"/api/v1/videos/{response.json()['public_id']}/").json()
    assert body["status"] == "failed"
    assert body["failure_reason"] != ""
    assert body["url"] is None


@pytest.mark.parametrize("auth", ["session", "token"])
def test_upload_oversized_declared_length_is_413_before_reading(user, settings, auth):
    settings.UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    if auth == "session":
        # Session auth enforces CSRF by reading the body: the size check must come first.
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(user)
    else:
        client = as_user(user)
    response = client.post(
        "/api/v1/videos/",
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json() == error("too_large", "The file is larger than 5 MB.")
    assert Video.objects.count() == 0


# --- one video: edit and delete --------------------------------------------------------------
def test_patch_by_author(world):
    video = world["videos"]["public"]
    client = as_user(world["author"])
    response = client.patch(
        f"/api/v1/videos/{video.public_id}/",
        {
            "caption": "new words #Fresh",
            "allow_duet": False,
            "likes_count": 500,
            "likes": 500,
            "status": "failed",
            "is_hidden": True,
            "author": "api_stranger",
            "public_id": "hijack",
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["caption"] == "new words #Fresh"
    assert body["hashtags"] == ["Fresh"]
    assert body["allow_duet"] is False
    assert body["likes"] == 0
    assert body["status"] == "ready"
    assert body["public_id"] == video.public_id
    assert body["author"]["username"] == "api_author"
    video.refresh_from_db()
    assert video.caption == "new words #Fresh"
    assert (video.likes_count, video.status, video.is_hidden) == (0, S.READY, False)


def test_patch_visibility_then_gone_for_others(world, api):
    video = world["videos"]["public"]
    response = as_user(world["author"]).patch(
        f"/api/v1/videos/{video.public_id}/", {"visibility": "private"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["visibility"] == "private"
    assert api.get(f"/api/v1/videos/{video.public_id}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"visibility": "world"}, {"visibility": ['"world" is not a valid choice.']}),
        (
            {"caption": "x" * 2201},
            {"caption": ["Ensure this field has no more than 2200 characters."]},
        ),
        ({"caption": ["a"]}, {"caption": ["Not a valid string."]}),
        ({"caption": "nul\x00byte"}, {"caption": ["Null characters are not allowed."]}),
        ({"allow_comments": "maybe"}, {"allow_comments": ["Must be a valid boolean."]}),
    ],
)
def test_patch_invalid(world, body, fields):
    video = world["videos"]["public"]
    response = as_user(world["author"]).patch(
        f"/api/v1/videos/{video.public_id}/", body, format="json"
    )
    assert response.status_code == 400
    assert response.json() == error("invalid", "Some fields are not valid.", fields)
    video.refresh_from_db()
    assert video.visibility == V.PUBLIC


def test_patch_and_delete_by_others_403(world):
    video = world["videos"]["followers"]
    client = as_user(world["follower"])  # can see it, may not change it
    response = client.patch(f"/api/v1/videos/{video.public_id}/", {"caption": "x"}, format="json")
    assert response.status_code == 403
    assert response.json() == error("permission_denied", "Only the author can edit this video.")
    response = client.delete(f"/api/v1/videos/{video.public_id}/")
    assert response.status_code == 403
    assert response.json() == error("permission_denied", "Only the author can delete this video.")
    assert Video.objects.filter(pk=video.pk).exists()


def test_patch_and_delete_invisible_404(world):
    client = as_user(world["stranger"])
    for name in ["followers", "private", "hidden", "processing", "privacc"]:
        video = world["videos"][name]
        response = client.patch(
            f"/api/v1/videos/{video.public_id}/", {"caption": "x"}, format="json"
        )
        assert response.status_code == 404, name
        assert response.json() == NOT_FOUND
        response = client.delete(f"/api/v1/videos/{video.public_id}/")
        assert response.status_code == 404, name
        assert response.json() == NOT_FOUND
    assert Video.objects.count() == len(world["videos"])


def test_patch_and_delete_anonymous(api, world):
    video = world["videos"]["public"]
    response = api.patch(f"/api/v1/videos/{video.public_id}/", {"caption": "x"}, format="json")
    assert response.status_code == 403
    assert response.json() == NOT_AUTHENTICATED
    assert api.delete(f"/api/v1/videos/{video.public_id}/").status_code == 403
    assert Video.objects.filter(pk=video.pk).exists()


@pytest.mark.parametrize("name", ["public", "private", "hidden", "processing", "failed"])
def test_delete_own_video_in_any_state(world, name):
    video = world["videos"][name]
    client = as_user(world["author"])
    response = client.delete(f"/api/v1/videos/{video.public_id}/")
    assert response.status_code == 204
    assert response.content == b""
    assert not Video.objects.filter(pk=video.pk).exists()
    assert client.get(f"/api/v1/videos/{video.public_id}/").status_code == 404


def test_patch_own_hidden_video_404(world):
    video = world["videos"]["hidden"]
    response = as_user(world["author"]).patch(
        f"/api/v1/videos/{video.public_id}/", {"caption": "x"}, format="json"
    )
    assert response.status_code == 404


# --- users and hashtags ----------------------------------------------------------------------
def test_user_detail(api, world):
    response = api.get("/api/v1/users/API_AUTHOR/")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "api_author"
    assert "email" not in body
    assert body["is_private"] is False
    assert set(body) >= {"username", "display_name", "bio", "avatar", "links", "followers"}
    assert api.get("/api/v1/users/nobody_at_all/").status_code == 404
    assert api.get("/api/v1/users/nobody_at_all/").json() == NOT_FOUND
    response = api.get("/api/v1/users/api_private/")
    assert response.status_code == 200
    assert response.json()["is_private"] is True


@pytest.mark.parametrize(
    ("viewer", "username", "expected"),
    [
        (None, "api_author", {"public"}),
        ("stranger", "api_author", {"public"}),
        ("follower", "api_author", {"public", "followers"}),
        ("author", "api_author", {"public", "followers", "private"}),
        (None, "api_private", set()),
        ("stranger", "api_private", set()),
        ("follower", "api_private", {"privacc"}),
    ],
)
def test_user_videos(api, world, viewer, username, expected):
    client = as_user(world[viewer]) if viewer else api
    response = client.get(f"/api/v1/users/{username}/videos/")
    assert response.status_code == 200
    assert _names(world, ids(response)) == expected


def test_user_videos_unknown_404(api, db):
    response = api.get("/api/v1/users/ghost/videos/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_hashtag_detail_and_videos(api, world, video_factory):
    Video.objects.filter(pk=world["videos"]["public"].pk).update(views_count=40)
    extra = video_factory(tags=["dance"])  # another spelling, maybe another row
    Video.objects.filter(pk=extra.pk).update(views_count=2)
    for name in ["dance", "DANCE", "Dance"]:
        response = api.get(f"/api/v1/hashtags/{name}/")
        assert response.status_code == 200
        assert response.json() == {"name": "Dance", "videos": 2, "views": 42}
        response = api.get(f"/api/v1/hashtags/{name}/videos/")
        assert response.status_code == 200
        assert set(ids(response)) == {world["videos"]["public"].public_id, extra.public_id}
    assert api.get("/api/v1/hashtags/nothing/").json() == NOT_FOUND
    assert api.get("/api/v1/hashtags/nothing/videos/").status_code == 404


def test_hashtag_unicode_case_insensitive(api, video_factory):
    upper = video_factory(tags=["Ñandú"])
    lower = video_factory(tags=["ñandú"], created_at=upper.created_at - datetime.timedelta(1))
    for name in ["ÑANDÚ", "ñandú", "%C3%B1AND%C3%BA"]:
        response = api.get(f"/api/v1/hashtags/{name}/videos/")
        assert response.status_code == 200
        assert ids(response) == [upper.public_id, lower.public_id]
        detail = api.get(f"/api/v1/hashtags/{name}/").json()
        assert detail["videos"] == 2


# --- query counts ----------------------------------------------------------------------------
def _fill(video_factory, user_factory, n):
    sound = Sound.objects.create(title="Song", owner=user_factory())
    source = video_factory()
    for i in range(n):
        video_factory(
            tags=[f"t{i % 3}", "all"],
            sound=sound if i % 2 else None,
            duet_of=source if i % 3 == 0 else None,
            stitch_of=source if i % 3 == 1 else None,
        )


@pytest.mark.parametrize(
    "url", ["/api/v1/feed/for-you/", "/api/v1/videos/", "/api/v1/hashtags/all/videos/"]
)
def test_api_lists_constant_queries(api, user_factory, video_factory, url):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"{url}?page_size=50")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    _fill(video_factory, user_factory, 5)
    small = count()
    _fill(video_factory, user_factory, 45)
    assert count() == small


# --- schema, docs, health --------------------------------------------------------------------
def test_schema_and_docs(api, db):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/feed/for-you/",
        "/api/v1/videos/",
        "/api/v1/videos/{public_id}/",
        "/api/v1/users/{username}/",
        "/api/v1/users/{username}/videos/",
        "/api/v1/hashtags/{name}/",
        "/api/v1/hashtags/{name}/videos/",
    ]:
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/v1/videos/{public_id}/"]) >= {"get", "patch", "delete"}
    yaml = api.get("/api/schema/")
    assert yaml.status_code == 200
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "media": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_unwritable_media(client, db, settings, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "media": "error"}}


# --- Django's body limits answer in the API's shape ------------------------------------------
def test_too_many_fields_is_json_400(user):
    response = as_user(user).post(
        "/api/v1/videos/", {f"f{i}": "x" for i in range(300)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == error("parse_error", "The request has too many fields or files.")


def test_too_large_json_body_is_json_413(api, db):
    body = json.dumps({"username": "x" * 3_000_000, "password": "y"})
    response = api.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == error("too_large", "The request body is too large.")


def test_blocks_apply_to_the_api(world):
    Block.objects.create(blocker=world["author"], blocked=world["follower"])
    client = as_user(world["follower"])
    assert _names(world, ids(client.get("/api/v1/videos/?page_size=50"))) == {"privacc"}
    assert _names(world, ids(client.get("/api/v1/feed/for-you/"))) == set()
    assert ids(client.get("/api/v1/users/api_author/videos/")) == []
    public = world["videos"]["public"]
    assert client.get(f"/api/v1/videos/{public.public_id}/").json() == NOT_FOUND
    # the one who blocked does not see the blocked one's videos either
    assert _names(world, ids(as_user(world["author"]).get("/api/v1/videos/"))) == {
        "public",
        "followers",
        "private",
    }
