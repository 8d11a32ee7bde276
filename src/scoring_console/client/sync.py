"""Keeping the local state right: ``sync`` on connect and on ``prevSeq`` gaps, incoming
events validated and applied idempotently.

Every server event carries ``prevSeq``: the ``seq`` of the previous event the server
sent this connection (or of its last ``sync``). When it differs from the last ``seq``
this client saw, something was missed, and a ``sync`` is scheduled. Requests for a sync
while one is running coalesce into one more run.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pydantic import BaseModel, ValidationError

from scoring_console.protocol import SERVER_EVENTS, ClientEvent, ServerEvent, parse_ack
from scoring_console.protocol.entities import Assignment, Snapshot
from scoring_console.protocol.payloads import AssignmentRevoked

from .cache_writer import CacheWriter
from .errors import NotConnected
from .link import Link
from .observable import Observable
from .state import StateStore
from .tasks import TaskSet

log = logging.getLogger(__name__)


class Synchronizer:
    """Resyncs the state and routes incoming events into it."""

    def __init__(
        self,
        state: StateStore,
        cache: CacheWriter,
        link: Link,
        event_received: Observable[tuple[ServerEvent, BaseModel]],
        tasks: TaskSet,
    ) -> None:
        self.state = state
        self.cache = cache
        self.link = link
        self.event_received = event_received
        self.tasks = tasks
        self.last_seq: int | None = None
        """The ``seq`` of the last event or snapshot seen on the current connection."""
        self.sync_count = 0
        self._synced_seq: int | None = None
        self._in_flight = False
        self._again = False
        self._seen_during_sync = 0
        self._task: asyncio.Task[Any] | None = None
        self._lock = asyncio.Lock()

    # --- sync ------------------------------------------------------------------------

    async def sync(self) -> Snapshot:
        """Fetch a snapshot now, apply it, cache it. Raises NotConnected / ProtocolError.

        Syncs never overlap: a second caller waits for the first and then syncs again.
        """
        async with self._lock:
            return await self._sync_once()

    async def _sync_once(self) -> Snapshot:
        self._in_flight = True
        self._seen_during_sync = 0
        try:
            raw = await self.link.call(ClientEvent.SYNC, {})
            snapshot: Snapshot = parse_ack(str(ClientEvent.SYNC), raw, Snapshot)
        finally:
            self._in_flight = False
        self.state.apply_snapshot(snapshot)
        # events that arrived after the server answered continue the chain from it
        self.last_seq = max(snapshot.seq, self._seen_during_sync)
        self._synced_seq = snapshot.seq
        self.sync_count += 1
        self.cache.flush()  # logs its own failures: a cache problem never fails a sync
        log.info("synced at seq %d (%d scores)", snapshot.seq, len(snapshot.scores))
        return snapshot

    def request_sync(self, reason: str) -> None:
        """Schedule a sync; coalesces with one already scheduled or running."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        log.info("sync requested: %s", reason)
        self._task = self.tasks.spawn(self._sync_loop(), "sync")

    async def _sync_loop(self) -> None:
        while True:
            self._again = False
            try:
                await self.sync()
            except NotConnected:
                return  # the next connect syncs anyway
            except Exception as exc:
                log.warning("sync failed: %s", exc)
                self.link.reconnect(f"sync failed: {exc}")
                return
            if not self._again:
                return

    def connection_reset(self) -> None:
        """A new connection starts: its ``prevSeq`` chain starts at its first sync."""
        self.last_seq = None
        self._synced_seq = None

    # --- events ----------------------------------------------------------------------

    def handle_event(self, name: str, data: Any) -> BaseModel | None:
        """Validate, gap-check, apply and announce one incoming event.

        A bad payload or an unknown event is logged and dropped; the session lives on.
        Returns the parsed payload (``None`` when dropped).
        """
        try:
            event = ServerEvent(name)
        except ValueError:
            log.warning("unknown server event %r dropped", name)
            return None
        spec = SERVER_EVENTS[event]
        try:
            payload = spec.payload.model_validate(data)
        except ValidationError as exc:
            log.warning("bad %s payload dropped: %s", name, exc.errors(include_url=False)[:3])
            return None
        if event is ServerEvent.ERROR:
            log.warning("server error event: %s", data)
            self.event_received.emit((event, payload))
            return payload
        self._check_sequence(event, payload)
        self.state.apply(event, payload)
        self._follow_visibility(payload)
        self.event_received.emit((event, payload))
        return payload

    def _check_sequence(self, event: ServerEvent, payload: BaseModel) -> None:
        seq = getattr(payload, "seq", 0) or 0
        prev = getattr(payload, "prev_seq", None)
        if self._in_flight:
            self._seen_during_sync = max(self._seen_during_sync, seq)
            return
        if seq and self._synced_seq is not None and seq <= self._synced_seq:
            return  # already part of the last snapshot (stamped before the sync answer)
        if prev is not None and self.last_seq is not None and prev != self.last_seq:
            self.request_sync(f"{event}: prevSeq {prev} but last seen seq {self.last_seq}")
        if seq:
            # the server chains prevSeq from the highest seq it sent this connection
            self.last_seq = max(self.last_seq or 0, seq)

    def _follow_visibility(self, payload: BaseModel) -> None:
        user = self.state.user
        if user is None:
            return
        if isinstance(payload, Assignment | AssignmentRevoked) and payload.user_id == user.id:
            # our own categories changed: their sheets, scores and rooms come with a sync
            self.request_sync("own assignments changed")
