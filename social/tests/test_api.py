"""The people endpoints of the API: token exchange and /me/."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from social.services import links_set

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def test_token_for_good_credentials(client, user_factory):
    user = user_factory(username="api_user", password="correct horse battery")

    response = client.post(
        TOKEN_URL,
        {"username": "api_user", "password": "correct horse battery"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


BAD_CREDENTIALS = {"code": "invalid", "message": "Those credentials are not valid.", "fields": {}}
MISSING = {
    "code": "invalid",
    "message": "Some fields are not valid.",
    "fields": {"username": ["Give a username and a password."]},
}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"username": "api_user", "password": "wrong"}, BAD_CREDENTIALS),
        ({"username": "nobody", "password": "correct horse battery"}, BAD_CREDENTIALS),
        ({"username": "api_user"}, MISSING),
        ({"username": "api_user", "password": ""}, MISSING),
        ({"username": ["api_user"], "password": "correct horse battery"}, MISSING),
        ({}, MISSING),
    ],
)
def test_token_refusals_are_400_with_a_json_body(client, user_factory, body, error):
    user_factory(username="api_user", password="correct horse battery")

    response = client.post(TOKEN_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert Token.objects.count() == 0


def test_token_for_an_inactive_user_is_refused(client, user_factory):
    user_factory(username="api_user", password="correct horse battery", is_active=False)

    response = client.post(
        TOKEN_URL,
        {"username": "api_user", "password": "correct horse battery"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"error": BAD_CREDENTIALS}


def test_token_body_that_is_not_an_object_is_400(client, db):
    response = client.post(TOKEN_URL, "[1, 2]", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"username": ["Give a username and a password."]}


def test_me_needs_authentication(client, db):
    response = client.get(ME_URL)

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }


def test_me_with_a_token(client, user_factory):
    user = user_factory(username="api_me", email="me@example.org", bio="Hello")
    links_set(user=user, links={"youtube": "https://youtube.com/@api_me"})
    token = Token.objects.create(user=user)

    response = client.get(ME_URL, headers={"Authorization": f"Token {token.key}"})

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "api_me"
    assert body["email"] == "me@example.org"
    assert body["bio"] == "Hello"
    assert body["avatar"] is None
    assert body["links"] == [
        {"platform": "youtube", "platform_name": "YouTube", "url": "https://youtube.com/@api_me"}
    ]
    assert "birthdate" not in body
    assert "password" not in body
