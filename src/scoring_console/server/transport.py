"""The Socket.IO / Engine.IO server with its abuse limits.

python-socketio and python-engineio are used as they are, with a few guards added at
their seams:

* **Bounded send queues.** Each Engine.IO socket's outgoing queue counts messages and
  bytes (:class:`MeteredQueue`); a socket whose queue passes ``max_queued_messages`` or
  ``max_queued_bytes`` (a client that does not read) is dropped, its queue freed.
* **Closed means closed.** When a socket closes for any reason (ping timeout, server
  disconnect, dropped), its TCP transport is aborted shortly after
  (:data:`TRANSPORT_LINGER`), so a peer that keeps the connection open cannot hold
  the session's memory.
* **Malformed input** — an Engine.IO frame or Socket.IO packet the libraries cannot
  decode — is logged once for the connection at INFO, without a traceback, and the
  connection is closed.
* **Reserved names.** ``connect``, ``disconnect``, ``connect_error``, … sent as
  ordinary events are invalid events (they would otherwise run the handshake or
  disconnect handlers again): the ``invalid_event`` handler answers them.

python-engineio creates its sockets with a hard-coded class; :class:`GuardedEngineIO`
gives each new socket the guarded class before the handshake runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import engineio
import socketio
from aiohttp import WSMsgType
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket
from socketio import packet as sio_packet

log = logging.getLogger(__name__)

TRANSPORT_LINGER = 1.0
"""Seconds a closed socket's transport stays open so its last packets can leave."""

RESERVED_EVENTS = frozenset(
    {
        "connect",
        "connect_error",
        "disconnect",
        "disconnecting",
        "newListener",
        "removeListener",
        "message",
    }
)
"""Event names Socket.IO reserves; a client may not emit them as events."""

_VALID_EIO_TYPES = frozenset(range(len(eio_packet.packet_names)))

InvalidEventHandler = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class SendLimits:
    """How much may wait to be written to one socket."""

    messages: int
    bytes: int


def _packet_size(item: Any) -> int:
    data = getattr(item, "data", None)
    if isinstance(data, str | bytes):
        return len(data)
    return 64


class MeteredQueue(asyncio.Queue[Any]):
    """An Engine.IO send queue that knows how many bytes it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes = 0

    def _put(self, item: Any) -> None:
        self.bytes += _packet_size(item)
        super()._put(item)

    def _get(self) -> Any:
        item = super()._get()
        self.bytes -= _packet_size(item)
        return item


class _FrameGuard:
    """The websocket as python-engineio sees it, refusing frames it cannot decode."""

    def __init__(self, ws: Any, socket: GuardedSocket) -> None:
        self._ws = ws
        self._socket = socket

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)

    async def wait(self) -> Any:
        data = await self._ws.wait()
        if data is None or isinstance(data, bytes):
            return data  # closed, or a binary attachment (MESSAGE)
        try:
            decoded = eio_packet.Packet(encoded_packet=data)
        except Exception as exc:
            reason = f"malformed Engine.IO frame ({type(exc).__name__})"
        else:
            if decoded.packet_type in _VALID_EIO_TYPES:
                return data
            reason = f"unknown Engine.IO packet type {decoded.packet_type}"
        await self._socket.reject(reason)
        # python-engineio ends its read loop (and an upgrade attempt) on OSError
        raise OSError(reason)


class GuardedSocket(AsyncSocket):  # type: ignore[misc]
    """An Engine.IO socket with a bounded send queue and a transport that really closes."""

    server: GuardedEngineIO
    _guard_ws: Any = None
    _rejected: bool = False
    _dropping: asyncio.Task[None] | None = None

    async def send(self, pkt: Any) -> None:
        """Write or queue a packet; drop the connection when its queue is over the limits."""
        if self.over_limits():
            await self._drop()
            return
        if not await self.check_ping_timeout():
            return
        if not self.write_now(pkt):
            await self.queue.put(pkt)

    def write_now(self, pkt: Any) -> bool:
        """Write a text packet straight to an idle websocket; ``False``: queue it instead.

        Idle means: an upgraded websocket, not upgrading, nothing in the send queue,
        nothing buffered in the TCP transport, no permessage-deflate. Then nothing sent
        earlier can still be on its way through the writer task (it takes packets from
        the queue and writes them in the same step, and yields only while the transport
        is paused, i.e. holds data), so writing now keeps the order, skips a task
        wake-up per packet, and leaves at most this one frame in the transport's buffer.
        Whenever aiohttp's internals are not as expected, the answer is ``False``.
        """
        if not self.upgraded or self.upgrading or self.closing or self.closed:
            return False
        if getattr(pkt, "binary", True) or not self.queue.empty():
            return False
        writer = getattr(getattr(self._guard_ws, "_sock", None), "_writer", None)
        if writer is None or writer._closing or writer.compress:
            return False
        transport = writer.transport
        if transport is None or transport.is_closing() or transport.get_write_buffer_size():
            return False
        if getattr(writer.protocol, "_paused", True):
            return False
        wire = getattr(pkt, "wire", None) or pkt.encode().encode("utf-8")
        try:
            writer._write_websocket_frame(wire, WSMsgType.TEXT, 0)
        except Exception:  # closing under us, or another aiohttp: the queue path decides
            return False
        return True

    def over_limits(self) -> bool:
        """True when this open socket's queue holds more than the limits allow."""
        queue = self.queue
        limits = self.server.send_limits
        return (
            not self.closing
            and not self.closed
            and isinstance(queue, MeteredQueue)
            and (queue.qsize() >= limits.messages or queue.bytes >= limits.bytes)
        )

    def drop_unread(self) -> None:
        """:meth:`over_limits` seen outside a coroutine: drop the connection soon."""
        if self._dropping is None:
            self._dropping = asyncio.get_running_loop().create_task(self._drop())

    async def _drop(self) -> None:
        queue = self.queue
        log.warning(
            "dropping connection %s from %s: %d messages (%d bytes) not read",
            self.sid,
            self.server.peer_of(self.sid),
            queue.qsize(),
            getattr(queue, "bytes", 0),
        )
        self.server.dropped += 1
        await self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_ERROR)
        self.abort_transport()

    async def poll(self) -> list[Any]:
        """Wait for packets to send (python-engineio's ``poll`` without a task per wait).

        The library waits with ``asyncio.wait_for``, which on Python 3.11 wraps every
        wait in a new task: one per socket per delivered event under fan-out.
        ``asyncio.timeout`` waits in the caller's task.
        """
        queue = self.queue
        try:
            async with asyncio.timeout(self.server.ping_interval + self.server.ping_timeout):
                first = await queue.get()
            queue.task_done()
        except (TimeoutError, asyncio.CancelledError):
            raise eio_exceptions.QueueEmpty() from None
        if first is None:
            return []
        packets = [first]
        while True:
            try:
                pkt = queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            queue.task_done()
            if pkt is None:
                queue.put_nowait(None)
                break
            packets.append(pkt)
        return packets

    async def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        """Close the session, then abort its transport after :data:`TRANSPORT_LINGER`."""
        if not self.closed and not self.closing:
            asyncio.get_running_loop().call_later(TRANSPORT_LINGER, self.abort_transport)
        await super().close(wait=wait, abort=abort, reason=reason)

    def abort_transport(self) -> None:
        """Abort the TCP connection and free everything still queued for it."""
        ws = self._guard_ws
        if ws is not None:
            request = getattr(ws, "environ", {}).get("aiohttp.request")
            transport = getattr(request, "transport", None)
            if transport is not None:
                transport.abort()
        queue = self.queue
        while not queue.empty():
            queue.get_nowait()
            queue.task_done()
        queue.put_nowait(None)  # wakes a writer or a pending long-poll

    async def reject(self, reason: str) -> None:
        """Malformed input: log it once for this connection and close it."""
        if self._rejected:
            return
        self._rejected = True
        self.server.rejected += 1
        log.info(
            "closing connection %s from %s: %s", self.sid, self.server.peer_of(self.sid), reason
        )
        await self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_ERROR)
        self.abort_transport()

    async def handle_post_request(self, environ: dict[str, Any]) -> None:
        """Long-polling POST: undecodable payloads close the connection quietly."""
        try:
            await super().handle_post_request(environ)
        except eio_exceptions.EngineIOError:
            raise
        except Exception as exc:
            await self.reject(f"malformed Engine.IO payload ({type(exc).__name__})")
            raise eio_exceptions.EngineIOError() from None

    async def _websocket_handler(self, ws: Any) -> Any:
        self._guard_ws = ws
        return await super()._websocket_handler(_FrameGuard(ws, self))


