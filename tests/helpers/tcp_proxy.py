"""A small TCP proxy for resilience tests: forward, blackhole, heal, sever.

``TcpProxy(target_port)`` listens on an ephemeral loopback port and forwards every
connection to ``target_host:target_port``.

* ``blackhole()`` — a network cut *without* a close: connections stay open, but every
  byte in both directions is silently dropped (new connections are accepted and
  blackholed too). A peer that closes its end meanwhile is not told to the other side.
* ``heal()`` — traffic flows again; pairs whose one side went away during the cut are
  closed now (as a peer would eventually learn after a real outage).
* ``sever()`` — close every connection at once (both sides see a reset/EOF).
* ``connections_total`` (accepted since start) and ``active_connections``.

Usable from an asyncio test (``await proxy.start()`` / ``await proxy.stop()``, on the
test's loop) or from any thread (``proxy.start_in_thread()`` / ``proxy.stop()`` via
``stop_thread()``): then it runs its own loop in a daemon thread, and the control
methods are thread-safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

CHUNK = 65536


@dataclass(eq=False)
class _Pair:
    """One proxied connection: the accepted downstream side and the upstream side."""

    down: asyncio.StreamWriter
    up: asyncio.StreamWriter | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    half_closed: bool = False
    closed: bool = False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for writer in (self.down, self.up):
            if writer is None:
                continue
            with contextlib.suppress(Exception):
                transport = writer.transport
                # abort: like a reset, no lingering; both peers learn at once
                transport.abort()
        for task in self.tasks:
            if task is not asyncio.current_task():
                task.cancel()


class TcpProxy:
    """A loopback TCP proxy that can simulate a silent network cut."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.host = "127.0.0.1"
        self.port = 0
        self.connections_total = 0
        self.bytes_forwarded = 0
        self.bytes_dropped = 0
        self._blackholed = False
        self._pairs: set[_Pair] = set()
        self._server: asyncio.AbstractServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # --- properties ----------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` of the proxy's listening side."""
        return f"http://{self.host}:{self.port}"

    @property
    def blackholed(self) -> bool:
        """True while traffic is being dropped."""
        return self._blackholed

    @property
    def active_connections(self) -> int:
        """Connections currently open (both sides not yet closed)."""
        with self._lock:
            return sum(1 for p in self._pairs if not p.closed)

    # --- lifecycle -----------------------------------------------------------------

    async def start(self) -> None:
        """Start listening on the running loop (the caller's)."""
        self._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(self._handle, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def aclose(self) -> None:
        """Stop listening and close every connection (on the proxy's own loop)."""
        if self._server is not None:
            self._server.close()
        self._sever_now()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    def start_in_thread(self, timeout: float = 10.0) -> None:
        """Run the proxy on its own event loop in a daemon thread."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # reported to the starting thread
                errors.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="tcp-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise RuntimeError("TCP proxy thread did not start")
        if errors:
            raise errors[0]

    def stop_thread(self, timeout: float = 10.0) -> None:
        """Stop a proxy started with :meth:`start_in_thread`."""
        if self._thread is None or self._loop is None:
            return
        self._call(self.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        self._thread = None

    # --- control (thread-safe) ---------------------------------------------------------

    def blackhole(self) -> None:
        """Keep every connection open but silently drop all bytes, both directions."""
        self._blackholed = True

    def heal(self) -> None:
        """Let traffic flow again; close pairs that lost one side during the cut."""
        self._blackholed = False
        self._run_on_loop(self._close_half_closed)

    def sever(self) -> None:
        """Close every connection now (both peers see the connection drop)."""
        self._run_on_loop(self._sever_now)

    # --- internals -----------------------------------------------------------------

    def _in_loop_thread(self) -> bool:
        if self._loop is None:
            return True
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def _run_on_loop(self, fn: Any) -> None:
        if self._loop is None or self._in_loop_thread() or self._loop.is_closed():
            fn()
            return

        async def call() -> None:
            fn()

        self._call(call())

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        assert self._loop is not None
        if self._in_loop_thread():
            raise RuntimeError("use the async API on the proxy's own loop")
        fut: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return fut.result(10)

    def _sever_now(self) -> None:
        with self._lock:
            pairs = list(self._pairs)
            self._pairs.clear()
        for pair in pairs:
            pair.close()

    def _close_half_closed(self) -> None:
        with self._lock:
            pairs = [p for p in self._pairs if p.half_closed]
        for pair in pairs:
            self._drop(pair)

    def _drop(self, pair: _Pair) -> None:
        pair.close()
        with self._lock:
            self._pairs.discard(pair)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections_total += 1
        pair = _Pair(down=writer)
        with self._lock:
            self._pairs.add(pair)
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            self._drop(pair)
            return
        pair.up = up_writer
        if pair.closed:  # severed while connecting
            up_writer.transport.abort()
            return
        pair.tasks = [
            asyncio.create_task(self._pump(pair, reader, up_writer)),
            asyncio.create_task(self._pump(pair, up_reader, writer)),
        ]

    async def _pump(
        self, pair: _Pair, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                if self._blackholed:
                    self.bytes_dropped += len(data)
                    continue
                self.bytes_forwarded += len(data)
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            return
        # one side finished (EOF or error)
        if self._blackholed:
            # a cut network does not carry the FIN: keep the other side hanging
            pair.half_closed = True
            return
        self._drop(pair)
