"""The REST edge: login, token refresh (rotation), health and Prometheus metrics.

Bodies are validated with :mod:`scoring_console.protocol.rest` models; every refusal
is ``{error: {code, message}}`` with a 4xx status. CORS headers follow the server's
``cors_allowed_origins`` so a browser console on the venue LAN can log in.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from scoring_console.protocol.entities import UserInfo
from scoring_console.protocol.errors import ErrorCode
from scoring_console.protocol.rest import (
    HEALTH_PATH,
    LOGIN_PATH,
    METRICS_PATH,
    REFRESH_PATH,
    HealthResponse,
    LoginRequest,
    LoginResponse,
    RefreshRequest,
    RefreshResponse,
    RestError,
    RestErrorBody,
)
from scoring_console.protocol.version import PROTOCOL_VERSION

from .metrics import ServerMetrics
from .ratelimit import RateLimiter
from .rooms import ConnectionIndex
from .service import ScoringService
from .tokens import TokenError, TokenIssuer

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

REST_PATHS = frozenset({LOGIN_PATH, REFRESH_PATH, HEALTH_PATH, METRICS_PATH})


LOGIN_HASH_CONCURRENCY = 2
"""Password checks running at once (each scrypt call takes ~16 MB and a pool thread)."""


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


async def parse_body(request: web.Request, model: type[M]) -> M:
    """The request's JSON body as ``model``, or :class:`RestFailure` (400 / 413)."""
    try:
        raw: Any = await request.json()
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
        login_failures_per_minute: int = 10,
    ) -> None:
        self._service = service
        # Failed logins per (address, username): guessing passwords gets slow, while
        # successful logins never pay. Password hashing (scrypt, ~16 MB each) is bounded
        # in concurrency so a flood of attempts cannot exhaust memory or the thread pool.
        self._login_failures = RateLimiter(login_failures_per_minute)
        self._hashing = asyncio.Semaphore(LOGIN_HASH_CONCURRENCY)
        self._tokens = tokens
        self._index = index
        self._metrics = metrics
        self._origins = cors_allowed_origins
        self._started_at = time.monotonic()

    def install(self, app: web.Application) -> None:
        """Add the routes and the error / CORS middleware to ``app``."""
        app.middlewares.append(self._middleware)
        app.router.add_post(LOGIN_PATH, self.login)
        app.router.add_post(REFRESH_PATH, self.refresh)
        app.router.add_get(HEALTH_PATH, self.health)
        app.router.add_get(METRICS_PATH, self.metrics)
        for path in (LOGIN_PATH, REFRESH_PATH):
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

    def _issue_pair(self, user: UserInfo) -> tuple[str, str]:
        access = self._tokens.issue_access(user.id, user.username, user.role)
        refresh = self._tokens.issue_refresh(user.id)
        expires_at = datetime.fromtimestamp(refresh.expires_at, UTC)
        self._service.store_refresh_token(refresh.jti, user.id, expires_at)
        return access, refresh.token

    async def login(self, request: web.Request) -> web.Response:
        """``POST /api/auth/login``: credentials → access + refresh token."""
        body = await parse_body(request, LoginRequest)
        key = (request.remote or "", body.username.casefold())
        wait = self._login_failures.check(key)
        if wait is not None:
            raise RestFailure(
                429,
                ErrorCode.RATE_LIMITED,
                f"Too many failed logins for {body.username}; try again in {math.ceil(wait)} s",
                retry_after=wait,
            )
        # Password hashing is deliberately slow: keep it off the event loop.
        async with self._hashing:
            user = await asyncio.to_thread(self._service.authenticate, body.username, body.password)
        if user is None:
            self._login_failures.acquire(key)
            raise RestFailure(401, ErrorCode.UNAUTHENTICATED, "Invalid username or password")
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
        body = await parse_body(request, RefreshRequest)
        try:
            claims = self._tokens.verify_refresh(body.refresh_token)
        except TokenError:
            raise RestFailure(401, ErrorCode.UNAUTHENTICATED, "Invalid refresh token") from None
        if not self._service.consume_refresh_token(claims.jti, claims.user_id):
            raise RestFailure(
                401, ErrorCode.UNAUTHENTICATED, "Refresh token already used or revoked"
            )
        user = self._service.get_user(claims.user_id)
        if user is None:
            raise RestFailure(401, ErrorCode.UNAUTHENTICATED, "User is not active")
        access, new_refresh = self._issue_pair(user)
        return _ok(
            RefreshResponse(
                access_token=access, refresh_token=new_refresh, expires_in=self._tokens.access_ttl
            )
        )

    async def health(self, request: web.Request) -> web.Response:
        """``GET /socket-health``: liveness, connected sockets, uptime, protocol version."""
        return _ok(
            HealthResponse(
                status="ok",
                connected_clients=len(self._index),
                uptime=round(time.monotonic() - self._started_at, 3),
                protocol=PROTOCOL_VERSION,
            )
        )

    async def metrics(self, request: web.Request) -> web.Response:
        """``GET /metrics``: Prometheus text exposition."""
        response = web.Response(body=self._metrics.render())
        response.headers["Content-Type"] = self._metrics.content_type
        return response
