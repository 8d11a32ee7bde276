"""One unexpected exception must not end the outbox sender for the session.

Regression: ``OutboxSender.run`` only caught its own retry signal, so a "database is
locked" from claim/resolve or a bug in applying an ack ended the ``outbox-sender`` task
for good while the UI kept saying "sending N". The failures are injected through a
small ``OutboxStore`` subclass on a real SQLite file (and a ``StateStore`` subclass).
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from scoring_console.client.observable import Observable
from scoring_console.client.sender import OutboxSender
from scoring_console.client.state import StateStore
from scoring_console.protocol import ServerEvent
from scoring_console.store.db import open_database
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry
from scoring_console.store.outbox_store import OutboxStore, Resolution

from .conftest import wait_until
from .test_sender import ScriptedLink


class FlakyOutbox(OutboxStore):
    """Raises ``sqlite3.OperationalError`` from the first ``fail[name]`` calls of a method."""

    def __init__(self, conn: sqlite3.Connection, **fail: int) -> None:
        super().__init__(conn)
        self.fail = dict(fail)
        self.raised: dict[str, int] = {}

    def _maybe_fail(self, name: str) -> None:
        if self.fail.get(name, 0) > 0:
            self.fail[name] -= 1
            self.raised[name] = self.raised.get(name, 0) + 1
            raise sqlite3.OperationalError("database is locked")

    def claim(self, owner: str, **options: Any) -> list[OutboxEntry]:
        self._maybe_fail("claim")
        return super().claim(owner, **options)

    def resolve(self, owner: str, resolutions: Iterable[Resolution]) -> list[OutboxEntry]:
        self._maybe_fail("resolve")
        return super().resolve(owner, resolutions)


class BuggyState(StateStore):
    """Applying the first acknowledged entity raises (a bug in the state code)."""

    def __init__(self) -> None:
        super().__init__()
        self.broken = 1

    def apply(self, event: ServerEvent, payload: BaseModel) -> bool:
        if self.broken:
            self.broken -= 1
            raise RuntimeError("bug in state.apply")
        return super().apply(event, payload)


def enqueue(outbox: OutboxStore) -> OutboxEntry:
    payload = {
        "clientId": str(uuid.uuid4()),
        "categoryId": 1,
        "contestantId": 1,
        "criterionId": 1,
        "score": 5.0,
    }
    return outbox.enqueue(EntryKind.SCORE, payload, category_id=1, contestant_id=1, criterion_id=1)


async def run_until_synced(
    outbox: FlakyOutbox, state: StateStore | None = None
) -> tuple[ScriptedLink, OutboxSender, OutboxEntry]:
    link = ScriptedLink()
    sender = OutboxSender(
        outbox,
        link,  # type: ignore[arg-type]
        state or StateStore(),
        Observable(),
        Observable(),
        request_timeout=1.0,
    )
    task = asyncio.create_task(sender.run(), name="outbox-sender")
    try:
        entry = enqueue(outbox)
        sender.wake()
        await wait_until(
            lambda: (got := outbox.get(entry.id)) is not None and got.state is EntryState.SYNCED,
            5.0,
            "the entry delivered after the failure",
        )
        assert not task.done(), "the sender task ended"
        later = enqueue(outbox)  # and it keeps working
        sender.wake()
        assert await sender.flush(5.0)
        assert (got := outbox.get(later.id)) is not None and got.state is EntryState.SYNCED
        assert not task.done()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled()  # cancellation still stops it
    return link, sender, entry


async def test_a_failing_claim_does_not_end_the_sender(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "client.db")
    outbox = FlakyOutbox(conn, claim=1)
    try:
        await run_until_synced(outbox)
        assert outbox.raised == {"claim": 1}
    finally:
        conn.close()


async def test_a_failing_resolve_releases_the_claim_and_retries(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "client.db")
    outbox = FlakyOutbox(conn, resolve=1)
    try:
        link, _, entry = await run_until_synced(outbox)
        assert outbox.raised == {"resolve": 1}
        sent = [c for c in link.calls if entry.client_id in str(c[1])]
        assert len(sent) == 2  # sent again after the claim was released
        got = outbox.get(entry.id)
        assert got is not None and got.attempts == 2
    finally:
        conn.close()


async def test_a_bug_applying_the_ack_does_not_end_the_sender(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "client.db")
    outbox = FlakyOutbox(conn)
    state = BuggyState()
    try:
        await run_until_synced(outbox, state)
        assert state.broken == 0
    finally:
        conn.close()
