"""The socket to the server: connect with a fresh token, reconnect forever, heartbeat.

:class:`Link` owns a python-socketio ``AsyncClient`` per connection attempt (its own
reconnection is off: the loop here decides). States go to ``state_changed``:
``CONNECTING`` for the first attempt, ``RECONNECTING(attempt, retry_in)`` while the
server is away, ``CONNECTED`` once ``on_connected`` (the resync) succeeded, and
``AUTH_FAILED(reason)`` when the server refuses our token and a refresh is refused
too; the loop then stops instead of hammering the server.

A heartbeat (``user:active`` with the pending count) every ``heartbeat_interval``
seconds must be acknowledged within ``heartbeat_timeout``; a missed ack means the link
is dead (e.g. a Wi-Fi drop without a TCP reset), so the link is torn down and rebuilt
long before Engine.IO's own ping timeout would notice.

A refreshed access token reaches the live connection with ``auth:renew``
(:meth:`Link.renew`): no reconnect, no resync. Only when the server refuses it or does
not answer does the link reconnect (quietly) so the handshake carries the new token;
every handshake reads the session's freshest token.

With several server addresses the link connects to the :class:`~.failover.ServerRing`'s
current node. A node that cannot be reached (or cannot resync us) is passed over and the
next one is tried at once; the backoff waits only after every node of the list failed
once. After a connection that was up drops, the next node is tried first (see
:mod:`.failover` for why). The token is the same on every node of a cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from scoring_console.protocol import (
    AUTH_INVALID_MESSAGE,
    AUTH_MISSING_MESSAGE,
    PROTOCOL_VERSION,
    AckFailed,
    ClientEvent,
    ErrorCode,
    ProtocolError,
    parse_ack,
)
from scoring_console.protocol.payloads import AuthRenew, AuthRenewed, Heartbeat

from . import tls
from .auth import Session
from .backoff import Backoff
from .connection import ConnectionState, ConnectionStatus
from .errors import (
    AuthError,
    CallTimeout,
    ConnectionLost,
    NotConnected,
    NotLoggedIn,
    SessionExpired,
)
from .failover import ServerRing
from .observable import Observable
from .tasks import TaskSet, cancel_and_wait, wait_event

log = logging.getLogger(__name__)

CLOSE_TIMEOUT = 2.0
"""Longest wait for a polite disconnect before the transport is torn down."""


class _AttemptFailed(Exception):
    def __init__(self, reason: str, auth_refused: bool = False, every_node: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.auth_refused = auth_refused
        self.every_node = every_node  # the REST session already asked every node


class Link:
    """One logical, self-healing connection to the server."""

    def __init__(
        self,
        server_url: str | ServerRing,
        session: Session,
        *,
        on_connected: Callable[[], Awaitable[None]],
        on_event: Callable[[str, Any], None],
        pending_count: Callable[[], int],
        heartbeat_interval: float = 5.0,
        heartbeat_timeout: float | None = None,
        backoff: Backoff | None = None,
        request_timeout: float = 10.0,
        connect_timeout: float = 10.0,
        transports: tuple[str, ...] = ("websocket", "polling"),
    ) -> None:
        self.servers = server_url if isinstance(server_url, ServerRing) else ServerRing(server_url)
        self.session = session
        self.state_changed: Observable[ConnectionState] = Observable("link.state_changed")
        self.state = ConnectionState()
        self.heartbeat_interval = heartbeat_interval
        self.heartbeat_timeout = heartbeat_timeout or max(1.0, min(heartbeat_interval, 5.0))
        self.backoff = backoff or Backoff()
        self.request_timeout = request_timeout
        self.connect_timeout = connect_timeout
        self.transports = list(transports)
        self._first_transport = 0  # rotated after a failed attempt: polling fallback
        self._on_connected = on_connected
        self._on_event = on_event
        self._pending_count = pending_count
        self._sio: socketio.AsyncClient | None = None
        self._up = False  # calls allowed (socket connected; maybe still resyncing)
        self._connected = asyncio.Event()  # CONNECTED: resynced and usable
        self._down = asyncio.Event()  # the current socket is gone or must go
        self._down_reason = ""
        self._wake = asyncio.Event()
        self._calls: set[asyncio.Future[Any]] = set()
        self._connect_error: str | None = None
        self._quiet = False  # planned reconnect (token rotation): no state flicker
        self._dead = False  # the heartbeat found the link dead: no polite goodbye
        self._tasks = TaskSet()
        self._runner: asyncio.Task[None] | None = None
        self._node = self.servers.current  # the node of the current (or last) attempt
        self.renew_count = 0
        """Access tokens handed to a live connection with ``auth:renew``."""
        self.connect_count = 0
        """Socket connections tried (one per node and attempt)."""

    # --- public ----------------------------------------------------------------------

    @property
    def server_url(self) -> str:
        """The node the link uses now (or tries next)."""
        return self.servers.current

    @property
    def running(self) -> bool:
        """True while the reconnect loop runs."""
        return self._runner is not None and not self._runner.done()

    def start(self) -> None:
        """Start (or restart after ``AUTH_FAILED``) the connect-and-reconnect loop."""
        if self.running:
            return
        self._runner = asyncio.get_running_loop().create_task(self._run(), name="link.run")

    async def stop(self) -> None:
        """Stop reconnecting, disconnect, and end every background task."""
        runner, self._runner = self._runner, None
        self._down_reason = "stopped"
        self._down.set()
        await cancel_and_wait(runner)
        await self._tasks.cancel_all()
        await self._teardown()
        self._set_state(ConnectionState(ConnectionStatus.OFFLINE, reason="stopped"))

    async def wait_connected(self, seconds: float | None = None) -> bool:
        """Wait until the link is ``CONNECTED``; False after ``seconds``."""
        return await wait_event(self._connected, seconds)

    def retry_now(self) -> None:
        """Skip the current backoff wait (e.g. the user pressed "retry")."""
        self._wake.set()

    def reconnect(self, reason: str, quiet: bool = False) -> None:
        """Drop the current socket and connect again at once (fresh token, resync)."""
        if self._up or self._sio is not None:
            log.info("reconnecting: %s", reason)
            self._quiet = quiet
            self._down_reason = reason
            self._down.set()
        self._wake.set()

    @property
    def up(self) -> bool:
        """True while a socket is connected (calls can be made; maybe still resyncing)."""
        return self._up and self._sio is not None

    async def renew(self) -> bool:
        """Hand the session's current access token to the live connection.

        Sends ``auth:renew``; True when the server took it (the connection simply goes
        on). Without a live socket there is nothing to do (the next handshake sends the
        fresh token): False. When the server refuses the token, does not answer in time
        or the socket drops meanwhile, the link falls back to a quiet reconnect (the
        handshake then carries the new token) and False is returned.
        """
        token = self.session.access_token
        if token is None or not self.up:
            return False
        event = ClientEvent.AUTH_RENEW
        try:
            raw = await self.call(event, AuthRenew(token=token).to_wire())
            renewed: AuthRenewed = parse_ack(str(event), raw, AuthRenewed)
        except (NotConnected, ProtocolError, ValueError) as exc:  # ValueError: odd token
            log.info("token renewal on the live connection failed: %s", exc)
            if self.up:
                self.reconnect(f"token renewal failed ({exc})", quiet=True)
            return False
        self.renew_count += 1
        log.debug("access token renewed on the live connection until %s", renewed.expires_at)
        return True

    async def call(self, event: ClientEvent, data: Any, ack_timeout: float | None = None) -> Any:
        """Emit ``event`` with an ack and return the raw ack.

        Raises NotConnected when there is no socket, ConnectionLost when it drops
        before the ack, CallTimeout when no ack arrives in ``ack_timeout`` seconds.
        """
        sio = self._sio
        if sio is None or not self._up:
            raise NotConnected("not connected to the server")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def on_ack(*args: Any) -> None:
            if not future.done():
                future.set_result(args[0] if args else None)

        self._calls.add(future)
        try:
            try:
                await sio.emit(str(event), data, callback=on_ack)
            except socketio.exceptions.SocketIOError as exc:
                raise NotConnected(f"cannot send {event}: {exc}") from None
            try:
                async with asyncio.timeout(ack_timeout or self.request_timeout):
                    return await future
            except TimeoutError:
                raise CallTimeout(f"no acknowledgement for {event}") from None
        finally:
            self._calls.discard(future)

    def on_ack_failed(self, exc: AckFailed) -> None:
        """Let the link react to a refused call: ``unauthenticated`` → new token, reconnect."""
        if exc.code is ErrorCode.UNAUTHENTICATED:
            self.session.invalidate()
            self.reconnect("access token expired during the session", quiet=True)

    # --- the loop --------------------------------------------------------------------

    def _set_state(self, state: ConnectionState) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    async def _run(self) -> None:
        attempt = 0  # failed rounds: every node of the list tried once
        tried = 0  # nodes tried in the current round
        refreshed_for_auth = False
        try:
            while True:
                if attempt == 0 and not self._quiet:
                    self._set_state(ConnectionState(ConnectionStatus.CONNECTING))
                try:
                    try:
                        await self._attempt()
                    except (_AttemptFailed, SessionExpired, NotLoggedIn):
                        raise
                    except Exception as exc:  # a bug must not end reconnecting for good
                        log.exception("connection attempt failed unexpectedly")
                        await self._teardown(polite=False)
                        raise _AttemptFailed(f"internal error: {exc}") from exc
                except _AttemptFailed as failure:
                    if failure.auth_refused and not refreshed_for_auth:
                        refreshed_for_auth = True
                        if await self._refresh_after_refusal(failure.reason):
                            continue  # retry at once with the new token
                        if self.state.status is ConnectionStatus.AUTH_FAILED:
                            return
                        refreshed_for_auth = False  # could not ask: ask again next time
                    elif failure.auth_refused:
                        self._auth_failed(failure.reason)
                        return
                    self._quiet = False
                    if failure.every_node:
                        tried = len(self.servers.servers)
                    else:
                        self.servers.skip(self._node)
                        tried += 1
                    if tried < len(self.servers.servers):
                        log.info("%s failed (%s); trying the next server", self._node, failure)
                        continue  # another node may answer: no wait
                    tried = 0
                    attempt += 1
                    await self._wait_backoff(attempt, failure.reason)
                    continue
                except (SessionExpired, NotLoggedIn) as exc:
                    self._auth_failed(str(exc))
                    return
                # the socket was up and went down
                refreshed_for_auth = False
                tried = 0
                reason = self._down_reason or "connection lost"
                if self._quiet:
                    attempt = 0
                    continue
                self.servers.skip(self._node)  # the node that dropped us is tried last
                attempt = 1
                await self._wait_backoff(attempt, reason)
        finally:
            self._connected.clear()

    async def _refresh_after_refusal(self, reason: str) -> bool:
        log.info("server refused the token (%s); refreshing once", reason)
        self.session.invalidate()
        try:
            await self.session.refresh()
        except (SessionExpired, NotLoggedIn) as exc:
            self._auth_failed(f"{reason}: {exc}")
            return False
        except AuthError:
            return False  # unreachable right now: back off and try again
        return True

    def _auth_failed(self, reason: str) -> None:
        log.warning("authentication failed, not retrying: %s", reason)
        self._set_state(ConnectionState(ConnectionStatus.AUTH_FAILED, reason=reason))

    async def _wait_backoff(self, attempt: int, reason: str) -> None:
        delay = self.backoff.delay(attempt)
        self._set_state(
            ConnectionState(ConnectionStatus.RECONNECTING, attempt, round(delay, 2), reason)
        )
        self._wake.clear()
        await wait_event(self._wake, delay)
        self._set_state(ConnectionState(ConnectionStatus.RECONNECTING, attempt, None, reason))

    async def _attempt(self) -> None:
        """Connect, resync, serve until the socket goes down. Raises _AttemptFailed."""
        try:
            await self.session.token()  # refresh first if due: the handshake needs a live token
        except (SessionExpired, NotLoggedIn):
            raise
        except AuthError as exc:  # unreachable, or a refresh answered oddly: try again later
            raise _AttemptFailed(str(exc), every_node=True) from None
        sio = self._new_client()
        self._connect_error = None
        self._down.clear()
        self._down_reason = ""
        self._sio = sio
        self._node = node = self.servers.current
        self.connect_count += 1
        try:
            async with asyncio.timeout(self.connect_timeout + 1.0):
                await sio.connect(
                    node,
                    auth=self._auth,
                    transports=self.transport_order(),
                    wait_timeout=self.connect_timeout,
                )
        except (socketio.exceptions.ConnectionError, TimeoutError, OSError) as exc:
            reason = self._connect_error or str(exc) or type(exc).__name__
            answered = bool(getattr(sio, "failed_namespaces", None))  # the server said no
            await self._teardown()
            refused = reason in (AUTH_INVALID_MESSAGE, AUTH_MISSING_MESSAGE)
            if not answered:
                # the transport itself failed: Engine.IO never falls back by itself, so
                # the next attempt starts with the next transport (websocket ↔ polling)
                self._first_transport = (self._first_transport + 1) % len(self.transports)
            raise _AttemptFailed(reason, auth_refused=refused) from None
        self._up = True
        try:
            await self._on_connected()
        except (NotConnected, ProtocolError) as exc:
            if isinstance(exc, AckFailed) and exc.code is ErrorCode.UNAUTHENTICATED:
                self.session.invalidate()
            await self._teardown()
            raise _AttemptFailed(f"resync failed: {exc}") from None
        if self._down.is_set():
            await self._teardown()
            return
        self._quiet = False
        self.servers.settle(node)
        self._set_state(ConnectionState(ConnectionStatus.CONNECTED, server=node))
        self._connected.set()
        heartbeat = self._tasks.spawn(self._heartbeat(), "link.heartbeat")
        try:
            await self._down.wait()
        finally:
            self._connected.clear()
            self._up = False
            self._fail_calls()
            reason = self._down_reason or "connection lost"
            if not self._quiet and self.running and reason != "stopped":
                # say so at once; closing a dead transport may take a moment
                self._set_state(ConnectionState(ConnectionStatus.RECONNECTING, 1, None, reason))
            await cancel_and_wait(heartbeat)
            await self._teardown(polite=not self._dead)
        log.info("link down: %s", reason)

    def transport_order(self) -> list[str]:
        """Transports for the next attempt; Engine.IO connects with the first one
        (polling first upgrades to websocket when it can)."""
        i = self._first_transport
        return self.transports[i:] + self.transports[:i]

    def _auth(self) -> dict[str, Any]:
        # called by python-socketio for each handshake: always the freshest token
        return {"token": self.session.access_token or "", "protocol": PROTOCOL_VERSION}

    def _new_client(self) -> socketio.AsyncClient:
        sio = socketio.AsyncClient(
            reconnection=False,
            handle_sigint=False,
            request_timeout=self.request_timeout,
            logger=False,
            engineio_logger=False,
            http_session=tls.engineio_session_factory(),  # a pinned certificate, if any
        )

        def on_connect_error(data: Any = None) -> None:
            if isinstance(data, dict):
                self._connect_error = str(data.get("message", data))
            elif data is not None:
                self._connect_error = str(data)

        def on_disconnect(reason: Any = None) -> None:
            if sio is self._sio:
                self._down_reason = self._down_reason or f"disconnected ({reason})"
                self._up = False
                self._connected.clear()
                self._fail_calls()
                self._down.set()

        def on_any(event: str, *args: Any) -> None:
            if sio is self._sio:
                self._on_event(event, args[0] if args else None)

        sio.on("connect_error", on_connect_error)
        sio.on("disconnect", on_disconnect)
        sio.on("*", on_any)
        return sio

    def _fail_calls(self) -> None:
        for future in list(self._calls):
            if not future.done():
                future.set_exception(ConnectionLost("connection lost before the acknowledgement"))
                future.exception()  # retrieved here; the waiting call re-raises it

    async def _heartbeat(self) -> None:
        while True:
            payload = Heartbeat(pending_count=min(self._pending_count(), 1_000_000)).to_wire()
            payload.pop("userId", None)
            try:
                raw = await self.call(ClientEvent.USER_ACTIVE, payload, self.heartbeat_timeout)
                parse_ack(str(ClientEvent.USER_ACTIVE), raw, None)
            except AckFailed as exc:
                log.info("heartbeat refused: %s", exc)
                self.on_ack_failed(exc)
            except ProtocolError as exc:
                log.warning("odd heartbeat answer: %s", exc)
            except CallTimeout:
                log.warning(
                    "heartbeat not acknowledged in %.1f s: link dead", self.heartbeat_timeout
                )
                self._down_reason = "heartbeat timeout (link dead)"
                self._dead = True
                self._down.set()
                return
            except NotConnected:
                return
            await asyncio.sleep(self.heartbeat_interval)

    async def _teardown(self, polite: bool = True) -> None:
        """Close the current socket (bounded; by force when the link is dead)."""
        sio, self._sio = self._sio, None
        self._up = False
        self._dead = False
        self._connected.clear()
        self._fail_calls()
        if sio is None:
            return
        if not polite:
            await _force_close(sio)
            return
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await sio.disconnect()
        except Exception as exc:  # a dead link: tear the transport down by force
            log.debug("polite disconnect failed (%s); closing the transport", exc)
            await _force_close(sio)


async def _force_close(sio: socketio.AsyncClient) -> None:
    eio = sio.eio
    tasks = [
        t
        for t in (getattr(eio, "read_loop_task", None), getattr(eio, "write_loop_task", None))
        if isinstance(t, asyncio.Task) and not t.done()
    ]
    for task in tasks:
        task.cancel()
    http = getattr(eio, "http", None)
    if http is not None and not http.closed:
        with contextlib.suppress(Exception):
            await http.close()
    if tasks:
        await asyncio.wait(tasks, timeout=CLOSE_TIMEOUT)
    eio.state = "disconnected"
