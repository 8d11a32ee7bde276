"""Session tokens: REST login and refresh, access token in memory, refresh token vaulted.

The access token lives only in memory; :meth:`Session.token` hands out a valid one,
refreshing first when it is about to expire. The refresh token goes to the OS keyring
(via :class:`~scoring_console.client.vault.TokenVault`) when the user asked to be
remembered. Refresh tokens rotate: each works once, so refreshes are serialized.

With several server addresses (:mod:`.failover`) every REST call goes to the current
node and, when that node cannot be reached at all, to the next ones in turn. A request
that may have reached a node (the answer was lost) is not sent again to another node at
once: a refresh token works once, and the first node may have used it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, TypeVar

import aiohttp
from keyring.backend import KeyringBackend
from pydantic import BaseModel, ValidationError

from scoring_console.protocol.entities import UserInfo
from scoring_console.protocol.errors import ErrorCode
from scoring_console.protocol.rest import (
    HEALTH_PATH,
    LOGIN_PATH,
    LOGOUT_PATH,
    REFRESH_PATH,
    LoginRequest,
    LoginResponse,
    LogoutRequest,
    RefreshRequest,
    RefreshResponse,
)

from . import tls
from .errors import (
    AuthError,
    InvalidCredentials,
    NotLoggedIn,
    PasswordChangeRequired,
    ServerUnreachable,
    SessionExpired,
)
from .failover import ServerRing
from .vault import TokenVault

log = logging.getLogger(__name__)

_T = TypeVar("_T", bound=BaseModel)

REFRESH_AT = 0.8
"""Refresh when this fraction of the access token's lifetime has passed."""
REFRESH_LEAD = 1.5
"""...but at least this many seconds (at most half the lifetime) before it ends: the
server's ``exp`` is in whole seconds, so a token may live up to a second less than
``expiresIn`` says, and the new token still has to reach the live connection."""
EXPIRY_MARGIN = 5.0
"""An access token with less than this many seconds left is refreshed before use."""
NODE_UNAVAILABLE = frozenset({502, 503, 504})
"""HTTP statuses of a proxy or node that cannot serve now: the next node is asked."""


class _NotSent(Exception):
    """The request never reached the node (refused, no route, connect timeout)."""


