"""Delivering a service call's effects to live sockets.

For a :class:`Broadcast`, every socket in the union of its rooms gets its own copy:
masked when the rule says so (:func:`view_for`), with ``prevSeq`` set to the ``seq``
this socket was last given. The per-socket ``seq`` bookkeeping is done synchronously,
before the first ``await``, so two calls finishing close together cannot interleave
their events on one socket out of order.

A socket whose access token expired past the renew grace gets nothing more: it is
closed instead (:class:`~scoring_console.server.sessions.SessionCloser`), and a
:class:`CloseSessions` effect closes every socket of its user.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import socketio

from scoring_console.protocol.base import ServerMessage
from scoring_console.protocol.events import ServerEvent

from .metrics import ServerMetrics
from .rooms import Connection, ConnectionIndex
from .service.masking import view_for
from .service.types import Broadcast, CloseSessions, Effect, RoomChange
from .sessions import SessionCloser

log = logging.getLogger(__name__)

NAMESPACE = "/"


@dataclass(frozen=True)
class _Send:
    sid: str
    event: str
    data: dict[str, Any]


class Deliverer:
    """Turns effects into per-socket emits and live room moves."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        index: ConnectionIndex,
        metrics: ServerMetrics,
        closer: SessionCloser,
    ) -> None:
        self._sio = sio
        self._index = index
        self._metrics = metrics
        self._closer = closer

    async def deliver(self, effects: Iterable[Effect]) -> None:
        """Apply room changes, emit broadcasts and close sessions, in the order given."""
        sends: list[_Send] = []
        stale: set[str] = set()
        closing: list[CloseSessions] = []
        for effect in effects:
            if isinstance(effect, RoomChange):
                await self._move(effect)
            elif isinstance(effect, CloseSessions):
                closing.append(effect)
            else:
                sends.extend(self._plan(effect, stale))
        # A user whose sessions end gets none of this call's events.
        ending = {c.user_id for c in closing}
        ending_sids = {sid for user_id in ending for sid in self._index.sids_of(user_id)}
        await self._emit_all([s for s in sends if s.sid not in ending_sids])
        for effect in closing:
            await self._closer.close_user(effect.user_id, effect.reason)
        for sid in stale:
            await self._closer.close_sid(sid, "access token expired past the renew grace")

    async def send_to(self, sid: str, event: ServerEvent, payload: ServerMessage) -> None:
        """Emit one ``seq``-carrying message to one socket, chaining its ``prevSeq``."""
        connection = self._index.get(sid)
        if connection is None:
            return
        if self._closer.expired(connection):
            await self._closer.close_sid(sid, "access token expired past the renew grace")
            return
        data = self._stamp(connection, payload.to_wire(), payload.seq)
        await self._emit_all([_Send(sid, str(event), data)])

    def mark_synced(self, sid: str, seq: int) -> None:
        """A ``sync`` answered as of ``seq``: the next event chains from it."""
        connection = self._index.get(sid)
        if connection is not None:
            connection.last_seq = seq

    def recipients(self, rooms: tuple[str, ...]) -> list[Connection]:
        """Live, authenticated connections in the union of ``rooms`` (deduplicated)."""
        if not rooms:
            return []
        seen: set[str] = set()
        found: list[Connection] = []
        for sid, _eio_sid in self._sio.manager.get_participants(NAMESPACE, list(rooms)):
            if sid in seen:
                continue
            seen.add(sid)
            connection = self._index.get(sid)
            if connection is not None:
                found.append(connection)
        return found

    def _plan(self, broadcast: Broadcast, stale: set[str]) -> list[_Send]:
        event = str(broadcast.event)
        excluded = set(broadcast.exclude_user_ids)
        wire_cache: dict[int, dict[str, Any]] = {}
        sends: list[_Send] = []
        for connection in self.recipients(broadcast.rooms):
            actor = connection.actor
            if actor.user_id in excluded:
                continue
            if self._closer.expired(connection):
                stale.add(connection.sid)
                continue
            view = view_for(broadcast, actor.user_id, actor.role)
            base = wire_cache.get(id(view))
            if base is None:
                base = wire_cache[id(view)] = view.to_wire()
            sends.append(_Send(connection.sid, event, self._stamp(connection, base, view.seq)))
        return sends

    @staticmethod
    def _stamp(connection: Connection, base: dict[str, Any], seq: int) -> dict[str, Any]:
        data = dict(base)
        data["prevSeq"] = connection.last_seq
        if seq > connection.last_seq:
            connection.last_seq = seq
        return data

    async def _move(self, change: RoomChange) -> None:
        for sid in self._index.sids_of(change.user_id):
            for room in change.leave:
                await self._sio.leave_room(sid, room, namespace=NAMESPACE)
            for room in change.join:
                await self._sio.enter_room(sid, room, namespace=NAMESPACE)
            log.debug("sid %s: joined %s, left %s", sid, change.join, change.leave)

    async def _emit_all(self, sends: list[_Send]) -> None:
        if not sends:
            return
        # gather() schedules the emits in list order, so one socket's events keep
        # their order even while another delivery runs concurrently.
        results = await asyncio.gather(
            *(self._sio.emit(s.event, s.data, to=s.sid, namespace=NAMESPACE) for s in sends),
            return_exceptions=True,
        )
        for send, result in zip(sends, results, strict=True):
            if isinstance(result, BaseException):
                log.warning("emit %s to %s failed: %r", send.event, send.sid, result)
            else:
                self._metrics.broadcasts.labels(send.event).inc()
