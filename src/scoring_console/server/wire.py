"""Ready Socket.IO frames, put straight into Engine.IO send queues (the delivery seam).

This is the one module that reaches under python-socketio's ``emit`` for delivery.
``emit`` encodes the payload once per recipient and, awaited per recipient, costs a
task or a coroutine chain each; a broadcast to 1,000 sockets spent most of its time
there. Here instead:

* :class:`EventFrames` encodes an event's payload **once** and splices each
  recipient's ``prevSeq`` into the text (``…,"prevSeq":41}]``); recipients with the
  same ``prevSeq`` — nearly all of them — share one Engine.IO packet object, whose
  encoding python-engineio caches, so the websocket writer and the long-poll answer
  reuse the same string.
* :class:`QueueWriter` puts a packet into the recipient's Engine.IO send queue
  synchronously (what python-engineio's ``AsyncSocket.send`` does after its checks):
  no task and no ``await`` per recipient. The socket's own writer — the websocket
  writer task or the pending long-poll GET — sends it, so websocket and polling
  clients (stock ``socket.io-client`` included) see exactly the frames ``emit`` would
  have produced. The send-queue limits of :mod:`.transport` hold: a socket over them
  is dropped instead of growing.

The frame format is Socket.IO v5 over Engine.IO v4, default namespace: an Engine.IO
MESSAGE (``4``) carrying a Socket.IO EVENT (``2``) ``["event",{payload}]``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import socketio
from engineio import packet as eio_packet

from .transport import GuardedSocket

log = logging.getLogger(__name__)


def dumps(value: Any) -> str:
    """Compact JSON text, as python-socketio would send it."""
    return json.dumps(value, separators=(",", ":"))


class EventFrames:
    """One event's payload, encoded once, with a frame per ``prevSeq``."""

    __slots__ = ("_frames", "_head")

    def __init__(self, event: str, data: dict[str, Any]) -> None:
        body = {k: v for k, v in data.items() if k != "prevSeq"}
        text = dumps(body)
        if not (text.startswith("{") and text.endswith("}")):  # pragma: no cover
            raise ValueError("an event payload must encode as a JSON object")
        separator = "," if body else ""
        # 2["event",{…,"prevSeq":   — the frame ends with  <prevSeq>}]
        self._head = "2" + dumps([event])[:-1] + "," + text[:-1] + separator + '"prevSeq":'
        self._frames: dict[int | None, eio_packet.Packet] = {}

    def packet(self, prev_seq: int | None) -> eio_packet.Packet:
        """The Engine.IO MESSAGE packet carrying the event with this ``prevSeq``."""
        packet = self._frames.get(prev_seq)
        if packet is None:
            text = self._head + ("null" if prev_seq is None else str(prev_seq)) + "}]"
            packet = eio_packet.Packet(eio_packet.MESSAGE, data=text)
            self._frames[prev_seq] = packet
        return packet

    @property
    def distinct(self) -> int:
        """How many different frames were made (for tests and metrics)."""
        return len(self._frames)


class QueueWriter:
    """Puts ready packets into Engine.IO sockets' send queues, without awaiting."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio

    def eio_sid(self, sid: str, namespace: str = "/") -> str | None:
        """The Engine.IO session behind a Socket.IO ``sid`` (``None`` once it is gone)."""
        found = self._sio.manager.eio_sid_from_sid(sid, namespace)
        return None if found is None else str(found)

    def push(self, eio_sid: str, packet: eio_packet.Packet) -> bool:
        """Queue ``packet`` for one socket; ``False`` if it is gone, closing or dropped.

        A socket whose queue is over the limits is dropped (as
        :meth:`~.transport.GuardedSocket.send` does) and gets nothing more.
        """
        socket = self._sio.eio.sockets.get(eio_sid)
        if socket is None or socket.closed or socket.closing:
            return False
        if isinstance(socket, GuardedSocket) and socket.over_limits():
            socket.drop_unread()
            return False
        socket.queue.put_nowait(packet)
        return True
