"""Socket.IO handlers: the authenticated handshake and one generic event dispatcher.

Every client event in :data:`~scoring_console.protocol.catalog.CLIENT_EVENTS` goes
through the same pipeline: token still valid → payload size → payload model →
role → rate limit (writes; reads in a bucket of their own) → service call → delivery
of effects → typed ack. Nothing a client sends can crash a handler or drop its
connection; unknown events — and reserved names such as ``connect`` sent as events —
get the seed's ``error`` event plus an ``invalid_event`` ack. At most
``max_sockets_per_user`` sockets per user pass the handshake.

The token check reads the connection's *current* expiry, which ``auth:renew`` moves
forward in place: the handler verifies the new access token like the handshake does,
requires the connection's own user and role and an active account, and only then
replaces the expiry. ``auth:renew`` alone is still accepted for ``renew_grace`` seconds
after the current token expired (a client that was busy when it should have renewed
keeps its connection); past that, and for every other call at once, the answer is
``unauthenticated`` and the client reconnects through the handshake.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import socketio
from pydantic import BaseModel, ValidationError
from socketio.exceptions import ConnectionRefusedError as Refused

from scoring_console.protocol.ack import ack_error, ack_ok, validation_details
from scoring_console.protocol.base import ServerMessage
from scoring_console.protocol.catalog import CLIENT_EVENTS, ClientEventSpec
from scoring_console.protocol.entities import Snapshot
from scoring_console.protocol.errors import (
    AUTH_INVALID_MESSAGE,
    AUTH_MISSING_MESSAGE,
    INVALID_EVENT_MESSAGE,
    ErrorCode,
)
from scoring_console.protocol.events import ClientEvent, ServerEvent
from scoring_console.protocol.payloads import (
    RENEW_GRACE,
    AccountUnlock,
    AccountUnlocked,
    AuthRenew,
    AuthRenewed,
    ErrorEvent,
)
from scoring_console.protocol.version import PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS

from .db.group import GroupCommit
from .delivery import NAMESPACE, Deliverer
from .lockout import LoginGuard
from .metrics import ServerMetrics
from .ratelimit import RateLimiter, TokenBuckets
from .rooms import Connection, ConnectionIndex
from .service import Actor, ScoringService, ServiceError
from .tokens import TokenError, TokenIssuer
from .transport import GuardedSocketIO

log = logging.getLogger(__name__)

Ack = dict[str, Any]
T = TypeVar("T")
_UNKNOWN_LABEL = "<unknown>"


class CommitRoute(Protocol):
    """Runs a service call so that it returns once what it wrote is committed; a
    cluster node's route also delivers the call's effects before it returns
    (:class:`~scoring_console.server.cluster.route.ClusterRoute`)."""

    async def run(self, call: Callable[[], T]) -> T:
        """Run ``call``; its result (or its error) once committed."""
        ...


class CallRefused(Exception):
    """A call stopped by the transport before the service saw it."""

    def __init__(self, code: ErrorCode, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


def unsupported_protocol_message(requested: object) -> str:
    """The handshake refusal for a protocol version this server does not speak."""
    return (
        f"Unsupported protocol version {requested!r}: this server speaks protocol "
        f"version {PROTOCOL_VERSION}; update the client (or the server) so both match"
    )


class SocketHandlers:
    """Registers the handshake, disconnect, dispatcher and catch-all on one server."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        service: ScoringService,
        tokens: TokenIssuer,
        index: ConnectionIndex,
        deliverer: Deliverer,
        limiter: TokenBuckets,
        metrics: ServerMetrics,
        max_payload_bytes: int,
        *,
        renew_grace: int = RENEW_GRACE,
        guard: LoginGuard | None = None,
        group: GroupCommit | None = None,
        reads: TokenBuckets | None = None,
        max_sockets_per_user: int = 3,
        route: CommitRoute | None = None,
        sockets_of: Callable[[int], int] | None = None,
    ) -> None:
        """``route`` replaces the group committer (cluster mode); ``sockets_of`` counts a
        user's live sockets (default: on this server)."""
        self._sio = sio
        self._service = service
        self._tokens = tokens
        self._index = index
        self._deliverer = deliverer
        self._limiter = limiter
        self._metrics = metrics
        self._max_payload = max_payload_bytes
        self._renew_grace = renew_grace
        self._guard = guard or LoginGuard()
        self._group = group
        self._reads = reads or RateLimiter(300)
        self._max_sockets = max_sockets_per_user
        self._route = route
        self._sockets_of = sockets_of or index.count_of
        self.closed = False
        """Set once the database is closing: late disconnects no longer touch it."""

    def register(self) -> None:
        """Attach every handler to the server's default namespace."""
        self._sio.on("connect", self.on_connect, namespace=NAMESPACE)
        self._sio.on("disconnect", self.on_disconnect, namespace=NAMESPACE)
        for spec in CLIENT_EVENTS.values():
            self._sio.on(str(spec.name), self._handler_for(spec), namespace=NAMESPACE)
        self._sio.on("*", self.on_unknown_event, namespace=NAMESPACE)
        if isinstance(self._sio, GuardedSocketIO):
            # connect / disconnect / … sent as events must not re-run the real handlers
            self._sio.invalid_event_handler = self.on_unknown_event

    # --- handshake --------------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        """Accept a handshake with a valid token and protocol, or refuse it with a message."""
        try:
            actor, expires_at = self._authenticate(auth)
        except Refused:
            self._metrics.errors.labels(str(ErrorCode.UNAUTHENTICATED)).inc()
            raise
        except Exception:
            log.exception("handshake check failed")
            raise Refused("Internal server error") from None
        if self._sockets_of(actor.user_id) >= self._max_sockets:
            self._metrics.errors.labels(str(ErrorCode.RATE_LIMITED)).inc()
            log.info("refused: %s already has %d connections", actor.username, self._max_sockets)
            raise Refused(
                f"Too many connections for {actor.username} (at most {self._max_sockets}); "
                "close another console or scoring-cli session first"
            )
        try:
            for room in sorted(self._service.rooms_for(actor)):
                await self._sio.enter_room(sid, room, namespace=NAMESPACE)
            presence = await self._committed(lambda: self._service.set_online(actor, True))
        except Exception:
            log.exception("handshake of user %s failed", actor.user_id)
            raise Refused("Internal server error") from None
        self._index.add(Connection(sid, actor, expires_at))
        self._metrics.connections.inc()
        await self._deliver(presence)
        log.info("connected: %s (%s) sid=%s", actor.username, actor.role, sid)

    def _authenticate(self, auth: Any) -> tuple[Actor, int]:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not token:
            raise Refused(AUTH_MISSING_MESSAGE)
        requested = auth.get("protocol", PROTOCOL_VERSION)
        if (
            isinstance(requested, bool)
            or not isinstance(requested, int)
            or requested not in SUPPORTED_PROTOCOL_VERSIONS
        ):
            raise Refused(unsupported_protocol_message(requested))
        if not isinstance(token, str):
            raise Refused(AUTH_INVALID_MESSAGE)
        try:
            claims = self._tokens.verify_access(token)
        except TokenError:
            raise Refused(AUTH_INVALID_MESSAGE) from None
        user = self._service.get_user(claims.user_id)
        if user is None or user.role != claims.role:
            raise Refused(AUTH_INVALID_MESSAGE)
        return Actor(user.id, user.role, user.username), claims.expires_at

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        """Forget the socket and tell tally masters when a judge goes offline."""
        connection = self._index.remove(sid)
        if connection is None:
            return
        self._metrics.connections.dec()
        log.info("disconnected: %s sid=%s (%s)", connection.actor.username, sid, reason)
        if self.closed:
            return
        try:
            await self._deliver(
                await self._committed(lambda: self._service.set_online(connection.actor, False))
            )
        except Exception:
            log.exception("presence update on disconnect failed")

    # --- events -----------------------------------------------------------------------

    def _handler_for(self, spec: ClientEventSpec) -> Callable[..., Awaitable[Ack]]:
        async def handler(sid: str, *args: Any) -> Ack:
            return await self.dispatch(spec, sid, args)

        handler.__name__ = f"on_{spec.name.replace(':', '_').replace('-', '_')}"
        return handler

    async def dispatch(self, spec: ClientEventSpec, sid: str, args: tuple[Any, ...]) -> Ack:
        """Run one client event through the pipeline and return its ack."""
        event = str(spec.name)
        started = time.perf_counter()
        self._metrics.events.labels(event).inc()
        try:
            ack = await self._run(spec, sid, args)
        except CallRefused as exc:
            ack = ack_error(exc.code, exc.message, exc.details)
        except ServiceError as exc:
            ack = ack_error(exc.code, exc.message, exc.details or None)
            if exc.effects:  # e.g. scores:refused: the refusal itself was recorded
                await self._deliver(exc.effects)
                self._deliverer.flush_socket(sid)
        except Exception:
            log.exception("handler for %s failed (sid %s)", event, sid)
            ack = ack_error(ErrorCode.INTERNAL, "Internal server error")
        self._metrics.latency.labels(event).observe(time.perf_counter() - started)
        if not ack["ok"]:
            self._metrics.errors.labels(ack["error"]["code"]).inc()
        return ack

    async def _run(self, spec: ClientEventSpec, sid: str, args: tuple[Any, ...]) -> Ack:
        connection = None if self.closed else self._index.get(sid)
        if connection is None:
            raise CallRefused(ErrorCode.UNAUTHENTICATED, "Not authenticated")
        self._check_expiry(spec, connection)
        payload = self._parse(spec, args)
        actor = connection.actor
        if actor.role not in spec.roles:
            raise CallRefused(ErrorCode.FORBIDDEN, f"{actor.role} may not call {spec.name}")
        if spec.rate_limited:
            # writes and reads in separate buckets: a tight sync loop cannot grow the
            # server, and reading never eats into what a judge may write
            limiter, what = (self._limiter, "writes") if spec.write else (self._reads, "reads")
            wait = limiter.acquire(actor.user_id)
            if wait is not None:
                raise CallRefused(
                    ErrorCode.RATE_LIMITED, f"Too many {what}; slow down", {"retryAfter": wait}
                )
        # the catalog's route says who answers: the transport itself or the service router
        if spec.route == "transport.renew" and isinstance(payload, AuthRenew):
            return ack_ok(self._renew(connection, payload.token))
        if spec.route == "transport.unlock" and isinstance(payload, AccountUnlock):
            was_locked = self._guard.unlock(payload.username, by=actor.username)
            return ack_ok(AccountUnlocked(username=payload.username, was_locked=was_locked))
        outcome = await self._committed(lambda: self._service.dispatch(actor, spec.name, payload))
        if isinstance(outcome.result, Snapshot):
            # a snapshot restarts this connection's prevSeq chain at its seq
            self._deliverer.mark_synced(sid, outcome.result.seq)
        await self._deliver(outcome.effects)
        if spec.echo is not None and isinstance(outcome.result, ServerMessage):
            await self._deliverer.send_to(sid, spec.echo, outcome.result)
        # the caller's own events go out before its ack; everyone else's on the next
        # loop turn, after the ack (delivery never holds the ack up)
        self._deliverer.flush_socket(sid)
        result = outcome.result
        if result is None or isinstance(result, BaseModel | dict):
            return ack_ok(result)
        raise TypeError(f"service returned {type(result).__name__} for {spec.name}")

    def _check_expiry(self, spec: ClientEventSpec, connection: Connection) -> None:
        """Refuse a call on an expired token; ``auth:renew`` gets the grace window."""
        expires_at = connection.token_expires_at
        if not self._tokens.is_expired(expires_at):
            return
        if spec.name is ClientEvent.AUTH_RENEW:
            if not self._tokens.is_expired(expires_at + self._renew_grace):
                return
            raise CallRefused(
                ErrorCode.UNAUTHENTICATED,
                "Access token expired too long ago to renew; reconnect with a fresh token",
            )
        raise CallRefused(ErrorCode.UNAUTHENTICATED, "Access token expired; refresh it")

    def _renew(self, connection: Connection, token: str) -> AuthRenewed:
        """Verify a new access token for this connection and adopt its expiry.

        Any refusal raises ``unauthenticated`` before the connection is touched.
        """
        try:
            claims = self._tokens.verify_access(token)
        except TokenError:
            raise CallRefused(ErrorCode.UNAUTHENTICATED, AUTH_INVALID_MESSAGE) from None
        actor = connection.actor
        if claims.user_id != actor.user_id or claims.role != actor.role:
            raise CallRefused(
                ErrorCode.UNAUTHENTICATED, "The token belongs to another user or role"
            )
        user = self._service.get_user(claims.user_id)
        if user is None or user.role != actor.role:
            raise CallRefused(ErrorCode.UNAUTHENTICATED, AUTH_INVALID_MESSAGE)
        connection.token_expires_at = claims.expires_at
        log.debug(
            "token renewed: %s sid=%s until %d", actor.username, connection.sid, claims.expires_at
        )
        return AuthRenewed(expires_at=datetime.fromtimestamp(claims.expires_at, UTC))

    def _parse(self, spec: ClientEventSpec, args: tuple[Any, ...]) -> BaseModel:
        if len(args) > 1:
            raise CallRefused(ErrorCode.VALIDATION_ERROR, "Send one payload argument")
        raw = args[0] if args else None
        size = len(json.dumps(raw, separators=(",", ":"), default=str))
        if size > self._max_payload:
            raise CallRefused(
                ErrorCode.VALIDATION_ERROR,
                "Payload too large",
                {"size": size, "limit": self._max_payload},
            )
        try:
            return spec.payload.model_validate({} if raw is None else raw)
        except ValidationError as exc:
            raise CallRefused(
                ErrorCode.VALIDATION_ERROR, f"Invalid {spec.name} payload", validation_details(exc)
            ) from None

    async def on_unknown_event(self, event: str, sid: str, *args: Any) -> Ack:
        """The seed's ``error`` event for an unknown name, and an ``invalid_event`` ack."""
        self._metrics.events.labels(_UNKNOWN_LABEL).inc()
        self._metrics.errors.labels(str(ErrorCode.INVALID_EVENT)).inc()
        name = str(event)[:100]
        log.info("unknown event %r from sid %s", name, sid)
        notice = ErrorEvent(message=INVALID_EVENT_MESSAGE, code=ErrorCode.INVALID_EVENT, event=name)
        try:
            await self._sio.emit(str(ServerEvent.ERROR), notice.to_wire(), to=sid)
        except Exception:
            log.exception("could not send the error event to %s", sid)
        return ack_error(ErrorCode.INVALID_EVENT, INVALID_EVENT_MESSAGE, {"event": name})

    async def _committed(self, call: Callable[[], T]) -> T:
        """Run a service call; return once what it wrote (or saw) is committed.

        With group commit, concurrent calls share one transaction and one fsync
        (:class:`~scoring_console.server.db.group.GroupCommit`); the call's own error
        is raised after the commit too, so a refusal's record is durable as well.
        """
        if self._route is not None:
            return await self._route.run(call)
        if self._group is None:
            return call()
        return await self._group.run(call)

    async def _deliver(self, effects: Any) -> None:
        # The write is committed whatever happens here: a delivery failure is logged and
        # the clients catch up through their next sync (seq / prevSeq gap).
        try:
            await self._deliverer.deliver(effects)
        except Exception:
            log.exception("delivery failed")
