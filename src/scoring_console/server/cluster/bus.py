"""The effects channel on Redis: a synchronous publisher, an asyncio subscriber.

Publishing happens in the database's commit hook, which may run in the group
committer's worker thread: a plain (synchronous) redis-py client does it, with its own
connection pool. The subscriber is a redis-py asyncio pub/sub connection read by one
task; every message from another node goes to ``on_message``, this node's own
messages are ignored (it delivered them from its commit hook already).

If the subscription drops, the task reconnects; whatever was published meanwhile is
lost to this node and its gate skips the gap (local sockets resync).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import redis
import redis.asyncio as aioredis

from .codec import CodecError, EffectsMessage, decode

log = logging.getLogger(__name__)

CHANNEL = "scoring:effects"
"""The one pub/sub channel every node publishes on and listens to."""

RECONNECT_DELAY = 0.5


class EffectsBus:
    """Publishes this node's committed effects and receives every other node's."""

    def __init__(
        self,
        url: str,
        node_id: str,
        on_message: Callable[[EffectsMessage], None],
        channel: str = CHANNEL,
    ) -> None:
        self.node_id = node_id
        self.channel = channel
        self._on_message = on_message
        self._sync = redis.Redis.from_url(url, socket_timeout=5.0, socket_connect_timeout=5.0)
        self._async = aioredis.Redis.from_url(url, socket_connect_timeout=5.0)
        self._pubsub: aioredis.client.PubSub | None = None
        self._task: asyncio.Task[None] | None = None
        self.received = 0
        """Messages from other nodes handed on."""
        self.malformed = 0
        self.resubscribed = 0
        self.lost_subscription: Callable[[], None] | None = None
        """Called when the subscription dropped (messages may have been missed)."""

    async def subscribe(self) -> None:
        """Subscribe and wait for Redis to confirm, then read in the background."""
        self._pubsub = await self._subscribed()
        self._task = asyncio.get_running_loop().create_task(self._read())

    def publish(self, text: str) -> None:
        """Publish one encoded message (synchronous: called from the commit hook)."""
        self._sync.publish(self.channel, text)

    async def close(self) -> None:
        """Stop reading and close both clients."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._pubsub is not None:
            try:
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            except Exception:
                log.debug("closing the subscription failed", exc_info=True)
        await self._async.aclose()
        self._sync.close()

    async def _subscribed(self) -> aioredis.client.PubSub:
        pubsub = self._async.pubsub()
        await pubsub.subscribe(self.channel)
        # wait for Redis's confirmation: from then on nothing published is missed
        async with asyncio.timeout(10.0):
            while True:
                reply = await pubsub.get_message(timeout=1.0)
                if reply is not None and reply.get("type") == "subscribe":
                    return pubsub
                if reply is not None and reply.get("type") == "message":
                    self._handle(reply["data"])

    async def _read(self) -> None:
        while True:
            pubsub = self._pubsub
            try:
                assert pubsub is not None
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("effects subscription lost (%s); resubscribing", exc)
                await self._resubscribe()
                continue
            if message is None or message.get("type") != "message":
                continue
            self._handle(message["data"])

    def _handle(self, data: bytes | str) -> None:
        try:
            decoded = decode(data)
        except CodecError as exc:
            self.malformed += 1
            log.error("%s", exc)
            return
        if decoded.node == self.node_id:
            return
        self.received += 1
        self._on_message(decoded)

    async def _resubscribe(self) -> None:
        if self.lost_subscription is not None:
            self.lost_subscription()
        while True:
            await asyncio.sleep(RECONNECT_DELAY)
            try:
                if self._pubsub is not None:
                    await self._pubsub.aclose()  # type: ignore[no-untyped-call]
                self._pubsub = await self._subscribed()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("resubscribing failed: %s", exc)
                continue
            self.resubscribed += 1
            return
