"""HTTP limits for REST and Engine.IO polling: header and body deadlines, a connection cap.

aiohttp waits for a request's headers and body as long as the peer likes, so a few
hundred half-sent requests hold as many connections and handlers. Here:

* a connection must deliver a complete request head within ``header_timeout`` of its
  first byte (or of connecting), else it is aborted;
* a Socket.IO polling request must be read and handled within ``body_timeout``
  (:func:`body_deadline`); the REST handlers read their bodies under the same deadline
  (:func:`scoring_console.server.rest.parse_body`);
* at most ``max_connections`` TCP connections are open at once; more are aborted
  on arrival, logged at most once a minute.

Websockets, once upgraded, are out of scope here: Engine.IO's ping timeout and the
send-queue bounds (:mod:`.transport`) govern them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server

log = logging.getLogger(__name__)

SOCKETIO_PREFIX = "/socket.io"
_REFUSAL_LOG_EVERY = 60.0


@dataclass(frozen=True)
class HttpLimits:
    """Deadlines (seconds) and the connection cap."""

    header_timeout: float
    body_timeout: float
    max_connections: int


class GuardedRequestHandler(RequestHandler):
    """aiohttp's connection handler with a deadline for each request head."""

    _guard_limits: HttpLimits
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        before = self._request_count
        super().data_received(data)
        if self._upgraded or self._request_count > before:
            self._disarm()  # a complete head arrived (or this is a websocket now)
        elif self._head_deadline is None and not self._request_in_progress:
            self._arm()  # the first bytes of a keep-alive connection's next request

    def connection_lost(self, exc: BaseException | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self._loop.call_later(
            self._guard_limits.header_timeout, self._on_head_deadline
        )

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _on_head_deadline(self) -> None:
        self._head_deadline = None
        if self._upgraded or self._request_in_progress:
            return
        transport = self.transport
        if transport is not None:
            log.debug("closing a connection that sent no complete request in time")
            transport.abort()


class GuardedServer(Server):
    """aiohttp's server with :class:`GuardedRequestHandler` and a connection cap."""

    guard_limits = HttpLimits(header_timeout=10.0, body_timeout=20.0, max_connections=512)
    refused = 0
    _last_refusal_log = 0.0

    def __call__(self) -> RequestHandler:
        handler = GuardedRequestHandler(self, loop=self._loop, **self._kwargs)
        handler._guard_limits = self.guard_limits
        return handler

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        if len(self._connections) > self.guard_limits.max_connections:
            self.refused += 1
            now = time.monotonic()
            if now - self._last_refusal_log >= _REFUSAL_LOG_EVERY:
                self._last_refusal_log = now
                log.warning(
                    "refusing connections over the cap of %d (%d refused so far)",
                    self.guard_limits.max_connections,
                    self.refused,
                )
            transport.abort()


def guard_server(server: Server, limits: HttpLimits) -> None:
    """Give a runner's aiohttp server the guarded handler class and these limits."""
    server.__class__ = GuardedServer
    assert isinstance(server, GuardedServer)
    server.guard_limits = limits


def body_deadline(timeout: float) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Middleware: a Socket.IO polling request with a body is handled within ``timeout``."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        if not (request.body_exists and request.path.startswith(SOCKETIO_PREFIX)):
            response: web.StreamResponse = await handler(request)
            return response
        try:
            async with asyncio.timeout(timeout):
                response = await handler(request)
        except TimeoutError:
            response = web.Response(status=408, text="Request body not received in time")
            response.force_close()
        return response

    return middleware
