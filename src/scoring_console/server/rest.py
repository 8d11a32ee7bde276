"""The REST edge: login, token refresh (rotation), logout, health and Prometheus metrics.

Bodies are validated with :mod:`scoring_console.protocol.rest` models; every refusal
is ``{error: {code, message}}`` with a 4xx status. CORS headers follow the server's
``cors_allowed_origins`` so a browser console on the venue LAN can log in.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from scoring_console.protocol.entities import UserInfo
from scoring_console.protocol.errors import ErrorCode
from scoring_console.protocol.rest import (
    HEALTH_PATH,
    LOGIN_PATH,
    LOGOUT_PATH,
    METRICS_PATH,
    REFRESH_PATH,
    HealthResponse,
    LoginRequest,
    LoginResponse,
    LogoutRequest,
    RefreshRequest,
    RefreshResponse,
    RestError,
    RestErrorBody,
)
from scoring_console.protocol.version import PROTOCOL_VERSION

from .lockout import LoginGuard
from .metrics import ServerMetrics
from .rooms import ConnectionIndex
from .service import ScoringService
from .tokens import TokenError, TokenIssuer

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

REST_PATHS = frozenset({LOGIN_PATH, REFRESH_PATH, LOGOUT_PATH, HEALTH_PATH, METRICS_PATH})


LOGIN_HASH_CONCURRENCY = 2
"""Password checks running at once (each scrypt call takes ~16 MB and a pool thread)."""


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class RestFailure(Exception):
    """A refused REST call: HTTP status plus the protocol's error code and message."""

    def __init__(
        self, status: int, code: ErrorCode, message: str, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def error_response(status: int, code: ErrorCode, message: str) -> web.Response:
    """``{error: {code, message}}`` with ``status``."""
    body = RestError(error=RestErrorBody(code=code, message=message))
    return web.json_response(body.to_wire(), status=status)


def _ok(model: BaseModel) -> web.Response:
    return web.json_response(model.model_dump(mode="json", by_alias=True))


async def parse_body(request: web.Request, model: type[M], deadline: float = 20.0) -> M:
    """The request's JSON body as ``model``, or :class:`RestFailure` (400 / 408 / 413).

    The body must arrive within ``deadline`` seconds; a half-sent one is refused and
    the connection closed.
    """
    try:
        async with asyncio.timeout(deadline):
            raw: Any = await request.json()
    except TimeoutError:
        request.protocol.force_close()
        raise RestFailure(
            408, ErrorCode.VALIDATION_ERROR, "Request body not received in time"
        ) from None
    except web.HTTPRequestEntityTooLarge:
        raise RestFailure(413, ErrorCode.VALIDATION_ERROR, "Body too large") from None
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise RestFailure(400, ErrorCode.VALIDATION_ERROR, "Body is not valid JSON") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        message = f"Invalid request body: {where}: {first['msg']}"
        raise RestFailure(400, ErrorCode.VALIDATION_ERROR, message) from None


class RestApi:
    """The REST handlers of one server, bound to its service and token issuer."""

    def __init__(
        self,
        service: ScoringService,
        tokens: TokenIssuer,
        index: ConnectionIndex,
        metrics: ServerMetrics,
        cors_allowed_origins: str | list[str] = "*",
        guard: LoginGuard | None = None,
        body_timeout: float = 20.0,
        metrics_token: str | None = None,
        node_id: str | None = None,
        cluster_nodes: Callable[[], list[str]] | None = None,
    ) -> None:
        """``node_id`` / ``cluster_nodes``: this node's id and the live nodes (cluster)."""
        self._service = service
        self._node_id = node_id
        self._cluster_nodes = cluster_nodes
        # Login attempts are counted before the hash (see LoginGuard); password hashing
        # (scrypt, ~16 MB each) is bounded in concurrency so a flood of attempts cannot
        # exhaust memory or the thread pool.
        self._guard = guard or LoginGuard()
        self._hashing = asyncio.Semaphore(LOGIN_HASH_CONCURRENCY)
        self._tokens = tokens
        self._index = index
        self._metrics = metrics
        self._origins = cors_allowed_origins
        self._started_at = time.monotonic()
        self._body_timeout = body_timeout
        self._metrics_token = metrics_token

    def install(self, app: web.Application) -> None:
        """Add the routes and the error / CORS middleware to ``app``."""
        app.middlewares.append(self._middleware)
        app.router.add_post(LOGIN_PATH, self.login)
        app.router.add_post(REFRESH_PATH, self.refresh)
        app.router.add_post(LOGOUT_PATH, self.logout)
        app.router.add_get(HEALTH_PATH, self.health)
        app.router.add_get(METRICS_PATH, self.metrics)
        for path in (LOGIN_PATH, REFRESH_PATH, LOGOUT_PATH):
            app.router.add_route("OPTIONS", path, self._preflight)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path not in REST_PATHS:
            # Socket.IO (/socket.io/) answers its own CORS.
            passthrough: web.StreamResponse = await handler(request)
            return passthrough
        try:
            response: web.StreamResponse = await handler(request)
        except RestFailure as exc:
            response = error_response(exc.status, exc.code, exc.message)
            if exc.retry_after is not None:
                response.headers["Retry-After"] = str(math.ceil(exc.retry_after))
        self._cors(request, response)
        return response

    def _cors(self, request: web.Request, response: web.StreamResponse) -> None:
        origin = request.headers.get("Origin")
        if not origin:
            return
        if self._origins == "*" or (isinstance(self._origins, list) and origin in self._origins):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            response.headers["Access-Control-Allow-Credentials"] = "true"

    async def _preflight(self, request: web.Request) -> web.Response:
        response = web.Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Content-Type"
        )
        response.headers["Access-Control-Max-Age"] = "600"
        return response

    def _issue_pair(self, user: UserInfo, family: str | None = None) -> tuple[str, str]:
        access = self._tokens.issue_access(user.id, user.username, user.role)
        refresh = self._tokens.issue_refresh(user.id)
        expires_at = datetime.fromtimestamp(refresh.expires_at, UTC)
        self._service.store_refresh_token(refresh.jti, user.id, expires_at, family)
        return access, refresh.token

    async def login(self, request: web.Request) -> web.Response:
        """``POST /api/auth/login``: credentials → access + refresh token."""
        body = await parse_body(request, LoginRequest, self._body_timeout)
        address = request.remote or ""
        # Counted before the hash and without an await in between: a concurrent burst
        # gets no more checks than the limits allow.
        refusal = self._guard.begin(address, body.username)
        if refusal is not None:
            what = "is locked" if refusal.locked else "has too many failed logins"
            raise RestFailure(
                429,
                ErrorCode.RATE_LIMITED,
                f"{body.username} {what}; try again in {math.ceil(refusal.retry_after)} s",
                retry_after=refusal.retry_after,
            )
        # Password hashing is deliberately slow: keep it off the event loop.
        async with self._hashing:
            user = await asyncio.to_thread(self._service.authenticate, body.username, body.password)
        if user is None:
            raise RestFailure(401, ErrorCode.UNAUTHENTICATED, "Invalid username or password")
        # the password was right: a reset password still to change is not a failed login
        self._guard.succeeded(address, body.username)
        if self._service.must_change_password(user.id):
            if body.new_password is None or body.new_password == body.password:
                raise RestFailure(
                    403,
                    ErrorCode.PRECONDITION_FAILED,
                    "This password was reset and must be changed: log in again with a new "
                    "password (newPassword)",
                )
            await asyncio.to_thread(self._service.change_password, user.id, body.new_password)
        access, refresh = self._issue_pair(user)
        log.info("login: %s (%s)", user.username, user.role)
        return _ok(
            LoginResponse(
                access_token=access,
                refresh_token=refresh,
                user=user,
                expires_in=self._tokens.access_ttl,
            )
        )

    async def refresh(self, request: web.Request) -> web.Response:
        """``POST /api/auth/refresh``: a refresh token (spent) → a new pair."""
        body = await parse_body(request, RefreshRequest, self._body_timeout)
        try:
            claims = self._tokens.verify_refresh(body.refresh_token)
        except TokenError:
            raise RestFailure(401, ErrorCode.UNAUTHENTICATED, "Invalid refresh token") from None
        family = self._service.rotate_refresh_token(claims.jti, claims.user_id)
        if family is None:
            raise RestFailure(
                401, ErrorCode.UNAUTHENTICATED, "Refresh token already used or revoked"
            )
        user = self._service.get_user(claims.user_id)
        if user is None:
            raise RestFailure(401, ErrorCode.UNAUTHENTICATED, "User is not active")
        access, new_refresh = self._issue_pair(user, family)
        return _ok(
            RefreshResponse(
                access_token=access, refresh_token=new_refresh, expires_in=self._tokens.access_ttl
            )
        )

    async def logout(self, request: web.Request) -> web.Response:
        """``POST /api/auth/logout``: revoke a refresh token and its rotation family.

        204 whether or not anything was left to revoke (an expired token is accepted);
        401 for a token this server did not sign.
        """
        body = await parse_body(request, LogoutRequest, self._body_timeout)
        try:
            claims = self._tokens.verify_refresh(body.refresh_token, allow_expired=True)
        except TokenError:
            raise RestFailure(401, ErrorCode.UNAUTHENTICATED, "Invalid refresh token") from None
        revoked = self._service.revoke_refresh_family(claims.jti, claims.user_id)
        log.info("logout: user %d (%d refresh tokens revoked)", claims.user_id, revoked)
        return web.Response(status=204)

    async def health(self, request: web.Request) -> web.Response:
        """``GET /socket-health``: liveness, connected sockets, uptime, protocol version
        (and in a cluster this node's id and the live nodes)."""
        nodes = None
        if self._cluster_nodes is not None:
            try:
                nodes = await asyncio.to_thread(self._cluster_nodes)
            except Exception as exc:  # Redis down: the node still answers, without the list
                log.warning("listing cluster nodes failed: %s", exc)
        return _ok(
            HealthResponse(
                status="ok",
                connected_clients=len(self._index),
                uptime=round(time.monotonic() - self._started_at, 3),
                protocol=PROTOCOL_VERSION,
                node=self._node_id,
                nodes=nodes,
            )
        )

    async def metrics(self, request: web.Request) -> web.Response:
        """``GET /metrics``: Prometheus text exposition.

        With a metrics token, only ``Authorization: Bearer <token>`` may read it;
        without one, only loopback clients (a scraper on the server machine).
        """
        if self._metrics_token is not None:
            given = request.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {self._metrics_token}".encode()):
                raise RestFailure(401, ErrorCode.UNAUTHENTICATED, "Metrics token required")
        elif not _is_loopback(request.remote):
            raise RestFailure(
                403,
                ErrorCode.FORBIDDEN,
                "/metrics is open to loopback clients only; start the server with "
                "--metrics-token to scrape it from elsewhere",
            )
        response = web.Response(body=self._metrics.render())
        response.headers["Content-Type"] = self._metrics.content_type
        return response
