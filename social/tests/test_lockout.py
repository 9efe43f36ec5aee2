"""Login throttling: five failures for a username, or from an address, within 15 minutes
lock it out for 15 minutes, on the web login, the admin login and the API's token view."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import Client

from social import lockout
from social.models import User

from .utils import LOGIN_URL, STRONG_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ADMIN_LOGIN_URL = "/admin/login/"
LOCKED = "Too many failed login attempts. Please wait 15 minutes and try again."
WRONG = "Please enter a correct username and password."


@pytest.fixture
def alice(user_factory):
    return user_factory(username="alice", password=STRONG_PASSWORD)


def web_login(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def api_login(client, username, password, ip="10.0.0.1"):
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def fail(client, username, times, ip="10.0.0.1"):
    for _ in range(times):
        response = web_login(client, username, "wrong password", ip=ip)
        assert response.status_code in (200, 429)
    return response


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def later(monkeypatch):
    """Move the clock forward (the cache's expiry and the lockout both read time.time)."""
    real = time.time
    offset = [0.0]
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])

    def advance(seconds: float) -> None:
        offset[0] += seconds

    return advance


# --- the web login ------------------------------------------------------------------------
def test_five_failures_lock_the_username_out_with_a_clear_message(client, alice):
    for attempt in range(1, 5):
        response = web_login(client, "alice", "wrong password")
        assert response.status_code == 200, attempt
        assert WRONG in response.content.decode()
        assert LOCKED not in response.content.decode()
    fifth = web_login(client, "alice", "wrong password")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    assert int(fifth["Retry-After"]) == 15 * 60
    # Now even the right password is refused, and nobody is logged in.
    response = web_login(client, "alice", STRONG_PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert WRONG not in response.content.decode()
    assert not logged_in(client)


def test_the_lockout_ends_after_15_minutes(client, alice, later):
    fail(client, "alice", 5)
    later(14 * 60)
    response = web_login(client, "alice", STRONG_PASSWORD, ip="10.0.0.2")
    assert response.status_code == 429
    assert "Please wait 1 minute and try again." in response.content.decode()
    later(61)
    response = web_login(client, "alice", STRONG_PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302
    assert logged_in(client)


def test_failures_older_than_the_window_do_not_count(client, alice, later):
    fail(client, "alice", 4)
    later(15 * 60 + 1)
    response = fail(client, "alice", 4, ip="10.0.0.3")
    assert response.status_code == 200
    assert web_login(client, "alice", STRONG_PASSWORD, ip="10.0.0.3").status_code == 302


def test_a_successful_login_resets_the_count(client, alice):
    fail(client, "alice", 4)
    assert web_login(client, "alice", STRONG_PASSWORD, ip="10.0.0.9").status_code == 302
    client.post("/accounts/logout/")
    fail(client, "alice", 4, ip="10.0.0.8")
    assert web_login(client, "alice", STRONG_PASSWORD, ip="10.0.0.7").status_code == 302


def test_no_user_enumeration(client, alice):
    """An unknown username gets exactly the same answers as a real one."""
    real = [web_login(Client(), "alice", "wrong", ip="10.1.0.1") for _ in range(6)]
    ghost = [web_login(Client(), "nobody_here", "wrong", ip="10.1.0.2") for _ in range(6)]
    assert [r.status_code for r in real] == [r.status_code for r in ghost]
    assert [r.status_code for r in real] == [200, 200, 200, 200, 429, 429]
    for mine, theirs in zip(real, ghost, strict=True):
        assert mine.context["form"].errors == theirs.context["form"].errors


def test_usernames_count_case_insensitively(client, alice):
    for name in ("alice", "Alice", "ALICE", " alice", "aLiCe"):
        web_login(client, name, "wrong")
    assert web_login(client, "alice", STRONG_PASSWORD).status_code == 429


def test_one_address_trying_many_usernames_is_locked_out(client, user_factory, alice):
    bob = user_factory(username="bob", password=STRONG_PASSWORD)
    for name in ("carol", "dave", "erin", "frank", "grace"):
        web_login(client, name, "guess", ip="192.0.2.7")
    response = web_login(client, bob.username, STRONG_PASSWORD, ip="192.0.2.7")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # Bob himself, from his own address, is fine: the lock is on the address.
    assert web_login(Client(), bob.username, STRONG_PASSWORD, ip="198.51.100.1").status_code == 302


def test_a_login_of_ones_own_does_not_reset_the_address(client, user_factory, alice):
    for name in ("carol", "dave", "erin", "frank"):
        web_login(client, name, "guess", ip="192.0.2.8")
    assert web_login(client, "alice", STRONG_PASSWORD, ip="192.0.2.8").status_code == 302
    client.post("/accounts/logout/")
    web_login(client, "heidi", "guess", ip="192.0.2.8")
    assert web_login(client, "alice", STRONG_PASSWORD, ip="192.0.2.8").status_code == 429


def test_behind_a_proxy_the_forwarded_address_counts(client, settings, alice):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        client.post(
            LOGIN_URL,
            {"username": f"user{n}", "password": "x"},
            REMOTE_ADDR="10.9.9.9",  # the proxy
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.{n}",
        )
    # Five different visitors behind one proxy: nobody is locked out by address.
    response = client.post(
        LOGIN_URL,
        {"username": "alice", "password": STRONG_PASSWORD},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )
    assert response.status_code == 302
    # A spoofed left-most entry does not help the attacker: the proxy's entry is used.
    client.post("/accounts/logout/")
    for n in range(5):
        client.post(
            LOGIN_URL,
            {"username": f"x{n}", "password": "x"},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 198.51.100.200",
        )
    response = client.post(
        LOGIN_URL,
        {"username": "alice", "password": STRONG_PASSWORD},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.200",
    )
    assert response.status_code == 429


def test_the_lock_lives_in_the_cache(client, alice):
    fail(client, "alice", 5)
    cache.clear()
    assert web_login(client, "alice", STRONG_PASSWORD).status_code == 302


# --- the API token view and the admin ---------------------------------------------------
def test_api_token_view_locks_out_with_the_api_error_shape(client, alice):
    for _ in range(4):
        response = api_login(client, "alice", "wrong")
        assert response.status_code == 400
        assert response.json()["error"]["message"] == "Those credentials are not valid."
    response = api_login(client, "alice", "wrong")
    assert response.status_code == 429
    assert response.json() == {"error": {"code": "locked_out", "message": LOCKED, "fields": {}}}
    assert int(response["Retry-After"]) == 15 * 60
    response = api_login(client, "alice", STRONG_PASSWORD)
    assert response.status_code == 429
    assert "token" not in response.json()


def test_api_and_web_failures_add_up(client, alice):
    for _ in range(3):
        api_login(client, "alice", "wrong")
    fail(client, "alice", 2)
    assert api_login(client, "alice", STRONG_PASSWORD).status_code == 429
    assert web_login(client, "alice", STRONG_PASSWORD).status_code == 429


def test_api_unknown_username_is_answered_like_a_known_one(client, alice):
    real = [api_login(Client(), "alice", "wrong", ip="10.2.0.1") for _ in range(6)]
    ghost = [api_login(Client(), "ghost_user", "wrong", ip="10.2.0.2") for _ in range(6)]
    assert [r.status_code for r in real] == [r.status_code for r in ghost]
    assert [r.json() for r in real] == [r.json() for r in ghost]


def test_api_token_after_success_still_works(client, alice):
    for _ in range(4):
        api_login(client, "alice", "wrong")
    response = api_login(client, "alice", STRONG_PASSWORD)
    assert response.status_code == 200
    assert response.json()["token"]


def test_admin_login_is_locked_out_too(client, user_factory):
    user_factory(username="boss", password=STRONG_PASSWORD, is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post(
            ADMIN_LOGIN_URL, {"username": "boss", "password": "wrong"}, REMOTE_ADDR="10.3.0.1"
        )
    response = client.post(
        ADMIN_LOGIN_URL,
        {"username": "boss", "password": STRONG_PASSWORD},
        REMOTE_ADDR="10.3.0.2",
    )
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert not logged_in(client)


def test_any_authenticate_call_is_refused_while_locked(alice, rf):
    """The backend enforces it: code that calls authenticate() directly obeys the lock."""
    from django.contrib.auth import authenticate

    request = rf.post(LOGIN_URL, REMOTE_ADDR="10.4.0.1")
    for _ in range(5):
        assert authenticate(request, username="alice", password="wrong") is None
    assert authenticate(request, username="alice", password=STRONG_PASSWORD) is None
    assert lockout.lockout_status(request=request, username="alice").locked
    other = rf.post(LOGIN_URL, REMOTE_ADDR="10.4.0.2")
    assert authenticate(other, username="alice", password=STRONG_PASSWORD) is None


def test_force_login_and_sessions_keep_using_the_model_backend(client, alice):
    client.force_login(alice)
    assert (
        client.session["_auth_user_backend"] == "social.restrictions.RestrictionAwareModelBackend"
    )
    assert client.get("/settings/").status_code == 200


def test_delete_account_password_guesses_count_as_failed_logins(client, alice):
    client.force_login(alice)
    for _ in range(5):
        response = client.post("/settings/delete/", {"password": "guess"}, REMOTE_ADDR="10.5.0.1")
        assert response.status_code == 400
    assert LOCKED in response.content.decode()
    response = client.post(
        "/settings/delete/", {"password": STRONG_PASSWORD}, REMOTE_ADDR="10.5.0.1"
    )
    assert response.status_code == 400
    assert LOCKED in response.content.decode()
    assert User.objects.filter(username="alice").exists()
