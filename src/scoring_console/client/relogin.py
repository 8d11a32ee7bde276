"""Logging in again without a click when the server comes back.

When the core has no usable session (it started offline without a stored token, or
the server refused the token and its refresh), the link stops in ``AUTH_FAILED``.
:class:`ReloginWatcher` then polls the server's reachability (``GET /socket-health``,
capped backoff, through the injected clock) and, once the server answers, logs in with
the credential it has: the refresh token (in memory or in the keyring), else the
password the core was given at start. It tries each once per outage. When none is
available or each is refused, it announces :class:`LoginEvent` ``REQUIRED`` with an
honest, user-facing reason, and waits for the user's login; a successful silent login
announces ``RESTORED``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from scoring_console.protocol.entities import UserInfo

from .auth import Session
from .backoff import Backoff
from .clock import Sleep
from .errors import AuthError, InvalidCredentials, NotLoggedIn, ServerUnreachable, SessionExpired
from .observable import Observable

log = logging.getLogger(__name__)


class LoginEventKind(StrEnum):
    """What a :class:`LoginEvent` says."""

    REQUIRED = "required"
    """The user must enter the password now (see ``reason``)."""
    RESTORED = "restored"
    """The core logged in again by itself; the link is connecting."""


class LoginCause(StrEnum):
    """Why a login is required."""

    NO_CREDENTIAL = "no_credential"
    """No stored sign-in and no password given at start."""
    SESSION_EXPIRED = "session_expired"
    """The stored sign-in (refresh token) was refused."""
    PASSWORD_REFUSED = "password_refused"
    """The password given at start was refused."""


@dataclass(frozen=True)
class LoginEvent:
    """A change of the core's login state, for a dialog, a banner and a tray message.

    ``reason`` is a complete sentence for the user; ``cause`` is ``None`` for
    ``RESTORED``; ``via`` says which credential restored it (``"saved sign-in"`` or
    ``"password"``).
    """

    kind: LoginEventKind
    username: str
    reason: str
    cause: LoginCause | None = None
    via: str | None = None


def required_reason(cause: LoginCause, username: str) -> str:
    """The sentence the user reads when a login is required."""
    if cause is LoginCause.SESSION_EXPIRED:
        return (
            "The server is reachable again; your saved sign-in expired — "
            f"enter the password for {username}."
        )
    if cause is LoginCause.PASSWORD_REFUSED:
        return (
            "The server is reachable again but refused the password given at start — "
            f"enter the password for {username}."
        )
    return (
        "The server is reachable again; this console has no saved sign-in — "
        f"enter the password for {username}."
    )


class ReloginWatcher:
    """Polls reachability while a login is needed and logs in again when it can."""

    def __init__(
        self,
        session: Session,
        sleep: Sleep,
        backoff: Backoff,
        *,
        password: Callable[[], str | None],
        on_login: Callable[[UserInfo | None], Awaitable[None]],
    ) -> None:
        self.session = session
        self.sleep = sleep
        self.backoff = backoff
        self.changed: Observable[LoginEvent] = Observable("login_changed")
        self.required: LoginEvent | None = None
        """The pending ``REQUIRED`` event, until a login succeeds."""
        self.probes = 0
        self._password = password
        self._on_login = on_login
        self._needed = asyncio.Event()
        self._satisfied = asyncio.Event()

    @property
    def needed(self) -> bool:
        """True while the core waits for a login."""
        return self._needed.is_set()

    def need_login(self) -> None:
        """The link stopped in ``AUTH_FAILED`` (or started without a session)."""
        self._satisfied.clear()
        self._needed.set()

    def logged_in(self) -> None:
        """A login succeeded (by the user or by this watcher): stop watching."""
        self._needed.clear()
        self._satisfied.set()
        self.required = None

    async def run(self) -> None:
        """Forever (until cancelled): wait for a need, then resolve it."""
        while True:
            await self._needed.wait()
            await self._resolve_once()

    async def _resolve_once(self) -> None:
        attempt = 0
        while self._needed.is_set():
            self.probes += 1
            if await self.session.probe():
                break
            attempt += 1
            await self.sleep(self.backoff.delay(attempt))
        if not self._needed.is_set():
            return  # the user logged in meanwhile
        cause = await self._try_credentials()
        if cause is None or not self._needed.is_set():
            return
        event = LoginEvent(
            LoginEventKind.REQUIRED,
            self.session.username,
            required_reason(cause, self.session.username),
            cause,
        )
        self.required = event
        log.warning("login required: %s", event.reason)
        self.changed.emit(event)
        await self._satisfied.wait()

    async def _try_credentials(self) -> LoginCause | None:
        """Log in with what we have; ``None`` on success, else why a login is required."""
        cause = LoginCause.NO_CREDENTIAL
        try:
            if await self.session.stored_refresh_token():
                try:
                    await self.session.resume()
                    await self._restored(None, "saved sign-in")
                    return None
                except (SessionExpired, NotLoggedIn):
                    cause = LoginCause.SESSION_EXPIRED
            password = self._password()
            if password:
                try:
                    user = await self.session.login(password, self.session.remember)
                except InvalidCredentials:
                    return LoginCause.PASSWORD_REFUSED
                await self._restored(user, "password")
                return None
        except ServerUnreachable as exc:
            log.info("server went away again during the silent login: %s", exc)
            return None if not self._needed.is_set() else await self._retry_later()
        except AuthError as exc:
            log.warning("silent login failed: %s", exc)
        return cause

    async def _retry_later(self) -> LoginCause | None:
        await self.sleep(self.backoff.delay(1))
        self._needed.set()  # run() resolves it again from the probe
        return None

    async def _restored(self, user: UserInfo | None, via: str) -> None:
        await self._on_login(user)
        self.logged_in()
        event = LoginEvent(
            LoginEventKind.RESTORED,
            self.session.username,
            f"Signed in again as {self.session.username} with the {via}; reconnecting.",
            via=via,
        )
        log.info("%s", event.reason)
        self.changed.emit(event)
