"""REST bodies of the auth endpoints and the health check."""

from __future__ import annotations

from pydantic import Field

from .base import InboundModel, WireModel
from .entities import UserInfo
from .errors import ErrorCode

LOGIN_PATH = "/api/auth/login"
REFRESH_PATH = "/api/auth/refresh"
LOGOUT_PATH = "/api/auth/logout"
HEALTH_PATH = "/socket-health"
METRICS_PATH = "/metrics"


class LoginRequest(InboundModel):
    """``POST /api/auth/login`` body."""

    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    new_password: str | None = Field(default=None, min_length=8, max_length=200)
    """Required when the account's password was reset or generated: the login then
    sets it (``403 precondition_failed`` without it)."""


class LoginResponse(WireModel):
    """Successful login."""

    access_token: str
    refresh_token: str
    user: UserInfo
    expires_in: int = Field(ge=1, description="Access token lifetime in seconds")


class RefreshRequest(InboundModel):
    """``POST /api/auth/refresh`` body."""

    refresh_token: str = Field(min_length=1, max_length=4000)


class LogoutRequest(InboundModel):
    """``POST /api/auth/logout`` body: the refresh token to revoke (with its family)."""

    refresh_token: str = Field(min_length=1, max_length=4000)


class RefreshResponse(WireModel):
    """New tokens; the old refresh token is spent (rotation)."""

    access_token: str
    refresh_token: str
    expires_in: int = Field(ge=1)


class HealthResponse(WireModel):
    """``GET /socket-health``."""

    status: str
    connected_clients: int
    uptime: float
    protocol: int
    node: str | None = None
    """This node's id when the server is one node of a cluster."""
    nodes: list[str] | None = None
    """The cluster's live nodes (ids, sorted), when it is one."""


class RestErrorBody(WireModel):
    """``error`` of a failed REST call."""

    code: ErrorCode
    message: str


class RestError(WireModel):
    """Body of a failed REST call: ``{error: {code, message}}``."""

    error: RestErrorBody
