"""API throttling per scope (tiktok.api_throttling): per user, per anonymous address, 429s."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tiktok.api_throttling import request_scope

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _low_rates(settings):
    cache.clear()
    settings.LOGIN_LOCKOUT_FAILURES = settings.LOGIN_LOCKOUT_IP_FAILURES = 100
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "auth": "2/min",
            "upload": "1/hour",
            "comment": "2/min",
            "like": "2/min",
            "read": "3/min",
            "read_anon": "2/min",
            "write": "2/min",
        },
    }
    yield
    cache.clear()


def as_user(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_throttled(response):
    assert response.status_code == 429, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "throttled"
    assert body["error"]["fields"] == {}
    assert body["error"]["message"]
    assert int(response["Retry-After"]) > 0


def test_auth_scope_per_address(db):
    client = APIClient()
    for _ in range(2):
        response = client.post(
            "/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json"
        )
        assert response.status_code == 400
    assert_throttled(
        client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    )
    # Another address has its own count.
    other = APIClient(REMOTE_ADDR="10.1.2.3")
    response = other.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    assert response.status_code == 400


def test_read_scope_anonymous_per_address_and_users_separately(user_factory, video_factory):
    video = video_factory()
    anon = APIClient()
    for _ in range(2):
        assert anon.get(f"/api/v1/videos/{video.public_id}/").status_code == 200
    assert_throttled(anon.get("/api/v1/videos/"))
    # A signed-in person from the same address counts on their own, at the user rate.
    alice = as_user(user_factory())
    for _ in range(3):
        assert alice.get("/api/v1/videos/").status_code == 200
    assert_throttled(alice.get("/api/v1/me/"))
    # And one person's use does not throttle another.
    assert as_user(user_factory()).get("/api/v1/me/").status_code == 200


def test_like_scope(user_factory, video_factory):
    videos = [video_factory() for _ in range(3)]
    client = as_user(user_factory())
    for video in videos[:2]:
        assert client.post(f"/api/v1/videos/{video.public_id}/like/").status_code in {200, 201}
    assert_throttled(client.post(f"/api/v1/videos/{videos[2].public_id}/like/"))
    # Reading is another scope and still allowed.
    assert client.get(f"/api/v1/videos/{videos[2].public_id}/").status_code == 200


def test_comment_scope(user_factory, video_factory):
    video = video_factory()
    client = as_user(user_factory())
    url = f"/api/v1/videos/{video.public_id}/comments/"
    for n in range(2):
        assert client.post(url, {"text": f"nice {n}"}, format="json").status_code == 201
    assert_throttled(client.post(url, {"text": "again"}, format="json"))
    # Likes are counted apart from comments.
    assert client.post(f"/api/v1/videos/{video.public_id}/like/").status_code in {200, 201}


def test_upload_scope(user_factory):
    client = as_user(user_factory())
    # An invalid upload still counts: the throttle runs before the body is validated.
    first = client.post("/api/v1/videos/", {"caption": "no file"}, format="multipart")
    assert first.status_code == 400
    assert_throttled(client.post("/api/v1/videos/", {"caption": "no file"}, format="multipart"))
    assert_throttled(client.post("/api/v1/sounds/", {"title": "x"}, format="multipart"))


def test_write_scope(user_factory):
    client = as_user(user_factory())
    targets = [user_factory() for _ in range(3)]
    for target in targets[:2]:
        assert client.post(f"/api/v1/users/{target.username}/follow/").status_code in {200, 201}
    assert_throttled(client.post(f"/api/v1/users/{targets[2].username}/follow/"))


def test_scope_of_requests(rf):
    from django.urls import resolve

    def scope(method, path):
        request = getattr(rf, method)(path)
        request.resolver_match = resolve(path)
        return request_scope(request)

    assert scope("post", "/api/v1/auth/token/") == "auth"
    assert scope("post", "/api/v1/videos/") == "upload"
    assert scope("get", "/api/v1/videos/") == "read"
    assert scope("post", "/api/v1/sounds/") == "upload"
    assert scope("post", "/api/v1/videos/abc/comments/") == "comment"
    assert scope("get", "/api/v1/videos/abc/comments/") == "read"
    assert scope("delete", "/api/v1/videos/abc/like/") == "like"
    assert scope("post", "/api/v1/comments/abc/like/") == "like"
    assert scope("patch", "/api/v1/videos/abc/") == "write"
    assert scope("post", "/api/v1/users/bob/follow/") == "write"


def assert_oauth_throttled(response):
    assert response.status_code == 429, response.content
    body = response.json()
    assert body["error"] == "throttled"
    assert "throttled" in body["error_description"]
    assert int(response["Retry-After"]) > 0


def test_oauth_token_endpoint_in_auth_scope(db):
    """/o/token/ (django-oauth-toolkit, not DRF) is throttled like POST auth/token/."""
    client = APIClient()
    guess = {"grant_type": "authorization_code", "code": "guess", "client_id": "nope"}
    for _ in range(2):
        response = client.post("/o/token/", guess)
        assert response.status_code in {400, 401}, response.content
        assert "error" in response.json()
    assert_oauth_throttled(client.post("/o/token/", guess))
    # The same counter as POST auth/token/ (one "auth" scope per address) …
    assert_throttled(
        client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    )
    # … and as the revocation endpoint.
    assert_oauth_throttled(client.post("/o/revoke_token/", {"token": "x", "client_id": "nope"}))
    # Another address has its own count.
    other = APIClient(REMOTE_ADDR="10.9.8.7")
    assert other.post("/o/token/", guess).status_code in {400, 401}


def test_oauth_token_throttle_counts_only_posts(db):
    client = APIClient()
    for _ in range(3):  # GET is refused by the view itself, and not counted
        assert client.get("/o/token/").status_code == 405
    response = client.post("/o/token/", {"grant_type": "password"})
    assert response.status_code in {400, 401}, response.content