class Session:
    """The tokens of one (server list, user) pair."""

    def __init__(
        self,
        server_url: str | ServerRing,
        username: str,
        *,
        keyring_backend: KeyringBackend | type[KeyringBackend] | None = None,
        http_timeout: float = 10.0,
    ) -> None:
        self.servers = server_url if isinstance(server_url, ServerRing) else ServerRing(server_url)
        self.server_url = self.servers.profile_url
        """The address naming this session's profile and stored sign-in."""
        self.username = username
        self.http_timeout = http_timeout
        self.vault = TokenVault(self.server_url, username, keyring_backend)
        self.access_token: str | None = None
        self.remember = True
        self._refresh_token: str | None = None
        self._issued_at = 0.0
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self._refusal: str | None = None  # why the last refresh was refused
        self._http: aiohttp.ClientSession | None = None

    @property
    def keyring_available(self) -> bool:
        """False when the refresh token can only be kept in memory."""
        return self.vault.available

    @property
    def has_refresh_token(self) -> bool:
        """True when a refresh is possible without asking for the password."""
        return self._refresh_token is not None

    # --- public API ------------------------------------------------------------------

    async def login(
        self, password: str, remember: bool = True, new_password: str | None = None
    ) -> UserInfo:
        """Log in with the password; raises InvalidCredentials or ServerUnreachable.

        ``PasswordChangeRequired`` when an administrator reset the password: log in
        again with ``new_password`` (which then becomes the password).
        """
        request = LoginRequest(username=self.username, password=password, new_password=new_password)
        status, data = await self._post(LOGIN_PATH, request.to_wire())
        if status == 403 and _code(data) == ErrorCode.PRECONDITION_FAILED:
            raise PasswordChangeRequired(_message(data, "the password must be changed"))
        if status in (400, 401, 403):
            raise InvalidCredentials(_message(data, "invalid username or password"))
        response = self._parse(status, data, LoginResponse)
        self.remember = remember
        await self._accept(response.access_token, response.refresh_token, response.expires_in)
        if not remember:
            await self.vault.delete()
        return response.user

    async def resume(self) -> bool:
        """Refresh with the refresh token stored in the keyring; False when none is stored.

        Raises SessionExpired when the stored token is refused (and forgets it), or
        ServerUnreachable when the server cannot be asked.
        """
        stored = await self.vault.load()
        if stored is None and self._refresh_token is None:
            return False
        if stored is not None:
            self._refresh_token = stored
        self.remember = True
        await self.refresh()
        return True

    async def token(self) -> str:
        """A valid access token, refreshed first if it expires within a few seconds."""
        fresh_until = self._expires_at - EXPIRY_MARGIN
        if self.access_token is not None and time.monotonic() < fresh_until:
            return self.access_token
        return await self.refresh()

    def invalidate(self) -> None:
        """The server refused the access token: the next :meth:`token` refreshes."""
        self._expires_at = 0.0

    def refresh_due_in(self) -> float | None:
        """Seconds until the access token should be refreshed proactively."""
        if self.access_token is None:
            return None
        life = self._expires_at - self._issued_at
        if life <= 0:
            return 0.0  # invalidated: refresh now
        lead = max(life * (1 - REFRESH_AT), min(REFRESH_LEAD, life / 2))
        return max(0.0, self._expires_at - lead - time.monotonic())

    async def refresh(self) -> str:
        """Trade the refresh token for new tokens (serialized; rotation-safe)."""
        used = self._refresh_token
        async with self._lock:
            if self._refresh_token != used and self.access_token is not None:
                return self.access_token  # another caller refreshed while we waited
            if self._refresh_token is None:
                raise NotLoggedIn(self._refusal or "no session: log in first")
            try:
                return await self._refresh_with(self._refresh_token)
            except SessionExpired:
                # another process (scoring-cli, the desktop app) may have rotated it
                stored = await self.vault.load() if self.remember else None
                if stored is None or stored == used:
                    self._refresh_token = None
                    self.access_token = None
                    self._refusal = "session expired: log in again"
                    raise
                log.info("refresh token was rotated by another process; retrying with it")
                return await self._refresh_with(stored)

    async def probe(self) -> bool:
        """True when a server of the list answers ``GET /socket-health`` with 200 (no
        credentials); that server becomes the current one."""
        for url in self.servers.candidates():
            try:
                async with self._client().get(url + HEALTH_PATH) as resp:
                    if resp.status == 200:
                        self.servers.settle(url)
                        return True
            except (aiohttp.ClientError, TimeoutError, OSError):
                pass
            self.servers.skip(url)
        return False

    async def stored_refresh_token(self) -> bool:
        """True when a refresh token is in memory or in the keyring (a silent login may
        work without asking for the password)."""
        return self._refresh_token is not None or await self.vault.load() is not None

    async def forget(self) -> None:
        """Drop every token, in memory and in the keyring (logout).

        The server is asked to revoke the refresh token (and its rotation family) first;
        offline, the local copies are dropped anyway.
        """
        async with self._lock:
            token = self._refresh_token
            self.access_token = None
            self._refresh_token = None
            self._expires_at = 0.0
        if token is not None:
            try:
                status, _ = await self._post(
                    LOGOUT_PATH, LogoutRequest(refresh_token=token).to_wire()
                )
                log.info("logout: the server answered HTTP %d", status)
            except ServerUnreachable as exc:
                log.info("logout: could not revoke the refresh token on the server (%s)", exc)
        await self.vault.delete()

    async def aclose(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()
            self._http = None

    # --- internals -------------------------------------------------------------------

    async def _refresh_with(self, refresh_token: str) -> str:
        body = RefreshRequest(refresh_token=refresh_token).to_wire()
        status, data = await self._post(REFRESH_PATH, body)
        if status in (400, 401, 403):
            raise SessionExpired(_message(data, "session expired: log in again"))
        response = self._parse(status, data, RefreshResponse)
        await self._accept(response.access_token, response.refresh_token, response.expires_in)
        return response.access_token

    async def _accept(self, access: str, refresh: str, expires_in: int) -> None:
        now = time.monotonic()
        self._refusal = None
        self.access_token = access
        self._refresh_token = refresh
        self._issued_at = now
        self._expires_at = now + expires_in
        if self.remember:
            await self.vault.save(refresh)

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = tls.http_session(aiohttp.ClientTimeout(total=self.http_timeout))
        return self._http

    async def _post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """POST to the current node; to the next ones while a node cannot be reached."""
        failures: list[str] = []
        cause: Exception | None = None
        candidates = self.servers.candidates()
        for position, url in enumerate(candidates):
            try:
                status, data = await self._post_to(url, path, body)
            except _NotSent as exc:
                cause = exc
                failures.append(f"cannot reach {url}: {exc}")
                self.servers.skip(url)
                continue
            except ServerUnreachable:
                self.servers.skip(url)  # the next call starts with another node
                raise
            if status in NODE_UNAVAILABLE and position + 1 < len(candidates):
                failures.append(f"{url} cannot serve now (HTTP {status})")
                self.servers.skip(url)
                continue
            self.servers.settle(url)
            return status, data
        raise ServerUnreachable("; ".join(failures)) from cause

    async def _post_to(self, url: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        try:
            async with self._client().post(url + path, json=body) as resp:
                try:
                    data = await resp.json(content_type=None)
                except ValueError:
                    data = None
                return resp.status, data
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise _NotSent(str(exc) or type(exc).__name__) from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise ServerUnreachable(f"cannot reach {url}: {exc or type(exc).__name__}") from exc

    @staticmethod
    def _parse(status: int, data: Any, model: type[_T]) -> _T:
        if status >= 500:
            raise ServerUnreachable(_message(data, f"server error (HTTP {status})"))
        if status != 200:
            raise AuthError(_message(data, f"HTTP {status}"))
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise AuthError(
                f"unexpected answer from the server: {exc.error_count()} errors"
            ) from exc


def _code(data: Any) -> str | None:
    error = data.get("error") if isinstance(data, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


def _message(data: Any, default: str) -> str:
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
    return default
