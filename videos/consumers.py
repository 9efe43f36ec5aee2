"""One WebSocket per page at /ws/live/.

Client → server: {"subscribe": [public_id, …]} and {"unsubscribe": [public_id, …]}.
Server → client: {"type": "video.stats", …}, {"type": "comment.new", …},
{"type": "comment.removed", …}, {"type": "notification", …}, {"type": "error", …}.

Thin: auth happens in connect (AuthMiddlewareStack + AllowedHostsOriginValidator in
asgi.py), every permission question goes to the same selectors the HTML views use.
"""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import SESSION_KEY
from django.http import Http404

from . import live, selectors

MAX_SUBSCRIPTIONS = 30
MAX_IDS_PER_MESSAGE = 10
# Per connection and video, at most one stats message per interval (leading + trailing).
SEND_INTERVAL = live.STATS_INTERVAL


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.user = self.scope.get("user")
        self.videos: set[str] = set()
        self.latest: dict[str, dict] = {}
        self.last_sent: dict[str, float] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.blocked_ids: frozenset[int] = frozenset()
        session = self.scope.get("session")
        claimed = session is not None and await database_sync_to_async(session.get)(SESSION_KEY)
        if claimed and (self.user is None or not self.user.is_authenticated):
            # The session names an account the backend no longer lets in (suspended,
            # banned, deactivated, password changed): refuse rather than go on as anonymous.
            await self.close(code=4401)
            return
        await self.accept()
        if self.user is not None and self.user.is_authenticated:
            await self.channel_layer.group_add(live.user_group(self.user.pk), self.channel_name)
            self.blocked_ids = await self._load_blocks()
            await self.send_json({"type": "unread", "count": await self._unread_count()})

    async def disconnect(self, code):
        for handle in self.pending.values():
            handle.cancel()
        for public_id in list(getattr(self, "videos", ())):
            await self.channel_layer.group_discard(live.video_group(public_id), self.channel_name)
        user = getattr(self, "user", None)
        if user is not None and user.is_authenticated:
            await self.channel_layer.group_discard(live.user_group(user.pk), self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self._error("bad_message", "Send a JSON object.")
            return
        subscribe = content.get("subscribe")
        unsubscribe = content.get("unsubscribe")
        if subscribe is None and unsubscribe is None:
            await self._error("bad_message", "Expected 'subscribe' or 'unsubscribe'.")
            return
        for ids in (subscribe, unsubscribe):
            if ids is not None and (
                not isinstance(ids, list)
                or len(ids) > MAX_IDS_PER_MESSAGE
                or not all(isinstance(i, str) and 0 < len(i) <= 16 for i in ids)
            ):
                await self._error("bad_message", "Give a list of up to 10 video ids.")
                return
        for public_id in unsubscribe or []:
            await self._unsubscribe(public_id)
        for public_id in subscribe or []:
            await self._subscribe(public_id)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None or len(text_data) > 4096:
            await self._error("bad_message", "Messages are JSON text up to 4 KB.")
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            await self._error("bad_message", "That was not JSON.")
            return
        await self.receive_json(content)

    # --- subscriptions -------------------------------------------------------------------
    async def _subscribe(self, public_id: str) -> None:
        if public_id in self.videos:
            return
        if len(self.videos) >= MAX_SUBSCRIPTIONS:
            await self._error("too_many", "Unsubscribe from some videos first.", video=public_id)
            return
        stats = await self._visible_stats(public_id)
        if stats is None:
            await self._error("forbidden", "This video is not available.", video=public_id)
            return
        self.videos.add(public_id)
        await self.channel_layer.group_add(live.video_group(public_id), self.channel_name)
        # Subscribing is also the resync: the client gets the true counts right away.
        self.last_sent[public_id] = asyncio.get_running_loop().time()
        self.latest[public_id] = stats
        await self.send_json(_public_stats(stats))

    async def _unsubscribe(self, public_id: str) -> None:
        if public_id not in self.videos:
            return
        self.videos.discard(public_id)
        self.latest.pop(public_id, None)
        handle = self.pending.pop(public_id, None)
        if handle:
            handle.cancel()
        await self.channel_layer.group_discard(live.video_group(public_id), self.channel_name)

    # --- events from the channel layer ---------------------------------------------------
    async def video_stats(self, event):
        public_id = event["video"]
        if public_id not in self.videos:
            return
        current = self.latest.get(public_id)
        if current is not None and current.get("at", 0) > event.get("at", 0):
            return  # an older reading that arrived late
        self.latest[public_id] = event
        if public_id in self.pending:
            return
        loop = asyncio.get_running_loop()
        wait = self.last_sent.get(public_id, 0) + SEND_INTERVAL - loop.time()
        if wait <= 0:
            await self._flush_stats(public_id)
        else:
            self.pending[public_id] = loop.call_later(
                wait, lambda: asyncio.ensure_future(self._flush_stats(public_id))
            )

    async def _flush_stats(self, public_id: str) -> None:
        self.pending.pop(public_id, None)
        event = self.latest.get(public_id)
        if event is None or public_id not in self.videos:
            return
        self.last_sent[public_id] = asyncio.get_running_loop().time()
        await self.send_json(_public_stats(event))

    async def comment_new(self, event):
        if event["video"] not in self.videos:
            return
        author_id = event["comment"].get("author_id")
        if author_id in self.blocked_ids:
            return
        comment = {k: v for k, v in event["comment"].items() if k != "author_id"}
        await self.send_json({"type": "comment.new", "video": event["video"], "comment": comment})

    async def comment_removed(self, event):
        if event["video"] in self.videos:
            await self.send_json(
                {"type": "comment.removed", "video": event["video"], "comment": event["comment"]}
            )

    async def video_recheck(self, event):
        public_id = event["video"]
        if public_id in self.videos and await self._visible_stats(public_id) is None:
            await self._unsubscribe(public_id)
            await self.send_json({"type": "video.gone", "video": public_id})

    async def notification(self, event):
        payload = {k: v for k, v in event.items() if k != "type"}
        await self.send_json({"type": "notification", **payload})

    async def unread(self, event):
        await self.send_json({"type": "unread", "count": event["count"]})

    async def account_closed(self, event):
        """The account was suspended or banned (social.restrictions.user_restrict)."""
        await self.close(code=4403)

    async def blocks_changed(self, event):
        self.blocked_ids = await self._load_blocks()
        for public_id in list(self.videos):
            if await self._visible_stats(public_id) is None:
                await self._unsubscribe(public_id)
                await self.send_json({"type": "video.gone", "video": public_id})

    # --- helpers -----------------------------------------------------------------------
    async def _error(self, code: str, message: str, **extra) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    @database_sync_to_async
    def _visible_stats(self, public_id: str) -> dict | None:
        try:
            video = selectors.video_get_visible(viewer=self.user, public_id=public_id)
        except Http404:
            return None
        return live.stats_payload(video)

    @database_sync_to_async
    def _load_blocks(self) -> frozenset[int]:
        from social.selectors import blocked_user_ids

        return frozenset(blocked_user_ids(user=self.user))

    @database_sync_to_async
    def _unread_count(self) -> int:
        from social.selectors import notifications_unread_count

        return notifications_unread_count(user=self.user)


def _public_stats(event: dict) -> dict:
    return {key: event[key] for key in ("type", "video", "likes", "comments", "views", "shares")}
