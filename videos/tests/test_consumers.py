"""The live WebSocket at /ws/live/ through the real ASGI application (origin check and auth
middleware included), with WebsocketCommunicator and the configured channel layer."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from social import graph
from tiktok.asgi import application
from videos import engagement, live
from videos.models import Video

pytestmark = [pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://localhost")


def _session_cookie(user) -> bytes:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "social.restrictions.RestrictionAwareModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"sessionid={session.session_key}".encode()


async def _connect(user=None, origin=ORIGIN) -> WebsocketCommunicator:
    headers = [(b"host", b"localhost")]
    if origin is not None:
        headers.append(origin)
    if user is not None:
        cookie = await database_sync_to_async(_session_cookie)(user)
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    if user is not None:
        first = await communicator.receive_json_from(timeout=5)
        assert first["type"] == "unread"
    return communicator


async def _receive_type(communicator, kind: str, timeout: float = 3) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        message = await communicator.receive_json_from(timeout=max(0.05, remaining))
        if message["type"] == kind:
            return message


@pytest.fixture(autouse=True)
def _fresh_coalescer():
    live.stats.last_sent.clear()
    live.stats.scheduled.clear()


async def test_cross_origin_connection_is_refused(video_factory):
    communicator = WebsocketCommunicator(
        application,
        "/ws/live/",
        headers=[(b"host", b"localhost"), (b"origin", b"https://evil.example")],
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected is False


async def test_subscribe_sends_true_counts_at_once(video_factory):
    video = await database_sync_to_async(video_factory)(likes_count=0)
    await database_sync_to_async(Video.objects.filter(pk=video.pk).update)(likes_count=7)
    communicator = await _connect()
    await communicator.send_json_to({"subscribe": [video.public_id]})
    message = await communicator.receive_json_from(timeout=3)
    assert message == {
        "type": "video.stats",
        "video": video.public_id,
        "likes": 7,
        "comments": 0,
        "views": 0,
        "shares": 0,
    }
    await communicator.disconnect()


@pytest.mark.parametrize(
    "hidden_fields",
    [
        {"is_hidden": True},
        {"visibility": Video.Visibility.PRIVATE},
        {"status": Video.Status.PROCESSING},
    ],
)
async def test_subscribing_to_what_you_may_not_see_is_refused(video_factory, hidden_fields):
    video = await database_sync_to_async(video_factory)(**hidden_fields)
    communicator = await _connect()
    await communicator.send_json_to({"subscribe": [video.public_id, "doesnotexist"]})
    first = await communicator.receive_json_from(timeout=3)
    second = await communicator.receive_json_from(timeout=3)
    assert first == {
        "type": "error",
        "code": "forbidden",
        "message": "This video is not available.",
        "video": video.public_id,
    }
    assert second["code"] == "forbidden" and second["video"] == "doesnotexist"
    await communicator.disconnect()


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        json.dumps([1, 2]),
        json.dumps({"subscribe": "abc"}),
        json.dumps({"subscribe": [1]}),
        json.dumps({"subscribe": ["x" * 17]}),
        json.dumps({"subscribe": ["a"] * 11}),
        json.dumps({"hello": 1}),
        "x" * 5000,
    ],
)
async def test_bad_messages_get_an_error_not_a_crash(payload):
    communicator = await _connect()
    await communicator.send_to(text_data=payload)
    message = await communicator.receive_json_from(timeout=3)
    assert message["type"] == "error" and message["code"] == "bad_message"
    # still alive afterwards
    await communicator.send_json_to({"unsubscribe": []})
    await communicator.disconnect()


async def test_like_reaches_subscriber_and_unsubscribe_stops_it(user_factory, video_factory):
    author = await database_sync_to_async(user_factory)()
    fan = await database_sync_to_async(user_factory)()
    video = await database_sync_to_async(video_factory)(author=author)
    communicator = await _connect()
    await communicator.send_json_to({"subscribe": [video.public_id]})
    await communicator.receive_json_from(timeout=3)  # the initial counts
    await asyncio.sleep(live.STATS_INTERVAL)
    await database_sync_to_async(engagement.like_create)(user=fan, video=video)
    message = await _receive_type(communicator, "video.stats")
    assert message["likes"] == 1
    await communicator.send_json_to({"unsubscribe": [video.public_id]})
    await asyncio.sleep(0.1)
    await asyncio.sleep(live.STATS_INTERVAL)
    await database_sync_to_async(engagement.like_delete)(user=fan, video=video)
    assert await communicator.receive_nothing(timeout=live.STATS_INTERVAL * 3)
    await communicator.disconnect()


async def test_comment_arrives_live_without_author_id(user_factory, video_factory):
    author = await database_sync_to_async(user_factory)()
    fan = await database_sync_to_async(user_factory)()
    video = await database_sync_to_async(video_factory)(author=author)
    communicator = await _connect()
    await communicator.send_json_to({"subscribe": [video.public_id]})
    await communicator.receive_json_from(timeout=3)
    comment = await database_sync_to_async(engagement.comment_create)(
        user=fan, video=video, text="<b>first!</b>"
    )
    message = await _receive_type(communicator, "comment.new")
    assert message["video"] == video.public_id
    assert message["comment"]["id"] == comment.public_id
    assert message["comment"]["text"] == "<b>first!</b>"  # raw text; the client uses textContent
    assert message["comment"]["author"] == fan.username
    assert "author_id" not in message["comment"]
    await communicator.disconnect()


async def test_blocked_commenter_is_not_pushed(user_factory, video_factory):
    author = await database_sync_to_async(user_factory)()
    viewer = await database_sync_to_async(user_factory)()
    troll = await database_sync_to_async(user_factory)()
    video = await database_sync_to_async(video_factory)(author=author)
    await database_sync_to_async(graph.block_create)(blocker=viewer, blocked=troll)
    communicator = await _connect(viewer)
    await communicator.send_json_to({"subscribe": [video.public_id]})
    await _receive_type(communicator, "video.stats")
    await database_sync_to_async(engagement.comment_create)(user=troll, video=video, text="hi")
    await database_sync_to_async(engagement.comment_create)(user=author, video=video, text="hello")
    message = await _receive_type(communicator, "comment.new")
    assert message["comment"]["author"] == author.username
    await communicator.disconnect()


async def test_video_hidden_stops_sending(user_factory, video_factory):
    video = await database_sync_to_async(video_factory)()
    fan = await database_sync_to_async(user_factory)()
    communicator = await _connect()
    await communicator.send_json_to({"subscribe": [video.public_id]})
    await communicator.receive_json_from(timeout=3)
    await database_sync_to_async(Video.objects.filter(pk=video.pk).update)(is_hidden=True)
    await database_sync_to_async(live.video_access_changed)(video_public_id=video.public_id)
    gone = await _receive_type(communicator, "video.gone")
    assert gone == {"type": "video.gone", "video": video.public_id}
    await database_sync_to_async(Video.objects.filter(pk=video.pk).update)(is_hidden=False)
    await asyncio.sleep(live.STATS_INTERVAL)
    await database_sync_to_async(engagement.like_create)(user=fan, video=video)
    assert await communicator.receive_nothing(timeout=live.STATS_INTERVAL * 3)
    await communicator.disconnect()


async def test_notifications_and_unread_count_reach_the_user(user_factory, video_factory):
    author = await database_sync_to_async(user_factory)()
    fan = await database_sync_to_async(user_factory)()
    communicator = await _connect(author)
    await database_sync_to_async(graph.follow_create)(follower=fan, followee=author)
    message = await _receive_type(communicator, "notification")
    assert message["kind"] == "follow"
    assert message["actor"] == fan.username
    assert message["unread"] == 1
    await database_sync_to_async(graph.notifications_mark_read)(user=author)
    unread = await _receive_type(communicator, "unread")
    assert unread == {"type": "unread", "count": 0}
    await communicator.disconnect()


async def test_bursts_are_coalesced_with_the_true_final_count(user_factory, video_factory):
    """90 stats events in a burst (under the layer's per-channel capacity): the subscriber
    gets a few messages, and the last one carries the true final count."""
    video = await database_sync_to_async(video_factory)()
    communicator = await _connect()
    await communicator.send_json_to({"subscribe": [video.public_id]})
    await communicator.receive_json_from(timeout=3)
    layer = get_channel_layer()
    started = asyncio.get_running_loop().time()
    now = time.time()
    for n in range(1, 91):
        await layer.group_send(
            live.video_group(video.public_id),
            {
                "type": "video.stats",
                "video": video.public_id,
                "likes": n,
                "comments": 0,
                "views": 0,
                "shares": 0,
                "at": now + n,
            },
        )
    received = []
    # receive_nothing waits without cancelling the app (a timed-out receive would).
    while not await communicator.receive_nothing(timeout=live.STATS_INTERVAL * 3):
        received.append(await communicator.receive_json_from(timeout=1))
    elapsed = asyncio.get_running_loop().time() - started
    assert received[-1]["likes"] == 90
    assert len(received) <= max(2, int(elapsed / live.STATS_INTERVAL) + 2)
    assert len(received) < 10
    await communicator.disconnect()


async def test_stale_reading_never_overwrites_a_newer_one(video_factory):
    video = await database_sync_to_async(video_factory)()
    communicator = await _connect()
    await communicator.send_json_to({"subscribe": [video.public_id]})
    await communicator.receive_json_from(timeout=3)
    layer = get_channel_layer()
    group = live.video_group(video.public_id)
    base = {"type": "video.stats", "video": video.public_id, "comments": 0, "views": 0, "shares": 0}
    await asyncio.sleep(live.STATS_INTERVAL)
    await layer.group_send(group, {**base, "likes": 5, "at": time.time() + 100})
    first = await communicator.receive_json_from(timeout=3)
    await layer.group_send(group, {**base, "likes": 4, "at": time.time() + 50})  # older, late
    assert first["likes"] == 5
    assert await communicator.receive_nothing(timeout=live.STATS_INTERVAL * 3)
    await communicator.disconnect()


async def test_channel_layer_down_does_not_fail_the_like(user_factory, video_factory, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        author = await database_sync_to_async(user_factory)()
        fan = await database_sync_to_async(user_factory)()
        video = await database_sync_to_async(video_factory)(author=author)
        added = await database_sync_to_async(engagement.like_create)(user=fan, video=video)
        assert added is True
        await database_sync_to_async(video.refresh_from_db)()
        assert video.likes_count == 1
    finally:
        channel_layers.backends.clear()
