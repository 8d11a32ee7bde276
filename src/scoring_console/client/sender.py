"""The outbox sender: one task drains the durable outbox, in order, with acked calls.

Scores go in ``scores:submit-batch`` calls (at most 200, never two edits of one cell in
one batch); other kinds one call each. A positive ack marks the entry ``SYNCED`` (the
ack data is kept, e.g. the sign receipt) and applies the server's entity to the state.
A permanent refusal marks it ``REJECTED`` with its code and message. ``rate_limited``
waits ``retryAfter``; a timeout, an ``internal`` error or a lost connection put the
entries back to ``PENDING`` for the next try. What other processes change in the same
file (entries added, claimed, synced, refused or deleted by ``scoring-cli``) is noticed
by polling SQLite's ``data_version`` and announced like the sender's own changes.
Any other error (a locked or failing database, a bug) is logged, this sender's claims
are released and it tries again after a backoff: it never stops before it is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from scoring_console.protocol import (
    CLIENT_EVENTS,
    PERMANENT_ERRORS,
    AckFailed,
    ClientEvent,
    ErrorCode,
    ProtocolError,
    ServerEvent,
    parse_ack,
)
from scoring_console.protocol.entities import Deduction, RemovalRequest, Score
from scoring_console.protocol.payloads import BatchResult, SignResult
from scoring_console.store.db import BUSY_TIMEOUT_MS
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry
from scoring_console.store.outbox_store import LIVE_OWNERS, OutboxStore, Resolution

from .backoff import Backoff
from .errors import CallTimeout, NotConnected
from .link import Link
from .observable import Observable
from .state import StateStore
from .tasks import wait_event

log = logging.getLogger(__name__)

POLL_INTERVAL = 1.0
"""Seconds between checks for entries written by another process."""
PRUNE_INTERVAL = 60.0
NOTICE_LOOKBACK = BUSY_TIMEOUT_MS / 1000 + 5.0
"""Seconds before the newest ``updated_at`` seen that are searched again for changes of
other processes: a writer stamps ``updated_at`` before it waits (up to the busy timeout)
for the write lock, so its commit can carry a time older than changes already seen."""

_Fingerprint = tuple[EntryState, datetime, int, str | None]


def _fingerprint(entry: OutboxEntry) -> _Fingerprint:
    return (entry.state, entry.updated_at, entry.attempts, entry.error_code)


class _Retry(Exception):
    """Entries went back to pending; wait ``delay`` seconds before the next claim."""

    def __init__(self, delay: float) -> None:
        super().__init__(delay)
        self.delay = delay


class OutboxSender:
    """Sends what the outbox holds whenever the link is up."""

    def __init__(
        self,
        outbox: OutboxStore,
        link: Link,
        state: StateStore,
        changed: Observable[OutboxEntry],
        removed: Observable[int],
        *,
        request_timeout: float = 10.0,
        prune_after: float = 600.0,
    ) -> None:
        self.outbox = outbox
        self.link = link
        self.state = state
        self.changed = changed
        self.removed = removed
        self.request_timeout = request_timeout
        self.prune_after = prune_after
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.sent_calls = 0
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._failures = 0
        self._backoff = Backoff(minimum=0.5, maximum=15.0)
        self._data_version = outbox.data_version()
        self._last_prune = 0.0
        # what listeners were told: the high-water mark of ``updated_at`` (epoch s), the
        # last announced version of recently changed entries, and every entry id alive.
        # Wall time here is the OS clock on purpose: it is compared with ``updated_at``
        # stamps other processes (scoring-cli) write into the same file.
        self._mark = time.time()
        self._announced: dict[int, _Fingerprint] = {}
        self._known_ids = outbox.ids()
        for entry in outbox.updated_since(self._mark - NOTICE_LOOKBACK):
            self._remember(entry)
        changed.connect(self._remember)  # also what ClientCore announces itself
        removed.connect(self._forget)

    def wake(self) -> None:
        """Something was enqueued: look at the outbox now."""
        self._idle.clear()
        self._wake.set()

    def emit(self, entries: Sequence[OutboxEntry]) -> None:
        """Tell listeners about changed entries."""
        for entry in entries:
            self.changed.emit(entry)

    async def flush(self, seconds: float) -> bool:
        """Wait up to ``seconds`` until nothing is pending; True when the outbox drained."""
        deadline = time.monotonic() + seconds
        self.wake()
        while self.outbox.pending_count() > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._idle.clear()
            await wait_event(self._idle, min(left, POLL_INTERVAL))
        return True

    async def run(self) -> None:
        """Drain forever (until cancelled); claims are released when it stops."""
        LIVE_OWNERS.add(self.owner)
        try:
            while True:
                try:
                    await self._step()
                except _Retry as retry:
                    await self._sleep(retry.delay)
                except Exception:  # never CancelledError (a BaseException): that stops us
                    # a locked or failing database, a bug: one error must not end sending
                    # for the session while the UI still says "sending N"
                    log.exception("outbox sender failed; releasing its claims and retrying")
                    with contextlib.suppress(Exception):
                        self.emit(self.outbox.release_owner(self.owner))
                    self._failures += 1
                    await self._sleep(self._backoff.delay(self._failures))
        finally:
            LIVE_OWNERS.discard(self.owner)
            with contextlib.suppress(Exception):
                self.emit(self.outbox.release_owner(self.owner))

    async def _step(self) -> None:
        """Wait for the link, then claim and send one run of entries (or wait for work)."""
        while not await self.link.wait_connected(POLL_INTERVAL):
            self._notice_other_writers()  # offline: still show what others change
        self._maybe_prune()
        entries = self.outbox.claim(self.owner)
        if not entries:
            self._idle.set()
            await self._wait_for_work()
            return
        self.emit(entries)
        await self._send(entries)
        self._failures = 0

    # --- sending ---------------------------------------------------------------------

    async def _send(self, entries: list[OutboxEntry]) -> None:
        if entries[0].kind is EntryKind.SCORE:
            await self._send_scores(entries)
        else:
            await self._send_one(entries[0])

    async def _call(self, entries: Sequence[OutboxEntry], event: ClientEvent, data: Any) -> Any:
        """One acked call; transient failures release the entries and raise _Retry."""
        ids = [e.id for e in entries]
        try:
            raw = await self.link.call(event, data, self.request_timeout)
            self.sent_calls += 1
            return raw
        except CallTimeout as exc:
            self.emit(self.outbox.release(self.owner, ids, "timeout", str(exc)))
            self.link.reconnect("no acknowledgement from the server")
            raise _Retry(0.0) from None
        except NotConnected as exc:
            self.emit(self.outbox.release(self.owner, ids, "disconnected", str(exc)))
            raise _Retry(0.05) from None  # the link is going down: let it

    def _transient(self, entries: Sequence[OutboxEntry], exc: ProtocolError) -> _Retry:
        """Release entries after a retryable refusal; the _Retry says how long to wait."""
        code = str(getattr(exc, "code", "internal"))
        message = getattr(exc, "message", str(exc))
        self.emit(self.outbox.release(self.owner, [e.id for e in entries], code, message))
        if isinstance(exc, AckFailed):
            self.link.on_ack_failed(exc)
            if exc.code is ErrorCode.RATE_LIMITED:
                return _Retry(exc.retry_after or 1.0)
            if exc.code is ErrorCode.UNAUTHENTICATED:
                return _Retry(0.0)
        self._failures += 1
        return _Retry(self._backoff.delay(self._failures))

    async def _send_scores(self, entries: list[OutboxEntry]) -> None:
        data = {"entries": [e.payload for e in entries]}
        raw = await self._call(entries, ClientEvent.SCORES_SUBMIT_BATCH, data)
        try:
            result: BatchResult = parse_ack(str(ClientEvent.SCORES_SUBMIT_BATCH), raw, BatchResult)
        except AckFailed as exc:
            if (
                exc.code in PERMANENT_ERRORS
                and len(entries) > 1
                and exc.code is not ErrorCode.FORBIDDEN
            ):
                # one bad entry spoils a batch: send them one by one to pin the refusal
                self.emit(self.outbox.release(self.owner, [e.id for e in entries]))
                for _ in entries:
                    claimed = self.outbox.claim(self.owner, limit=1)
                    if not claimed:
                        return
                    self.emit(claimed)
                    await self._send_one(claimed[0])
                return
            if exc.code in PERMANENT_ERRORS:
                self._resolve([self._rejection(e, exc.code, exc.message) for e in entries])
                return
            raise self._transient(entries, exc) from None
        except ProtocolError as exc:
            raise self._transient(entries, exc) from None
        by_client = {item.client_id: item for item in result.results}
        resolutions: list[Resolution] = []
        retry: list[OutboxEntry] = []
        retry_after = 0.0
        for entry in entries:
            item = by_client.get(entry.client_id)
            if item is None:
                retry.append(entry)
            elif item.ok and item.data is not None:
                resolutions.append(self._synced(entry, item.data))
            elif item.error is not None and item.error.code in PERMANENT_ERRORS:
                resolutions.append(self._rejection(entry, item.error.code, item.error.message))
            else:
                retry.append(entry)
                if item.error is not None and item.error.code is ErrorCode.RATE_LIMITED:
                    value = (item.error.details or {}).get("retryAfter")
                    if isinstance(value, int | float):
                        retry_after = max(retry_after, float(value))
        self._resolve(resolutions)
        if retry:
            self.emit(
                self.outbox.release(self.owner, [e.id for e in retry], "retry", "not accepted yet")
            )
            self._failures += 1
            raise _Retry(retry_after or self._backoff.delay(self._failures))

    async def _send_one(self, entry: OutboxEntry) -> None:
        event = entry.kind.event  # SCORE -> scores:submit: the batch fallback
        raw = await self._call([entry], event, entry.payload)
        model = CLIENT_EVENTS[event].ack
        try:
            data = parse_ack(str(event), raw, model)
        except AckFailed as exc:
            if exc.code in PERMANENT_ERRORS:
                self._resolve([self._rejection(entry, exc.code, exc.message)])
                return
            raise self._transient([entry], exc) from None
        except ProtocolError as exc:
            raise self._transient([entry], exc) from None
        self._resolve([self._synced(entry, data)])

    def _synced(self, entry: OutboxEntry, data: Any) -> Resolution:
        if isinstance(data, BaseModel):
            self._apply(data)
            body: dict[str, Any] | None = data.model_dump(mode="json", by_alias=True)
        else:
            body = data if isinstance(data, dict) else None
        return Resolution(entry.id, EntryState.SYNCED, body)

    @staticmethod
    def _rejection(entry: OutboxEntry, code: ErrorCode, message: str) -> Resolution:
        log.warning("outbox entry %d (%s) rejected: %s %s", entry.id, entry.kind, code, message)
        return Resolution(entry.id, EntryState.REJECTED, None, str(code), message)

    def _apply(self, data: BaseModel) -> None:
        """Show the server's version of what was just stored.

        The server has accepted it either way: a failure here (a bug) is logged and the
        entry still counts as synced; the next resync brings the server's state.
        """
        try:
            if isinstance(data, Score):
                self.state.apply(ServerEvent.SCORES_UPDATED, data)
            elif isinstance(data, SignResult):
                self.state.apply(ServerEvent.CERTIFICATION_UPDATED, data.certification)
            elif isinstance(data, Deduction):
                self.state.apply(ServerEvent.DEDUCTION_PENDING, data)
            elif isinstance(data, RemovalRequest):
                self.state.apply(ServerEvent.SCORE_REMOVAL_PENDING, data)
        except Exception:
            log.exception("applying the acknowledged %s failed", type(data).__name__)

    def _resolve(self, resolutions: list[Resolution]) -> None:
        if resolutions:
            self.emit(self.outbox.resolve(self.owner, resolutions))

    # --- idling ----------------------------------------------------------------------

    async def _sleep(self, delay: float) -> None:
        await asyncio.sleep(max(0.0, delay))  # always yield: never spin without the loop

    async def _wait_for_work(self) -> None:
        self._wake.clear()
        await wait_event(self._wake, POLL_INTERVAL)
        self._notice_other_writers()

    def _notice_other_writers(self) -> None:
        """Announce what another process (scoring-cli, the desktop app) changed."""
        version = self.outbox.data_version()
        if version == self._data_version:
            return
        # every entry changed since the high-water mark, whatever its state now (synced or
        # refused by the other sender too), unless listeners already have that version;
        # min(): a wall clock set back must not hide the other process's new stamps
        cutoff = min(self._mark, time.time()) - NOTICE_LOOKBACK
        fresh = self.outbox.updated_since(cutoff)
        alive = self.outbox.ids()
        self._data_version = version  # only once read: a failed read is retried
        self.emit([e for e in fresh if self._announced.get(e.id) != _fingerprint(e)])
        for entry_id in sorted(self._known_ids - alive):  # dismissed or pruned there
            self.removed.emit(entry_id)  # -> _forget
        self._announced = {i: f for i, f in self._announced.items() if f[1].timestamp() > cutoff}

    def _remember(self, entry: OutboxEntry) -> None:
        """Listeners were told about this version of ``entry``."""
        self._announced[entry.id] = _fingerprint(entry)
        self._known_ids.add(entry.id)
        self._mark = max(self._mark, entry.updated_at.timestamp())

    def _forget(self, entry_id: int) -> None:
        """Listeners were told that ``entry_id`` is gone."""
        self._announced.pop(entry_id, None)
        self._known_ids.discard(entry_id)

    def _maybe_prune(self) -> None:
        now = time.monotonic()
        if now - self._last_prune < PRUNE_INTERVAL:
            return
        self._last_prune = now
        for entry_id in self.outbox.prune_synced(self.prune_after):
            self.removed.emit(entry_id)
