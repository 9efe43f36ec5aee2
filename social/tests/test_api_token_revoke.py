"""/settings/ shows the API token and revokes it; a revoked token is refused."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_token_shown_revoked_and_refused(client, user_factory):
    user = user_factory(username="tokenowner")
    api = APIClient()
    response = api.post(
        "/api/v1/auth/token/", {"username": "tokenowner", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    key = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200

    client.force_login(user)
    page = client.get("/settings/")
    assert page.status_code == 200
    html = page.content.decode()
    assert key in html
    assert 'action="/settings/token/revoke/"' in html

    revoked = client.post("/settings/token/revoke/")
    assert revoked.status_code == 302
    assert revoked["Location"] == "/settings/"
    assert not Token.objects.filter(user=user).exists()
    assert key not in client.get("/settings/").content.decode()

    refused = api.get("/api/v1/me/")
    assert refused.status_code in {401, 403}
    assert refused.json()["error"]["code"] == "authentication_failed"
    # A new token can be had, and it is a different one.
    fresh = APIClient().post(
        "/api/v1/auth/token/", {"username": "tokenowner", "password": PASSWORD}, format="json"
    )
    assert fresh.json()["token"] != key


def test_revoke_needs_post_and_login(client, user_factory):
    user = user_factory()
    Token.objects.create(user=user)
    assert client.post("/settings/token/revoke/").status_code == 302  # to the login page
    assert Token.objects.filter(user=user).exists()
    client.force_login(user)
    assert client.get("/settings/token/revoke/").status_code == 405
    assert Token.objects.filter(user=user).exists()


def test_revoke_only_touches_own_token(client, user_factory):
    alice, bob = user_factory(), user_factory()
    Token.objects.create(user=alice)
    bobs = Token.objects.create(user=bob)
    client.force_login(alice)
    client.post("/settings/token/revoke/")
    assert not Token.objects.filter(user=alice).exists()
    assert Token.objects.filter(pk=bobs.pk).exists()
    page = client.get("/settings/").content.decode()
    assert "You have no API token." in page
