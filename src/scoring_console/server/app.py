"""The bundled server: the aiohttp application with Socket.IO and REST, start and stop.

:func:`create_app` wires one Socket.IO server, one :class:`ScoringService` and the
REST routes into an aiohttp application; :func:`start_server` opens the data dir,
listens (``port=0`` → an ephemeral port) and returns a :class:`RunningServer`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import socketio
from aiohttp import web

from .config import ServerConfig
from .db import Database, DatabaseError, open_database
from .db.group import GroupCommit
from .delivery import Deliverer
from .demo_data import seed_demo
from .handlers import SocketHandlers
from .http_guard import HttpLimits, body_deadline, guard_server
from .lockout import LoginGuard
from .metrics import ServerMetrics
from .private_files import private_dir, private_file, tighten_tree
from .ratelimit import RateLimiter, TokenBuckets
from .rest import RestApi
from .rooms import ConnectionIndex
from .service import ScoringService
from .sessions import SessionCloser
from .tls import TlsError, server_ssl_context
from .tokens import TokenIssuer, load_or_create_secret, load_or_create_shared_secret
from .transport import GuardedSocketIO, SendLimits

if TYPE_CHECKING:
    from .cluster.node import ClusterNode
    from .handlers import CommitRoute

log = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """The server cannot start: unusable data dir, port taken, database unreadable."""


@dataclass
class ServerParts:
    """The long-lived objects behind one application (kept on the app)."""

    config: ServerConfig
    sio: socketio.AsyncServer
    service: ScoringService
    tokens: TokenIssuer
    index: ConnectionIndex
    deliverer: Deliverer
    limiter: TokenBuckets
    metrics: ServerMetrics
    db: Database
    closer: SessionCloser
    handlers: SocketHandlers | None = None
    group: GroupCommit | None = None
    background: set[asyncio.Task[None]] = field(default_factory=set)
    cluster: ClusterNode | None = None
    """This server's cluster side (``config.redis_url`` set), else ``None``."""
    route: CommitRoute | None = None
    """How service calls run and deliver in a cluster (``None``: group commit)."""


PARTS = web.AppKey("parts", ServerParts)

_KEEPALIVE_TIMEOUT = 15.0
"""Seconds an idle keep-alive HTTP connection stays open."""


def _transport_ceiling(config: ServerConfig) -> int:
    # Above the per-event limit, so an oversized event gets a typed validation_error
    # instead of a dropped connection; far larger frames are cut by the transport.
    return 2 * config.max_payload_bytes + 1024


def prepare_data_dir(path: Path) -> None:
    """Create the data dir (0700) if needed, tighten what an older version left readable,
    and make sure this process can write to it."""
    try:
        private_dir(path)
        tighten_tree(path)
    except OSError as exc:
        raise StartupError(f"cannot create data dir {path}: {exc.strerror}") from None
    probe = path / f".write-probe-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StartupError(f"data dir {path} is not writable: {exc.strerror}") from None


