"""Suspended and banned accounts (social/restrictions.py): no login on the site, the admin or
POST auth/token/; sessions, tokens and OAuth tokens stop working at once (401 with the
reason); WebSockets are refused and open ones closed; a suspension ends by itself."""

from __future__ import annotations

import datetime

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from social.models import User
from tiktok.asgi import application
from videos import moderation
from videos.models import ModerationAction

A = ModerationAction.Action
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def suspend(user, *, days=3):
    User.objects.filter(pk=user.pk).update(
        suspended_until=timezone.now() + datetime.timedelta(days=days)
    )
    user.refresh_from_db()


def ban(user):
    User.objects.filter(pk=user.pk).update(banned_at=timezone.now())
    user.refresh_from_db()


def end_suspension(user):
    User.objects.filter(pk=user.pk).update(
        suspended_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    user.refresh_from_db()


RESTRICT = {"suspended": suspend, "banned": ban}


def token_client(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api


# --- logging in --------------------------------------------------------------------------------
def test_suspended_login_says_until_when(client, user):
    suspend(user)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This account is suspended until" in html
    assert str(timezone.localtime(user.suspended_until).year) in html
    assert "_auth_user_id" not in client.session


def test_banned_login_says_banned(client, user):
    ban(user)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert "This account has been banned" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_of_a_suspended_account_tells_nothing(client, user):
    suspend(user)
    response = client.post("/accounts/login/", {"username": user.username, "password": "nope"})
    html = response.content.decode()
    assert "suspended" not in html and "banned" not in html


@pytest.mark.parametrize("kind", ["suspended", "banned"])
def test_admin_login_refused(client, user_factory, kind):
    staff = user_factory(is_staff=True)
    RESTRICT[kind](staff)
    response = client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "This account" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("kind", ["suspended", "banned"])
def test_api_token_refused(user, kind):
    RESTRICT[kind](user)
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code in (401, 403)
    error = response.json()["error"]
    assert error["code"] == "account_restricted"
    assert "This account" in error["message"]
    assert not Token.objects.filter(user=user).exists()


# --- what was already handed out --------------------------------------------------------------
@pytest.mark.parametrize("kind", ["suspended", "banned"])
def test_existing_session_stops_on_the_next_request(client, user, kind):
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert client.get("/api/v1/me/").status_code == 200
    RESTRICT[kind](user)
    assert client.get("/api/v1/me/").status_code in (401, 403)
    response = client.get("/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("kind", ["suspended", "banned"])
def test_tokens_and_oauth_tokens_are_refused_with_the_reason(user, kind, oauth_client):
    token, bearer = token_client(user), oauth_client(user)
    assert token.get("/api/v1/me/").status_code == 200
    assert bearer.get("/api/v1/me/").status_code == 200
    RESTRICT[kind](user)
    for api in (token, bearer):
        response = api.get("/api/v1/me/")
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == "account_restricted"
        assert error["message"].startswith("This account")
        # Reading public things with a refused credential is refused too, not anonymous.
        assert api.get("/api/v1/feed/for-you/").status_code == 401


def test_a_suspension_ends_by_itself(client, user):
    token = token_client(user)
    suspend(user)
    assert token.get("/api/v1/me/").status_code == 401
    end_suspension(user)
    assert token.get("/api/v1/me/").status_code == 200
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/v1/me/").json()["username"] == user.username


def test_moderation_act_suspension_blocks_everything(user, moderator):
    token = token_client(user)
    moderation.moderation_act(moderator=moderator, target=user, action=A.SUSPEND_USER, days=1)
    assert token.get("/api/v1/me/").status_code == 401
    moderation.moderation_act(moderator=moderator, target=user, action=A.LIFT_RESTRICTION)
    assert token.get("/api/v1/me/").status_code == 200


# --- WebSockets --------------------------------------------------------------------------------
def _session_cookie(user) -> bytes:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "social.restrictions.RestrictionAwareModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"sessionid={session.session_key}".encode()


async def _communicator(user):
    cookie = await database_sync_to_async(_session_cookie)(user)
    return WebsocketCommunicator(
        application,
        "/ws/live/",
        headers=[(b"host", b"localhost"), (b"origin", b"http://localhost"), (b"cookie", cookie)],
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["suspended", "banned"])
async def test_websocket_refused_for_a_restricted_account(user_factory, kind):
    person = await database_sync_to_async(user_factory)()
    await database_sync_to_async(RESTRICT[kind])(person)
    communicator = await _communicator(person)
    connected, code = await communicator.connect(timeout=5)
    assert connected is False
    assert code == 4401


@pytest.mark.django_db(transaction=True)
async def test_open_websocket_is_closed_on_suspension(user_factory):
    from social.restrictions import user_restrict

    person = await database_sync_to_async(user_factory)()
    communicator = await _communicator(person)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "unread"
    until = timezone.now() + datetime.timedelta(days=1)
    await database_sync_to_async(user_restrict)(user=person, until=until)
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4403}
    # And when the suspension is over, the same session connects again.
    await database_sync_to_async(end_suspension)(person)
    again = await _communicator(person)
    connected, _ = await again.connect(timeout=5)
    assert connected
    await again.disconnect()


# --- the moderation path reaches live subscribers at once --------------------------------------
@pytest.mark.django_db(transaction=True)
async def test_hiding_from_moderation_sends_video_gone_and_removal_sends_comment_removed(
    user_factory, video_factory
):
    from videos import engagement

    mod = await database_sync_to_async(user_factory)(is_staff=True)
    await database_sync_to_async(lambda: mod.groups.add(moderation.moderators_group_ensure()))()
    video = await database_sync_to_async(video_factory)()
    commenter = await database_sync_to_async(user_factory)()
    comment = await database_sync_to_async(engagement.comment_create)(
        user=commenter, video=video, text="nasty"
    )
    watcher = WebsocketCommunicator(
        application,
        "/ws/live/",
        headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")],
    )
    connected, _ = await watcher.connect(timeout=5)
    assert connected
    await watcher.send_json_to({"subscribe": [video.public_id]})
    assert (await watcher.receive_json_from(timeout=5))["type"] == "video.stats"

    async def next_of(kind):
        while True:
            message = await watcher.receive_json_from(timeout=5)
            if message["type"] == kind:
                return message

    mod = await database_sync_to_async(User.objects.get)(pk=mod.pk)  # fresh permission cache
    await database_sync_to_async(moderation.moderation_act)(
        moderator=mod, target=comment, action=A.REMOVE_COMMENT
    )
    removed = await next_of("comment.removed")
    assert removed == {
        "type": "comment.removed",
        "video": video.public_id,
        "comment": comment.public_id,
    }
    await database_sync_to_async(moderation.moderation_act)(
        moderator=mod, target=video, action=A.HIDE_VIDEO
    )
    gone = await next_of("video.gone")
    assert gone == {"type": "video.gone", "video": video.public_id}
    await watcher.disconnect()
