"""Live events over the channel layer. Services call these from transaction.on_commit.

Groups:
- ``video.<public_id>``: viewers subscribed to one video (stats, new comments, revocations);
- ``user.<id>``: one signed-in person's pages (notifications, unread count, blocks).

Stats bursts are coalesced here, per process and per video: the first change is sent at
once, later changes inside STATS_INTERVAL are folded into one trailing message read fresh
from the database, so a video with hundreds of likes a second sends each subscriber at most
a few messages a second, each with the true count. Consumers coalesce again across
processes (see consumers.py). If the channel layer is down the write has already
succeeded; the failure is logged and clients resync over HTTP when they reconnect.
"""

from __future__ import annotations

import logging
import threading
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection

logger = logging.getLogger(__name__)

STATS_INTERVAL = 0.25  # seconds between stats messages per video and process


def video_group(public_id: str) -> str:
    return f"video.{public_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def group_send(group: str, message: dict) -> bool:
    """Send, never raise: the write that caused this event has already been committed."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(group, message)
        return True
    except Exception:
        logger.warning(
            "channel layer unavailable; live event %s dropped", message.get("type"), exc_info=True
        )
        return False


def stats_payload(video) -> dict:
    return {
        "type": "video.stats",
        "video": video.public_id,
        "likes": video.likes_count,
        "comments": video.comments_count,
        "views": video.views_count,
        "shares": video.shares_count,
        # Consumers keep the freshest reading when messages from several processes cross.
        "at": time.time(),
    }


def _read_and_send_stats(video_pk: int) -> None:
    from .models import Video

    video = (
        Video.objects.filter(pk=video_pk)
        .only("public_id", "likes_count", "comments_count", "views_count", "shares_count")
        .first()
    )
    if video is not None:
        group_send(video_group(video.public_id), stats_payload(video))


class _StatsCoalescer:
    def __init__(self, interval: float):
        self.interval = interval
        self.lock = threading.Lock()
        self.last_sent: dict[int, float] = {}
        self.scheduled: set[int] = set()

    def changed(self, video_pk: int) -> None:
        now = time.monotonic()
        with self.lock:
            if video_pk in self.scheduled:
                return  # a trailing send is coming and will read the newest counts
            wait = self.last_sent.get(video_pk, 0.0) + self.interval - now
            if wait <= 0:
                self.last_sent[video_pk] = now
                send_now = True
            else:
                self.scheduled.add(video_pk)
                send_now = False
        if send_now:
            _read_and_send_stats(video_pk)
        else:
            timer = threading.Timer(wait, self._flush, args=(video_pk,))
            timer.daemon = True
            timer.start()

    def _flush(self, video_pk: int) -> None:
        with self.lock:
            self.scheduled.discard(video_pk)
            self.last_sent[video_pk] = time.monotonic()
            if len(self.last_sent) > 10_000:  # forget long-quiet videos
                cutoff = time.monotonic() - 60
                self.last_sent = {k: v for k, v in self.last_sent.items() if v > cutoff}
        try:
            _read_and_send_stats(video_pk)
        finally:
            # This timer thread opened its own connection; don't leave it dangling.
            connection.close()


stats = _StatsCoalescer(STATS_INTERVAL)


def video_stats_changed(video_pk: int) -> None:
    stats.changed(video_pk)


def comment_new(*, video_public_id: str, payload: dict) -> None:
    group_send(
        video_group(video_public_id),
        {"type": "comment.new", "video": video_public_id, "comment": payload},
    )


def comment_removed(*, video_public_id: str, comment_public_id: str) -> None:
    group_send(
        video_group(video_public_id),
        {"type": "comment.removed", "video": video_public_id, "comment": comment_public_id},
    )


def video_access_changed(*, video_public_id: str) -> None:
    """The video became hidden, private or followers-only: every subscriber re-checks."""
    group_send(video_group(video_public_id), {"type": "video.recheck", "video": video_public_id})


def notify_user(*, user_id: int, payload: dict) -> None:
    group_send(user_group(user_id), {"type": "notification", **payload})


def account_restricted(*, user_id: int) -> None:
    """A suspension or ban: the account's open sockets close (consumers.account_closed)."""
    group_send(user_group(user_id), {"type": "account.closed"})


def blocks_changed(*, user_ids: list[int]) -> None:
    for user_id in user_ids:
        group_send(user_group(user_id), {"type": "blocks.changed"})


def push_notification(notification, unread: int) -> None:
    notify_user(
        user_id=notification.recipient_id,
        payload={
            "kind": notification.kind,
            "actor": notification.actor.username,
            "text": f"@{notification.actor.username} {notification.get_kind_display()}",
            "video": notification.video_public_id,
            "unread": unread,
        },
    )


def push_unread(user_id: int, unread: int) -> None:
    group_send(user_group(user_id), {"type": "unread", "count": unread})