def create_app(config: ServerConfig) -> web.Application:
    """The aiohttp application: data dir, database, secret, Socket.IO and REST routes.

    The database is closed (and the simulator stopped) by the application's cleanup,
    so ``web.run_app(create_app(config))`` works as well as :func:`start_server`.
    """
    prepare_data_dir(config.data_dir)
    try:
        if config.database_url is None:
            private_file(config.db_path)  # SQLite's WAL and -shm files take its mode
        db = open_database(config.database)
    except (DatabaseError, OSError) as exc:
        raise StartupError(str(exc)) from None
    try:
        secret = (
            load_or_create_secret(config.secret_path)
            if config.database_url is None
            else load_or_create_shared_secret(db)
        )
        service = ScoringService(db)
        service.presence.beat_interval = timedelta(seconds=config.heartbeat_interval)
        if config.demo:
            seed_demo(db)
    except OSError as exc:
        db.close()
        raise StartupError(f"cannot prepare {config.data_dir}: {exc}") from None
    except BaseException:
        db.close()
        raise
    sio = GuardedSocketIO(
        async_mode="aiohttp",
        cors_allowed_origins=config.cors_allowed_origins,
        transports=["websocket", "polling"],
        ping_interval=config.ping_interval,
        ping_timeout=config.ping_timeout,
        max_http_buffer_size=_transport_ceiling(config),
        always_connect=False,
        logger=False,
        engineio_logger=False,
    )
    sio.eio.send_limits = SendLimits(config.max_queued_messages, config.max_queued_bytes)
    index = ConnectionIndex()
    metrics_ = ServerMetrics()
    tokens = TokenIssuer(secret, config.access_token_ttl, config.refresh_token_ttl)
    closer = SessionCloser(sio, index, tokens, config.token_renew_grace)
    deliverer = Deliverer(sio, index, metrics_, closer)
    group = GroupCommit(db) if config.group_commit else None
    cluster = _cluster_node(config, db, deliverer) if config.cluster else None
    if cluster is not None:
        service.presence.online = cluster.online
        cluster.register_metrics(metrics_.registry)
    buckets: Callable[[int, str], TokenBuckets] = (
        cluster.buckets if cluster is not None else _memory_buckets
    )
    limiter = buckets(config.rate_limit_per_minute, "writes")
    guard = LoginGuard(
        failures_per_minute=config.login_failures_per_minute,
        address_failures_per_minute=config.login_failures_per_address_per_minute,
        threshold=config.lockout_threshold,
        base_seconds=config.lockout_base_seconds,
        max_seconds=config.lockout_max_seconds,
        **_cluster_guard(cluster),  # type: ignore[arg-type]
    )
    parts = ServerParts(
        config, sio, service, tokens, index, deliverer, limiter, metrics_, db, closer
    )
    parts.group = group
    parts.cluster = cluster
    if cluster is not None and group is not None:
        from .cluster.route import ClusterRoute

        route = parts.route = ClusterRoute(group, cluster.ledger, deliverer)

        async def users_gone(user_ids: list[int]) -> None:
            for user_id in user_ids:  # the route delivers the presence broadcasts
                await route.run(functools.partial(service.presence.went_offline, user_id))

        cluster.users_gone = users_gone
    parts.handlers = SocketHandlers(
        sio,
        service,
        tokens,
        index,
        deliverer,
        limiter,
        metrics_,
        config.max_payload_bytes,
        renew_grace=config.token_renew_grace,
        guard=guard,
        group=parts.group,
        reads=buckets(config.read_rate_per_minute, "reads"),
        max_sockets_per_user=config.max_sockets_per_user,
        route=parts.route,
        sockets_of=cluster.online.count if cluster is not None else None,
    )
    parts.handlers.register()
    app = web.Application(
        client_max_size=_transport_ceiling(config),
        middlewares=[body_deadline(config.http_body_timeout)],
    )
    app[PARTS] = parts
    RestApi(
        service,
        tokens,
        index,
        metrics_,
        config.cors_allowed_origins,
        guard=guard,
        body_timeout=config.http_body_timeout,
        metrics_token=config.metrics_token,
        node_id=cluster.node_id if cluster is not None else None,
        cluster_nodes=cluster.nodes if cluster is not None else None,
    ).install(app)
    sio.attach(app)
    _release_polls_on_client_close(sio)
    app.on_shutdown.append(_disconnect_everyone)
    app.cleanup_ctx.append(_lifecycle)
    return app


def _memory_buckets(rate_per_minute: int, _name: str) -> TokenBuckets:
    return RateLimiter(rate_per_minute)


def _cluster_node(config: ServerConfig, db: Database, deliverer: Deliverer) -> ClusterNode:
    from .cluster.node import ClusterNode, default_node_id

    assert config.redis_url is not None
    node_id = config.node_id or default_node_id(config.host, config.port)
    return ClusterNode(
        config.redis_url, node_id, db, deliverer, gap_timeout=config.cluster_gap_timeout
    )


def _cluster_guard(cluster: ClusterNode | None) -> dict[str, object]:
    """The login guard's shared state in a cluster (wall clock: nodes compare times)."""
    if cluster is None:
        return {}
    return {"clock": time.time, "buckets": cluster.buckets, "accounts": cluster.accounts}


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    parts = app[PARTS]
    if parts.cluster is not None:
        try:
            await parts.cluster.start()
        except Exception as exc:
            await parts.cluster.stop()
            parts.db.close()
            raise StartupError(
                f"cannot join the cluster at {parts.config.redis_url}: {exc}"
            ) from None
    simulator = None
    if parts.config.simulate:
        from .simulate import Simulator

        simulator = Simulator(parts.service, parts.deliverer, parts.config.simulate_rate)
        simulator.start()
    for task in (
        asyncio.create_task(parts.closer.run(parts.config.session_sweep_interval)),
        asyncio.create_task(_flush_heartbeats(parts)),
    ):
        parts.background.add(task)
        task.add_done_callback(parts.background.discard)
    try:
        yield
    finally:
        if simulator is not None:
            await simulator.stop()
        if parts.handlers is not None:
            parts.handlers.closed = True
        for task in list(parts.background):
            task.cancel()
        parts.db.close()
        if parts.group is not None:
            parts.group.close()
        if parts.cluster is not None:
            await parts.cluster.stop()


