"""ClientCore: the one object the desktop UI and ``scoring-cli`` drive.

It ties together the session (:mod:`.auth`), the self-healing link (:mod:`.link`), the
resync logic (:mod:`.sync`), the outbox sender (:mod:`.sender`), the local SQLite
store (:mod:`scoring_console.store`) and the state (:mod:`.state`). Durable writes are
committed to the outbox before the call returns ("saved locally") and sent in order
whenever the link is up; online-only calls raise :class:`NotConnected` or
:class:`~scoring_console.protocol.AckFailed`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from keyring.backend import KeyringBackend
from pydantic import BaseModel, ValidationError

from scoring_console.protocol import ServerEvent
from scoring_console.protocol.entities import UserInfo
from scoring_console.protocol.payloads import (
    CertificationSign,
    DeductionCreate,
    RemovalRequestCreate,
    ScoreSubmit,
)
from scoring_console.store.local import LocalStore, database_path
from scoring_console.store.outbox import EntryKind, OutboxEntry

from .auth import Session
from .backoff import Backoff
from .cache_writer import CacheWriter
from .calls import OnlineCalls
from .clock import Clock, Sleep, utc_now
from .connection import ConnectionState, ConnectionStatus
from .errors import (
    NotConnected,
    NotLoggedIn,
    PendingEntriesError,
    ServerUnreachable,
    SessionExpired,
)
from .failover import ServerRing
from .judges import LockCheck, PendingStatus, lock_check, pending_status
from .link import Link
from .observable import Observable
from .relogin import LoginEvent, ReloginWatcher
from .sender import OutboxSender
from .servers import ServerList, parse_servers
from .state import StateStore
from .sync import Synchronizer
from .tasks import TaskSet

log = logging.getLogger(__name__)


class ClientCore(OnlineCalls):
    """The headless client: login, live state, durable writes, resilient connection.

    Observables: ``connection_changed`` (:class:`ConnectionState`), ``login_changed``
    (:class:`~.relogin.LoginEvent`: a login is required, or was restored silently),
    ``outbox_changed``
    (an :class:`OutboxEntry` was added or changed state), ``outbox_removed`` (an entry
    id was dismissed or pruned), ``event_received`` (``(ServerEvent, payload)`` after it
    was applied to :attr:`state`).
    """

    def __init__(
        self,
        server_url: str | Sequence[str] | ServerList,
        username: str,
        data_dir: Path | str | None = None,
        keyring_backend: KeyringBackend | type[KeyringBackend] | None = None,
        heartbeat_interval: float = 5.0,
        *,
        heartbeat_timeout: float | None = None,
        backoff_min: float = 0.5,
        backoff_max: float = 15.0,
        request_timeout: float = 10.0,
        connect_timeout: float = 10.0,
        http_timeout: float = 10.0,
        prune_after: float = 600.0,
        transports: tuple[str, ...] = ("websocket", "polling"),
        clock: Clock = utc_now,
        password: str | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.clock = clock
        """What "now" is for everything that decides by time (injected in tests)."""
        servers = server_url if isinstance(server_url, ServerList) else parse_servers(server_url)
        base = Path(data_dir) if data_dir is not None else None
        self.servers = ServerRing(servers, profile_url(servers, username, base))
        """The server list and the node in use (raises ServerListError when bad)."""
        self.server_url = self.servers.profile_url
        """The address naming the local profile and the stored sign-in (see
        :func:`profile_url`); :attr:`current_server` is the node in use."""
        self.username = username
        self.state = StateStore()
        self.connection_changed: Observable[ConnectionState] = Observable("connection_changed")
        self.outbox_changed: Observable[OutboxEntry] = Observable("outbox_changed")
        self.outbox_removed: Observable[int] = Observable("outbox_removed")
        self.event_received: Observable[tuple[ServerEvent, BaseModel]] = Observable(
            "event_received"
        )
        self.user: UserInfo | None = None
        self.request_timeout = request_timeout
        self.store = LocalStore.for_profile(self.server_url, username, base)
        self.session = Session(
            self.servers,
            username,
            keyring_backend=keyring_backend,
            http_timeout=http_timeout,
        )
        self._tasks = TaskSet()
        self.link = Link(
            self.servers,
            self.session,
            on_connected=self._on_connected,
            on_event=self._on_socket_event,
            pending_count=self.pending_count,
            heartbeat_interval=heartbeat_interval,
            heartbeat_timeout=heartbeat_timeout,
            backoff=Backoff(backoff_min, backoff_max),
            request_timeout=request_timeout,
            connect_timeout=connect_timeout,
            transports=transports,
        )
        self.link.state_changed.connect(self.connection_changed.emit)
        self.link.state_changed.connect(self._on_link_state)
        self._relogin_password = password
        self.relogin = ReloginWatcher(
            self.session,
            sleep,
            Backoff(backoff_min, backoff_max),
            password=lambda: self._relogin_password,
            on_login=self._after_silent_login,
        )
        self.login_changed: Observable[LoginEvent] = self.relogin.changed
        self.cache_writer = CacheWriter(self.state, self.store.cache, self.clock)
        self.sync = Synchronizer(
            self.state, self.cache_writer, self.link, self.event_received, self._tasks
        )
        self.sender = OutboxSender(
            self.store.outbox,
            self.link,
            self.state,
            self.outbox_changed,
            self.outbox_removed,
            request_timeout=request_timeout,
            prune_after=prune_after,
        )
        self._started = False
        self._stopped = False
        self._server_offset = timedelta(0)

    # --- status ----------------------------------------------------------------------

    @property
    def connection(self) -> ConnectionState:
        """The current connection state."""
        return self.link.state

    @property
    def current_server(self) -> str:
        """The server the core uses now (with several, the one that answered last)."""
        return self.servers.current

    @property
    def profile_dir(self) -> Path:
        """This (server, user) profile's folder: cache, outbox, kept receipts."""
        return self.store.path.parent

    @property
    def keyring_available(self) -> bool:
        """False when the refresh token is kept in memory only (no OS keyring)."""
        return self.session.keyring_available

    @property
    def started(self) -> bool:
        """True between :meth:`start` and :meth:`stop` / :meth:`logout`."""
        return self._started

    # --- session ---------------------------------------------------------------------

    @property
    def login_required(self) -> LoginEvent | None:
        """The pending "login required" event (see :attr:`login_changed`), or ``None``."""
        return self.relogin.required

    async def login(
        self, password: str, remember: bool = True, new_password: str | None = None
    ) -> UserInfo:
        """Log in; raises InvalidCredentials or ServerUnreachable (keyring problems
        only degrade :attr:`keyring_available`). ``PasswordChangeRequired`` (an
        InvalidCredentials) asks for a second try with ``new_password``.

        When the server cannot be reached, the password is kept in memory so the core
        logs in by itself once the server answers (see :attr:`login_changed`).
        """
        try:
            user = await self.session.login(password, remember, new_password)
        except ServerUnreachable:
            self._relogin_password = password
            raise
        self._set_user(user)
        self.relogin.logged_in()
        self._resume_link()
        return user

    async def resume(self) -> UserInfo | None:
        """Log in silently with the refresh token stored in the keyring.

        Returns ``None`` when no token is stored. Raises SessionExpired when it is
        refused, ServerUnreachable when the server cannot be asked (the token stays in
        memory, so :meth:`start` connects once the server is back).
        """
        if not await self.session.resume():
            return None
        self.relogin.logged_in()
        user = self.store.cache.load_user() or _user_from_token(self.session.access_token)
        if user is not None:
            self._set_user(user)
        self._resume_link()
        return user

    def _resume_link(self) -> None:
        """After AUTH_FAILED (or a start without a session), a new login reconnects."""
        if self._started and not self.link.running:
            self.link.start()
            if not any(t.get_name() == "token-refresh" for t in self._tasks):
                self._tasks.spawn(self._keep_token_fresh(), "token-refresh")

    def _on_link_state(self, state: ConnectionState) -> None:
        if state.status is ConnectionStatus.AUTH_FAILED and self._started:
            self.relogin.need_login()

    async def _after_silent_login(self, user: UserInfo | None) -> None:
        """The watcher logged in again: show the user and reconnect."""
        if user is None:
            user = self.store.cache.load_user() or _user_from_token(self.session.access_token)
        if user is not None:
            self._set_user(user)
        self._resume_link()

    def open_offline(self) -> bool:
        """Load the cached snapshot (no network); False when there is none."""
        snapshot = self.store.cache.load()
        if snapshot is None:
            return False
        with self.cache_writer.loading():
            self.state.apply_snapshot(snapshot)
        if self.user is None:
            self.user = snapshot.user
        return True

    async def start(self) -> None:
        """Start connecting (forever, with backoff), resyncing and sending the outbox.

        Works offline: the cached state is shown and writes queue until the server is
        reachable. Without a session the state becomes ``AUTH_FAILED`` ("log in").
        """
        if self._started:
            return
        self._check_open()
        self._started = True
        if self.state.user is None:
            self.open_offline()
        self._tasks.spawn(self.relogin.run(), "relogin")
        if self.session.access_token is None and not self.session.has_refresh_token:
            state = ConnectionState(ConnectionStatus.AUTH_FAILED, reason="not logged in")
            self.link.state = state
            self.connection_changed.emit(state)
            self.relogin.need_login()
        else:
            self.link.start()
            self._tasks.spawn(self._keep_token_fresh(), "token-refresh")
        self._tasks.spawn(self.sender.run(), "outbox-sender")

    async def stop(self, flush_timeout: float = 3.0) -> None:
        """Flush what can be sent within ``flush_timeout`` s, disconnect, close the store."""
        if self._stopped:
            return
        if self._started and flush_timeout > 0 and self.link.state.connected:
            await self.sender.flush(flush_timeout)
        await self._halt()
        await self.session.aclose()
        self.cache_writer.close()
        self.store.close()
        self._stopped = True

    async def logout(self, discard_pending: bool = False) -> None:
        """Log out: forget tokens, the outbox and the cache.

        Raises PendingEntriesError when unsent entries exist, unless the user agreed to
        lose them (``discard_pending=True``). Nothing is deleted before that decision.
        """
        count = self.pending_count()
        if count and not discard_pending:
            raise PendingEntriesError(count)
        await self._halt()
        await self.session.forget()
        self.store.outbox.clear()
        self.store.cache.clear()
        self.user = None
        self.state.clear()

    async def _halt(self) -> None:
        self._started = False
        await self._tasks.cancel_all()
        await self.link.stop()

    async def _keep_token_fresh(self) -> None:
        """Refresh at ~80 % of the access token's life and hand the new token to the live
        connection (``auth:renew``); the link reconnects quietly only if that fails."""
        while True:
            due = self.session.refresh_due_in()
            if due is None or not self.link.running:
                await asyncio.sleep(1.0)  # no token yet, or waiting for a new login
                continue
            await asyncio.sleep(due)
            try:
                await self.session.refresh()
            except ServerUnreachable:
                await asyncio.sleep(5.0)
                continue
            except (SessionExpired, NotLoggedIn):
                # refused (revoked, deactivated): the next handshake reports AUTH_FAILED
                self.link.reconnect("session expired")
                continue
            # no live socket: nothing to do, the next handshake sends the new token
            await self.link.renew()

    # --- judges: pending entries, refusals, lock readiness ------------------------------

    def server_now(self) -> datetime:
        """The server's time by the injected clock, corrected by the offset measured at
        the last ``sync`` (server stamps such as ``pendingAsOf`` compare with this)."""
        return self.clock() + self._server_offset

    def pending_status(self, user_id: int) -> PendingStatus | None:
        """A judge's unsent entries with their age ("4, as of 2 min ago" / unknown);
        ``None`` when this user sees no presence for them."""
        presence = self.state.presence.get(user_id)
        return None if presence is None else pending_status(presence, self.server_now())

    def lock_check(self, contest_id: int) -> LockCheck:
        """Before locking: judges of the contest who are offline, may have unsent
        entries, or had writes refused (``LockCheck.clear`` when there are none)."""
        return lock_check(self.state, contest_id, self.server_now())

    # --- outbox ----------------------------------------------------------------------

    def pending_count(self, category_id: int | None = None) -> int:
        """Entries not on the server yet (pending or sending), optionally per category."""
        if self.store.closed:
            return 0
        return self.store.outbox.pending_count(category_id)

    def sheet_not_ready(self, category_id: int) -> str | None:
        """Why the logged-in judge cannot sign their sheet of a category yet; ``None``
        when they can.

        The one rule both the sheet's "Certify my scores" and the certification panel's
        "Sign my step" follow: every cell scored on the server (the server refuses an
        incomplete sheet) and nothing of the category still waiting in the outbox.
        """
        user = self.state.user
        category = self.state.categories.get(category_id)
        if user is None or category is None:
            return "Not synced with the server yet."
        pending = self.pending_count(category_id)
        if pending:
            return f"Wait until every score has reached the server ({pending} waiting)."
        missing = sum(
            1
            for contestant_id in category.contestant_ids
            for criterion in category.criteria
            if (score := self.state.score_for(category_id, contestant_id, criterion.id, user.id))
            is None
            or score.score is None
        )
        if missing:
            return f"Fill every cell of the sheet first ({missing} to go)."
        return None

    def outbox_entries(self) -> list[OutboxEntry]:
        """Every entry in the outbox, oldest first."""
        return self.store.outbox.entries()

    def dismiss(self, entry_id: int) -> bool:
        """Remove a rejected (or synced) entry the user has seen."""
        removed = self.store.outbox.dismiss(entry_id)
        if removed:
            self.outbox_removed.emit(entry_id)
        return removed

    async def flush(self, seconds: float = 10.0) -> bool:
        """Wait until the outbox has nothing pending (True) or ``seconds`` pass (False)."""
        return await self.sender.flush(seconds)

    async def wait_connected(self, seconds: float | None = None) -> bool:
        """Wait until connected and resynced; False after ``seconds``."""
        return await self.link.wait_connected(seconds)

    def retry_now(self) -> None:
        """Skip the reconnect backoff wait (a "retry now" button)."""
        self.link.retry_now()

    def _enqueue(
        self, kind: EntryKind, model: BaseModel, category_id: int | None, **cell: int | None
    ) -> OutboxEntry:
        self._check_open()
        entry = self.store.outbox.enqueue(
            kind,
            model.model_dump(mode="json", by_alias=True, exclude_none=True),
            category_id=category_id,
            **cell,
        )
        self.outbox_changed.emit(entry)
        self.sender.wake()
        return entry

    async def submit_score(
        self,
        category_id: int,
        contestant_id: int,
        criterion_id: int,
        score: float,
        comment: str | None = None,
        reason: str | None = None,
    ) -> OutboxEntry:
        """Queue a score durably (committed before returning); sent when connected.

        ``reason`` is required by the server once the judge's signed sheet was reopened.
        Raises ``pydantic.ValidationError`` (a ValueError) for an invalid value.
        """
        model = ScoreSubmit(
            client_id=str(uuid.uuid4()),
            category_id=category_id,
            contestant_id=contestant_id,
            criterion_id=criterion_id,
            score=float(score),
            comment=comment,
            reason=reason,
        )
        return self._enqueue(
            EntryKind.SCORE,
            model,
            category_id,
            contestant_id=contestant_id,
            criterion_id=criterion_id,
        )

    async def request_deduction(
        self, category_id: int, contestant_id: int, amount: float, reason: str
    ) -> OutboxEntry:
        """Queue a deduction request durably."""
        model = DeductionCreate(
            client_id=str(uuid.uuid4()),
            category_id=category_id,
            contestant_id=contestant_id,
            amount=float(amount),
            reason=reason,
        )
        return self._enqueue(EntryKind.DEDUCTION, model, category_id, contestant_id=contestant_id)

    async def request_removal(self, score_id: int, reason: str) -> OutboxEntry:
        """Queue a score removal request durably."""
        model = RemovalRequestCreate(client_id=str(uuid.uuid4()), score_id=score_id, reason=reason)
        known = self.state.scores.get(score_id)
        if known is None:
            return self._enqueue(EntryKind.REMOVAL, model, None)
        return self._enqueue(
            EntryKind.REMOVAL,
            model,
            known.category_id,
            contestant_id=known.contestant_id,
            criterion_id=known.criterion_id,
        )

    async def sign_certification(self, category_id: int) -> OutboxEntry:
        """Queue the caller's sign-off; PendingEntriesError while entries of the category
        are not on the server yet (a judge signs what the server has)."""
        count = self.pending_count(category_id)
        if count:
            raise PendingEntriesError(
                count, f"{count} entries of this category are not on the server yet"
            )
        model = CertificationSign(client_id=str(uuid.uuid4()), category_id=category_id)
        return self._enqueue(EntryKind.SIGNOFF, model, category_id)

    # --- events ----------------------------------------------------------------------

    def handle_event(self, name: str, data: Any) -> BaseModel | None:
        """The entry point of every incoming server event (also usable by tests)."""
        return self.sync.handle_event(name, data)

    def _on_socket_event(self, name: str, data: Any) -> None:
        try:
            self.handle_event(name, data)
        except Exception:  # a bug in handling one event must not kill the socket
            log.exception("handling %s failed", name)

    async def _on_connected(self) -> None:
        self.sync.connection_reset()
        snapshot = await self.sync.sync()
        self._server_offset = snapshot.server_time - self.clock()
        self._set_user(snapshot.user, remember=self.user != snapshot.user)
        self.sender.wake()

    def _set_user(self, user: UserInfo, remember: bool = True) -> None:
        self.user = user
        if remember and not self.store.closed:
            try:
                self.store.cache.save_user(user)
            except Exception:
                log.exception("could not remember the user")

    def _check_open(self) -> None:
        if self.store.closed:
            raise NotConnected("the client core was stopped")


def profile_url(servers: ServerList, username: str, data_dir: Path | None = None) -> str:
    """The address a (server list, user) profile is kept under: the cache, the outbox
    and the stored sign-in.

    The list's first address, unless the profile of another address of the list already
    exists on this computer: then that one, so a list typed in another order, or a
    single server that became a list, still finds its unsent entries and its sign-in.
    """
    for url in servers:
        if database_path(url, username, data_dir).exists():
            return url
    return servers.primary


def _user_from_token(token: str | None) -> UserInfo | None:
    """The user named in an access token's claims (no signature check: display only)."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        return UserInfo(
            id=int(claims["userId"]),
            username=str(claims["username"]),
            name=str(claims.get("name") or claims["username"]),
            role=claims["role"],
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError, ValidationError):
        return None