class GuardedEngineIO(engineio.AsyncServer):  # type: ignore[misc]
    """python-engineio's server, creating :class:`GuardedSocket` sockets."""

    send_limits = SendLimits(messages=1000, bytes=16 * 1024 * 1024)
    dropped = 0
    """Connections dropped because they did not read."""
    rejected = 0
    """Connections closed for malformed input."""

    def create_queue(self, *args: Any, **kwargs: Any) -> asyncio.Queue[Any]:
        """Every socket's send queue is metered."""
        return MeteredQueue()

    async def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "connect" and args:
            socket = self.sockets.get(args[0])
            if socket is not None and type(socket) is AsyncSocket:
                socket.__class__ = GuardedSocket
                socket.peer = _peer(args[1] if len(args) > 1 else {})
        return await super()._trigger_event(event, *args, **kwargs)

    def peer_of(self, sid: str) -> str:
        """The remote address of a socket, for log lines."""
        return str(getattr(self.sockets.get(sid), "peer", "?"))

    async def reject(self, sid: str, reason: str) -> None:
        """Close a connection for malformed input (logged once)."""
        socket = self.sockets.get(sid)
        if isinstance(socket, GuardedSocket):
            await socket.reject(reason)


def _peer(environ: Any) -> str:
    if isinstance(environ, dict):
        return str(environ.get("REMOTE_ADDR") or "?")
    return "?"


class GuardedSocketIO(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server on :class:`GuardedEngineIO`, refusing reserved names."""

    invalid_event_handler: InvalidEventHandler | None = None
    """Called as ``handler(event, sid, *args)`` for a reserved name; returns the ack."""

    eio: GuardedEngineIO

    def _engineio_server_class(self) -> type[GuardedEngineIO]:
        return GuardedEngineIO

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            await super()._handle_eio_message(eio_sid, data)
        except Exception as exc:  # a packet python-socketio could not decode or place
            await self.eio.reject(eio_sid, f"malformed Socket.IO packet ({type(exc).__name__})")

    async def _handle_event_internal(
        self, server: Any, sid: str, eio_sid: str, data: Any, namespace: str, id: Any
    ) -> None:
        name = data[0] if isinstance(data, list) and data else None
        handler = self.invalid_event_handler
        if not (isinstance(name, str) and name in RESERVED_EVENTS and handler is not None):
            await super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)
            return
        ack = await handler(name, sid, *data[1:])
        if id is not None:
            await server._send_packet(
                eio_sid, self.packet_class(sio_packet.ACK, namespace=namespace, id=id, data=[ack])
            )