async def _flush_heartbeats(parts: ServerParts) -> None:
    """Store throttled heartbeats whose slot has come (the latest value wins)."""
    interval = parts.config.heartbeat_interval
    while True:
        await asyncio.sleep(interval / 2)
        try:
            if parts.route is not None:  # delivered by the cluster route
                beats = await parts.route.run(parts.service.flush_beats)
            elif parts.group is not None:
                beats = await parts.group.run(parts.service.flush_beats)
            else:
                beats = parts.service.flush_beats()
            await parts.deliverer.deliver(beats)
        except Exception:
            log.exception("storing throttled heartbeats failed")


async def _disconnect_everyone(app: web.Application) -> None:
    # Close every Engine.IO session without a CLOSE packet, so clients see a dropped
    # transport and reconnect once a server is back (a CLOSE would tell a
    # python-socketio client to stay away). Waking the queue ends a websocket's writer
    # (which closes it) and answers a pending long-poll at once.
    parts = app[PARTS]
    eio = parts.sio.eio
    for socket in list(eio.sockets.values()):
        try:
            await socket.close(wait=False, abort=True, reason=eio.reason.SERVER_DISCONNECT)
        except Exception:
            log.exception("closing a connection during shutdown failed")
        socket.queue.put_nowait(None)
    await parts.sio.shutdown()


def _release_polls_on_client_close(sio: socketio.AsyncServer) -> None:
    """End a polling client's pending GET when it closes the session.

    python-engineio drops a session on the client's CLOSE packet but leaves the
    long-poll GET open until it times out, so a python-socketio client using polling
    waits ~15 s in ``disconnect()``. Waking the session's queue (the library's own
    "unlock" idiom) answers that GET with an empty payload at once.
    """
    eio = sio.eio
    inner = eio.handlers["disconnect"]

    async def on_eio_disconnect(eio_sid: str, reason: Any = None) -> None:
        try:
            await inner(eio_sid, reason)
        finally:
            socket = eio.sockets.get(eio_sid)
            if socket is not None and reason == eio.reason.CLIENT_DISCONNECT:
                socket.queue.put_nowait(None)

    eio.on("disconnect", on_eio_disconnect)


@dataclass
class RunningServer:
    """A started server: where it listens and the parts tests may poke at."""

    url: str
    host: str
    port: int
    app: web.Application
    runner: web.AppRunner
    parts: ServerParts
    _stopped: bool = False

    @property
    def sio(self) -> socketio.AsyncServer:
        """The Socket.IO server."""
        return self.parts.sio

    @property
    def service(self) -> ScoringService:
        """The domain service (its database is open while the server runs)."""
        return self.parts.service

    @property
    def config(self) -> ServerConfig:
        """The configuration it was started with."""
        return self.parts.config

    async def stop(self) -> None:
        """Disconnect every client, stop the simulator, close the database (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        await self.runner.cleanup()
        log.info("server on %s stopped", self.url)


async def start_server(config: ServerConfig) -> RunningServer:
    """Create the app and listen on ``config.host:config.port`` (0 → ephemeral)."""
    ssl_context = None
    if config.certfile is not None:  # before anything is opened: a bad file changes nothing
        try:
            ssl_context = server_ssl_context(config.certfile, config.keyfile)
        except TlsError as exc:
            raise StartupError(f"TLS: {exc}") from None
    app = create_app(config)
    runner = web.AppRunner(
        app,
        handle_signals=False,
        access_log=None,
        shutdown_timeout=2.0,
        keepalive_timeout=_KEEPALIVE_TIMEOUT,
    )
    try:
        await runner.setup()
        assert runner.server is not None
        guard_server(
            runner.server,
            HttpLimits(
                header_timeout=config.http_header_timeout,
                body_timeout=config.http_body_timeout,
                max_connections=config.max_http_connections,
            ),
        )
        site = web.TCPSite(runner, config.host, config.port, ssl_context=ssl_context)
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        reason = exc.strerror or str(exc)
        raise StartupError(f"cannot listen on {config.host}:{config.port}: {reason}") from None
    except BaseException:
        await runner.cleanup()
        raise
    port = int(runner.addresses[0][1])
    url = f"{config.scheme}://{_url_host(config.host)}:{port}"
    log.info("serving %s (data dir %s)", url, config.data_dir)
    return RunningServer(url, config.host, port, app, runner, app[PARTS])


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
