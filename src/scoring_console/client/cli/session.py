"""One ``scoring-cli`` run's session: the client core, login or resume, the connection."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import TextIO

from scoring_console.store.outbox import EntryState, OutboxEntry

from ..connection import ConnectionState, ConnectionStatus
from ..core import ClientCore
from ..errors import (
    InvalidCredentials,
    PasswordChangeRequired,
    ServerUnreachable,
    SessionExpired,
)
from .credentials import keyring_backend_from_env, read_new_password, read_password
from .errors import EXIT_AUTH, EXIT_UNREACHABLE, CliError
from .output import Output

# the command's logger, named after the package: scoring_console.client.cli
log = logging.getLogger(__package__)


class CliSession:
    """One command run: a core, its session, and the output."""

    def __init__(self, args: argparse.Namespace, output: Output, stdin: TextIO) -> None:
        self.args = args
        self.output = output
        self.stdin = stdin
        self.core = ClientCore(
            args.servers,
            args.username,
            data_dir=args.data_dir,
            keyring_backend=keyring_backend_from_env(),
        )
        self.online = False
        self.resumable = False
        self.password: str | None = None
        self.offline_reason: str | None = None
        self._cache_loaded = False

    async def close(self, flush_timeout: float = 0.0) -> None:
        """Stop the core: flush what it can within ``flush_timeout``, close the store."""
        try:
            await self.core.stop(flush_timeout=flush_timeout)
        except Exception:  # closing must not hide the command's own result
            log.exception("stopping the client core failed")

    async def authenticate(self) -> bool:
        """Log in (silently with a stored refresh token, else with the password).

        True when logged in online. False when the server is unreachable: the cached
        snapshot is loaded then, and :attr:`resumable` says whether a stored refresh
        token lets :meth:`ClientCore.start` connect once the server is back. Raises
        :class:`CliError` for authentication failures.
        """
        try:
            user = await self.core.resume()
        except ServerUnreachable as exc:
            self.resumable = True  # the core keeps the stored token for start()
            return self._go_offline(str(exc))
        except SessionExpired:
            user = None  # the stored token was refused: ask for the password
        if user is None:
            if self.password is None:
                self.password = read_password(self.args.username, self.args.server, self.stdin)
            try:
                await self._login(self.password)
            except InvalidCredentials as exc:
                raise CliError(EXIT_AUTH, f"login refused: {exc}") from None
            except ServerUnreachable as exc:
                return self._go_offline(str(exc))
        self.online = True
        self.offline_reason = None
        return True

    async def _login(self, password: str) -> None:
        try:
            await self.core.login(password)
        except PasswordChangeRequired:
            new_password = read_new_password(self.args.username, self.stdin)
            await self.core.login(password, new_password=new_password)
            self.password = new_password

    def _go_offline(self, reason: str) -> bool:
        self.offline_reason = reason or "server unreachable"
        if not self._cache_loaded:
            self._cache_loaded = True
            self.core.open_offline()
        return False

    async def connect(self, within: float) -> ConnectionState:
        """Start the core and wait until it is connected (or gives up on auth)."""
        done = asyncio.Event()

        def changed(state: ConnectionState) -> None:
            if state.status in (ConnectionStatus.CONNECTED, ConnectionStatus.AUTH_FAILED):
                done.set()

        unsubscribe = self.core.connection_changed.connect(changed)
        try:
            await self.core.start()
            changed(self.core.connection)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), within)
        finally:
            unsubscribe()
        state = self.core.connection
        if state.status is ConnectionStatus.AUTH_FAILED:
            raise CliError(EXIT_AUTH, f"the server refused the session: {state.reason}")
        return state

    async def go_online(self, within: float) -> bool:
        """Authenticate and connect; False (offline, cache loaded) when unreachable."""
        if not await self.authenticate():
            return False
        state = await self.connect(within)
        if not state.connected:
            self.offline_reason = state.reason or state.describe()
            return False
        return True

    async def require_online(self) -> None:
        """Go online within ``--timeout``; else close and raise :meth:`unreachable`."""
        if not await self.go_online(self.args.timeout):
            await self.close()
            raise self.unreachable()

    def unreachable(self) -> CliError:
        """The error for a command that needs the server."""
        reason = self.offline_reason or f"cannot reach {self.core.servers.describe()}"
        return CliError(EXIT_UNREACHABLE, f"server unreachable: {reason}")

    async def wait_until(self, predicate: Callable[[], bool], within: float | None) -> bool:
        """Wait until ``predicate()`` holds, re-checking on every outbox/connection change."""
        wake = asyncio.Event()

        def poke(_value: object) -> None:
            wake.set()

        unsubscribe = [
            self.core.outbox_changed.connect(poke),
            self.core.connection_changed.connect(poke),
        ]
        deadline = None if within is None else time.monotonic() + within
        try:
            while not predicate():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                wake.clear()
                # re-check at least every half second: a change might be missed between
                # the predicate and the wait, and pruning emits nothing
                wait = 0.5 if remaining is None else min(0.5, remaining)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), wait)
            return True
        finally:
            for off in unsubscribe:
                off()

    def unfinished_entries(self) -> tuple[list[OutboxEntry], list[OutboxEntry]]:
        """The outbox entries still pending and those rejected, oldest first."""
        entries = self.core.outbox_entries()
        pending = [e for e in entries if e.is_pending]
        rejected = [e for e in entries if e.state is EntryState.REJECTED]
        return pending, rejected
