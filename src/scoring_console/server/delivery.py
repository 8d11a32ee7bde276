"""Delivering a service call's effects to live sockets.

For a :class:`Broadcast`, every socket in the union of its rooms gets its own view:
masked when the rule says so (:func:`view_for`), with ``prevSeq`` set to the ``seq``
this socket was last given. Each distinct view is encoded once
(:class:`~.wire.EventFrames`); the per-socket ``prevSeq`` is spliced into the frame.

Order and timing:

* The per-socket ``seq`` bookkeeping (the ``prevSeq`` stamp) is done synchronously,
  in commit order, as soon as the service call returns.
* The frames then wait in one FIFO outbox that is flushed on the next turn of the
  event loop, straight into each socket's Engine.IO send queue (:class:`~.wire.QueueWriter`):
  no task and no ``await`` per recipient. So the caller's acknowledgement — sent right
  after the commit — is queued before the fan-out, and never waits for it, while one
  socket's events keep their commit order (one FIFO, one ordered queue per socket).
* A slow socket only grows its own queue, which the transport bounds
  (:mod:`.transport`); nobody else waits for it.

A socket whose access token expired past the renew grace gets nothing more: it is
closed instead (:class:`~scoring_console.server.sessions.SessionCloser`), and a
:class:`CloseSessions` effect closes every socket of its user.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import NamedTuple

import socketio
from engineio.packet import Packet

from scoring_console.protocol.base import ServerMessage
from scoring_console.protocol.events import ServerEvent

from .metrics import ServerMetrics
from .rooms import Connection, ConnectionIndex
from .service.masking import view_for
from .service.types import Broadcast, CloseSessions, Effect, RoomChange
from .sessions import SessionCloser
from .wire import EventFrames, QueueWriter

log = logging.getLogger(__name__)

NAMESPACE = "/"


class _Frame(NamedTuple):
    """One ready packet for one socket."""

    sid: str
    eio_sid: str
    event: str
    packet: Packet


class Deliverer:
    """Turns effects into per-socket frames and live room moves."""

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
        self._writer = QueueWriter(sio)
        self._outbox: dict[str, list[_Frame]] = {}
        """Frames waiting for the next flush, per Engine.IO session, in commit order."""
        self._flush_handle: asyncio.Handle | None = None
        self.delivered = 0
        """Frames handed to sockets' send queues so far."""

    async def deliver(self, effects: Iterable[Effect]) -> None:
        """Apply room changes, queue broadcasts and close sessions, in the order given.

        Returns once the frames are stamped and in the outbox; they reach the sockets'
        send queues on the next turn of the event loop (:meth:`flush`).
        """
        frames: list[_Frame] = []
        stale: set[str] = set()
        closing: list[CloseSessions] = []
        for effect in effects:
            if isinstance(effect, RoomChange):
                # recipients were resolved when each broadcast was planned, so moving
                # rooms now changes nothing for frames planned before
                await self._move(effect)
            elif isinstance(effect, CloseSessions):
                closing.append(effect)
            else:
                frames.extend(self._plan(effect, stale))
        # A user whose sessions end gets none of this call's events.
        ending = {c.user_id for c in closing}
        ending_sids = {sid for user_id in ending for sid in self._index.sids_of(user_id)}
        if ending_sids:
            frames = [f for f in frames if f.sid not in ending_sids]
        self._post(frames)
        for effect in closing:
            await self._closer.close_user(effect.user_id, effect.reason)
        for sid in stale:
            await self._closer.close_sid(sid, "access token expired past the renew grace")

    async def send_to(self, sid: str, event: ServerEvent, payload: ServerMessage) -> None:
        """Queue one ``seq``-carrying message to one socket, chaining its ``prevSeq``."""
        connection = self._index.get(sid)
        if connection is None:
            return
        if self._closer.expired(connection):
            await self._closer.close_sid(sid, "access token expired past the renew grace")
            return
        eio_sid = self._writer.eio_sid(sid, NAMESPACE)
        if eio_sid is None:
            return
        frames = EventFrames(str(event), payload.to_wire())
        self._post(
            [_Frame(sid, eio_sid, str(event), frames.packet(self._stamp(connection, payload.seq)))]
        )

    @property
    def written_at_once(self) -> int:
        """Frames written straight to an idle websocket (the rest went through queues)."""
        return self._writer.direct

    def mark_synced(self, sid: str, seq: int) -> None:
        """A ``sync`` answered as of ``seq``: the next event chains from it."""
        connection = self._index.get(sid)
        if connection is not None:
            connection.last_seq = seq

    def resync(self, through_seq: int) -> None:
        """Effects up to ``through_seq`` were lost on the way (cluster mode): the next
        event to every local socket carries a ``prevSeq`` its client has not seen, so
        each client syncs. A socket synced past ``through_seq`` already has them."""
        for connection in self._index.connections():
            connection.last_seq = max(connection.last_seq, through_seq)

    def recipients(self, rooms: tuple[str, ...]) -> list[tuple[Connection, str]]:
        """Live, authenticated connections in the union of ``rooms`` (deduplicated),
        each with its Engine.IO session id."""
        if not rooms:
            return []
        seen: set[str] = set()
        found: list[tuple[Connection, str]] = []
        get = self._index.get
        for sid, eio_sid in self._sio.manager.get_participants(NAMESPACE, list(rooms)):
            if sid in seen:
                continue
            seen.add(sid)
            connection = get(sid)
            if connection is not None:
                found.append((connection, eio_sid))
        return found

    def flush(self) -> int:
        """Hand every frame in the outbox to its socket's send queue, in order.

        Runs by itself on the loop turn after frames were queued; returns how many
        frames a socket took.
        """
        self._flush_handle = None
        outbox, self._outbox = self._outbox, {}
        counts: dict[str, int] = {}
        for eio_sid, frames in outbox.items():
            self._push(eio_sid, frames, counts)
        return self._count(counts)

    def flush_socket(self, sid: str) -> int:
        """Hand one socket's waiting frames to its send queue now (the others wait).

        The transport calls it for the caller's socket just before queueing the ack,
        so a caller still gets the events its own call caused before the ack, while
        nobody else's delivery holds the ack up.
        """
        eio_sid = self._writer.eio_sid(sid, NAMESPACE)
        frames = self._outbox.pop(eio_sid, None) if eio_sid is not None else None
        if not frames or eio_sid is None:
            return 0
        counts: dict[str, int] = {}
        self._push(eio_sid, frames, counts)
        return self._count(counts)

    def _push(self, eio_sid: str, frames: list[_Frame], counts: dict[str, int]) -> None:
        push = self._writer.push
        for frame in frames:
            if not push(eio_sid, frame.packet):
                return  # gone or dropped: the rest is moot
            counts[frame.event] = counts.get(frame.event, 0) + 1

    def _count(self, counts: dict[str, int]) -> int:
        delivered = 0
        for event, count in counts.items():
            self._metrics.broadcasts.labels(event).inc(count)
            delivered += count
        self.delivered += delivered
        return delivered

    def _post(self, frames: list[_Frame]) -> None:
        if not frames:
            return
        outbox = self._outbox
        for frame in frames:
            queued = outbox.get(frame.eio_sid)
            if queued is None:
                outbox[frame.eio_sid] = [frame]
            else:
                queued.append(frame)
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_soon(self._guarded_flush)

    def _guarded_flush(self) -> None:
        try:
            self.flush()
        except Exception:  # the writes are committed; clients catch up with sync
            log.exception("delivery failed")

    def _plan(self, broadcast: Broadcast, stale: set[str]) -> list[_Frame]:
        event = str(broadcast.event)
        excluded = set(broadcast.exclude_user_ids)
        # one encoding per distinct view (mask class); the views stay referenced here
        # so an id() is never reused by another recipient's view within this plan
        encoded: dict[int, tuple[ServerMessage, EventFrames]] = {}
        frames: list[_Frame] = []
        for connection, eio_sid in self.recipients(broadcast.rooms):
            actor = connection.actor
            if actor.user_id in excluded:
                continue
            if self._closer.expired(connection):
                stale.add(connection.sid)
                continue
            view = view_for(broadcast, actor.user_id, actor.role)
            if view is None:
                continue
            known = encoded.get(id(view))
            if known is None:
                known = encoded[id(view)] = (view, EventFrames(event, view.to_wire()))
            once = known[1]
            prev = self._stamp(connection, view.seq)
            frames.append(_Frame(connection.sid, eio_sid, event, once.packet(prev)))
        return frames

    @staticmethod
    def _stamp(connection: Connection, seq: int) -> int:
        """This socket's ``prevSeq`` for an event of ``seq``; moves its chain on."""
        prev = connection.last_seq
        if seq > prev:
            connection.last_seq = seq
        return prev

    async def _move(self, change: RoomChange) -> None:
        for sid in self._index.sids_of(change.user_id):
            for room in change.leave:
                await self._sio.leave_room(sid, room, namespace=NAMESPACE)
            for room in change.join:
                await self._sio.enter_room(sid, room, namespace=NAMESPACE)
            log.debug("sid %s: joined %s, left %s", sid, change.join, change.leave)
