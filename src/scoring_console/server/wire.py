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
* :class:`QueueWriter` hands a frame to one socket synchronously: no task and no
  ``await`` per recipient. An idle websocket gets it written to its transport at once
  (:meth:`~.transport.GuardedSocket.write_now`, as the ``websockets`` library's
  ``broadcast()`` does); any other socket gets it in its Engine.IO send queue (what
  ``AsyncSocket.send`` does after its checks), and its own writer — the websocket
  writer task or the pending long-poll GET — sends it in order. Websocket and polling
  clients (stock ``socket.io-client`` included) see exactly the frames ``emit`` would
  have produced. The limits of :mod:`.transport` hold: a socket whose queue is over
  them is dropped instead of growing.

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


class Frame(eio_packet.Packet):  # type: ignore[misc]
    """An Engine.IO MESSAGE packet that also keeps its websocket payload bytes."""

    wire: bytes = b""


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
        self._frames: dict[int | None, Frame] = {}

    def packet(self, prev_seq: int | None) -> Frame:
        """The Engine.IO MESSAGE packet carrying the event with this ``prevSeq``."""
        packet = self._frames.get(prev_seq)
        if packet is None:
            text = self._head + ("null" if prev_seq is None else str(prev_seq)) + "}]"
            packet = Frame(eio_packet.MESSAGE, data=text)
            packet.wire = packet.encode().encode("utf-8")
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
        self.direct = 0
        """Frames written straight to an idle websocket's transport."""
        self.queued = 0
        """Frames put into a send queue (busy socket, polling, upgrade, compression)."""

    def eio_sid(self, sid: str, namespace: str = "/") -> str | None:
        """The Engine.IO session behind a Socket.IO ``sid`` (``None`` once it is gone)."""
        found = self._sio.manager.eio_sid_from_sid(sid, namespace)
        return None if found is None else str(found)

    def push(self, eio_sid: str, packet: Frame) -> bool:
        """Send or queue ``packet`` for one socket; ``False`` if it is gone, closing or
        dropped.

        A socket whose queue is over the limits is dropped (as
        :meth:`~.transport.GuardedSocket.send` does) and gets nothing more.
        """
        socket = self._sio.eio.sockets.get(eio_sid)
        if socket is None or socket.closed or socket.closing:
            return False
        if isinstance(socket, GuardedSocket):
            if socket.over_limits():
                socket.drop_unread()
                return False
            if socket.write_now(packet):
                self.direct += 1
                return True
        socket.queue.put_nowait(packet)
        self.queued += 1
        return True
