"""OAuth 2.0 authorization code + PKCE (django-oauth-toolkit): apps, consent, scopes, revocation."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.cache import cache
from oauth2_provider.models import AccessToken, get_application_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from videos.developer import oauth_app_create

Application = get_application_model()
REDIRECT = "https://app.example.org/callback"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def app(user_factory):
    app, _secret = oauth_app_create(
        user=user_factory(), name="Test App", redirect_uris=REDIRECT, client_type="public"
    )
    return app


def authorize(client, app, *, scope: str, challenge: str) -> str:
    """Consent through the HTML screen; returns the authorization code."""
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = client.get(f"/o/authorize/?{urlencode(params)}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Test App" in html
    # CSP: every script carries the response's nonce.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "nonce=" in tag, tag
    form = {**params, "allow": "Authorize"}
    response = client.post("/o/authorize/", form)
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def exchange(app, code: str, verifier: str):
    return APIClient().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": app.client_id,
            "code_verifier": verifier,
        },
    )


def bearer(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def token_for(client, app, user, scope: str) -> str:
    client.force_login(user)
    verifier, challenge = pkce_pair()
    code = authorize(client, app, scope=scope, challenge=challenge)
    response = exchange(app, code, verifier)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def test_full_code_pkce_flow(client, app, user_factory):
    user = user_factory(username="oauthuser")
    client.force_login(user)
    verifier, challenge = pkce_pair()
    code = authorize(client, app, scope="read write", challenge=challenge)
    response = exchange(app, code, verifier)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body["scope"].split()) == {"read", "write"}
    me = bearer(body["access_token"]).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "oauthuser"
    # A code is good once.
    assert exchange(app, code, verifier).status_code == 400


def test_wrong_verifier_refused(client, app, user_factory):
    client.force_login(user_factory())
    _verifier, challenge = pkce_pair()
    code = authorize(client, app, scope="read", challenge=challenge)
    other_verifier, _challenge = pkce_pair()
    response = exchange(app, code, other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()


def test_pkce_required(client, app, user_factory):
    client.force_login(user_factory())
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": "read",
    }
    response = client.get(f"/o/authorize/?{urlencode(params)}")
    # No challenge: the toolkit refuses before any consent (an error redirect or page).
    assert response.status_code in {200, 302, 400}
    if response.status_code == 302:
        assert "error=invalid_request" in response["Location"]
    else:
        assert "code_challenge" in response.content.decode().lower() or "error" in (
            response.content.decode().lower()
        )


def test_read_only_token_cannot_write(client, app, user_factory, video_factory):
    user = user_factory()
    video = video_factory()
    api = bearer(token_for(client, app, user, "read"))
    assert api.get(f"/api/v1/videos/{video.public_id}/").status_code == 200
    for response in (
        api.post(f"/api/v1/videos/{video.public_id}/like/"),
        api.post(f"/api/v1/videos/{video.public_id}/comments/", {"text": "hi"}, format="json"),
        api.post(f"/api/v1/users/{video.author.username}/follow/"),
        api.post("/api/v1/videos/", {"caption": "x"}, format="multipart"),
    ):
        assert response.status_code == 403, response.content
        error = response.json()["error"]
        assert error["code"] == "insufficient_scope"
        assert error["fields"] == {}
        assert error["message"]


def test_write_scope_allows_likes_not_uploads(client, app, user_factory, video_factory):
    user = user_factory()
    video = video_factory()
    api = bearer(token_for(client, app, user, "write"))
    assert api.post(f"/api/v1/videos/{video.public_id}/like/").status_code in {200, 201}
    # write alone cannot read …
    assert api.get("/api/v1/me/").json()["error"]["code"] == "insufficient_scope"
    # … nor upload.
    upload = api.post("/api/v1/videos/", {"caption": "x"}, format="multipart")
    assert upload.status_code == 403
    assert upload.json()["error"]["code"] == "insufficient_scope"


def test_upload_scope_reaches_validation(client, app, user_factory):
    api = bearer(token_for(client, app, user_factory(), "upload"))
    response = api.post("/api/v1/videos/", {"caption": "no file"}, format="multipart")
    assert response.status_code == 400  # past the scope check, refused for the missing file
    assert response.json()["error"]["code"] == "invalid"


def test_session_and_token_keep_full_access(client, user_factory, video_factory):
    user = user_factory()
    video = video_factory()
    token = Token.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.post(f"/api/v1/videos/{video.public_id}/like/").status_code in {200, 201}
    client.force_login(user)
    response = client.delete(f"/api/v1/videos/{video.public_id}/like/")
    assert response.status_code in {200, 204}


def test_revoked_grant_stops_working(client, app, user_factory):
    user = user_factory()
    token = token_for(client, app, user, "read")
    api = bearer(token)
    assert api.get("/api/v1/me/").status_code == 200
    page = client.get("/settings/apps/")
    assert page.status_code == 200
    assert "Test App" in page.content.decode()
    assert client.post(f"/settings/apps/authorized/{app.client_id}/revoke/").status_code == 302
    refused = api.get("/api/v1/me/")
    assert refused.status_code in {401, 403}
    assert "error" in refused.json()
    assert not AccessToken.objects.filter(user=user).exists()
    assert "Revoke access for Test App" not in client.get("/settings/apps/").content.decode()


def test_register_app_https_only(client, user_factory, settings):
    settings.DEBUG = False
    user = user_factory()
    client.force_login(user)
    bad = client.post(
        "/settings/apps/",
        {"name": "Mine", "redirect_uris": "http://example.org/cb", "client_type": "public"},
    )
    assert bad.status_code == 400
    assert "https://" in bad.content.decode()
    good = client.post(
        "/settings/apps/",
        {"name": "Mine", "redirect_uris": "https://example.org/cb", "client_type": "confidential"},
    )
    assert good.status_code == 201
    app = Application.objects.get(user=user)
    html = good.content.decode()
    assert app.client_id in html
    secret = re.search(r'class="client-secret">([^<]+)<', html).group(1)
    assert secret and secret != app.client_secret  # stored hashed, shown once
    assert secret not in client.get("/settings/apps/").content.decode()


def test_only_owner_deletes_app(client, app, user_factory):
    client.force_login(user_factory())
    assert client.post(f"/settings/apps/{app.client_id}/delete/").status_code == 404
    assert Application.objects.filter(pk=app.pk).exists()
    client.force_login(app.user)
    assert client.post(f"/settings/apps/{app.client_id}/delete/").status_code == 302
    assert not Application.objects.filter(pk=app.pk).exists()
