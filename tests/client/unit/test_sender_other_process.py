"""Another process (``scoring-cli flush``) sends the app's entries on the same client.db.

Regression: the app's sender only re-announced entries still pending or sending, so an
entry the other process synced or got refused never reached ``outbox_changed`` — the
refusal never showed and the pending count observers were never refreshed.
Two real SQLite connections on one file stand for the two processes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from scoring_console.client import sender as sender_module
from scoring_console.client.observable import Observable
from scoring_console.client.sender import OutboxSender
from scoring_console.client.state import StateStore
from scoring_console.store.db import open_database
from scoring_console.store.local import LocalStore
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry
from scoring_console.store.outbox_store import Resolution

from .conftest import wait_until

CLI_OWNER = "cli-owner"


class OfflineLink:
    """The app is offline: its sender only watches the file for other writers."""

    async def wait_connected(self, seconds: float | None = None) -> bool:
        await asyncio.sleep(seconds or 0)
        return False


class App:
    """The desktop app's side: its store, sender and what its observers saw."""

    def __init__(self, store: LocalStore) -> None:
        self.store = store
        self.changed: Observable[OutboxEntry] = Observable("outbox_changed")
        self.removed: Observable[int] = Observable("outbox_removed")
        self.sender = OutboxSender(
            store.outbox,
            OfflineLink(),  # type: ignore[arg-type]
            StateStore(),
            self.changed,
            self.removed,
        )
        self.seen: list[OutboxEntry] = []
        self.gone: list[int] = []
        self.counts: list[int] = []  # what a pending-count observer reads on each change
        self.changed.connect(self.seen.append)
        self.changed.connect(lambda _: self.counts.append(store.outbox.pending_count()))
        self.removed.connect(self.gone.append)
        self.removed.connect(lambda _: self.counts.append(store.outbox.pending_count()))

    def submit(self, contestant: int = 1) -> OutboxEntry:
        """Like ClientCore._enqueue: commit, announce, wake the sender."""
        payload = {
            "clientId": str(uuid.uuid4()),
            "categoryId": 1,
            "contestantId": contestant,
            "criterionId": 1,
            "score": 5.0,
        }
        entry = self.store.outbox.enqueue(
            EntryKind.SCORE, payload, category_id=1, contestant_id=contestant, criterion_id=1
        )
        self.changed.emit(entry)
        self.sender.wake()
        return entry

    def states_seen(self, entry_id: int) -> list[EntryState]:
        return [e.state for e in self.seen if e.id == entry_id]


@pytest.fixture
async def shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[App, LocalStore]]:
    monkeypatch.setattr(sender_module, "POLL_INTERVAL", 0.05)
    path = tmp_path / "client.db"
    app = App(LocalStore(path))
    cli = LocalStore(path)
    task = asyncio.create_task(app.sender.run())
    yield app, cli
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    cli.close()
    app.store.close()


@pytest.mark.parametrize("outcome", [EntryState.REJECTED, EntryState.SYNCED])
async def test_an_entry_the_other_process_resolves_is_announced(
    shared: tuple[App, LocalStore], outcome: EntryState
) -> None:
    app, cli = shared
    entry = app.submit()
    await asyncio.sleep(0.2)  # the app's sender is idle, watching

    claimed = cli.outbox.claim(CLI_OWNER)
    assert [e.id for e in claimed] == [entry.id]
    if outcome is EntryState.REJECTED:
        resolution = Resolution(entry.id, outcome, None, "contest_locked", "contest locked")
    else:
        resolution = Resolution(entry.id, outcome, {"id": 7})
    cli.outbox.resolve(CLI_OWNER, [resolution])

    await wait_until(lambda: outcome in app.states_seen(entry.id), 3.0, f"{outcome} announced")
    final = [e for e in app.seen if e.id == entry.id][-1]
    assert final.state is outcome
    if outcome is EntryState.REJECTED:
        assert final.error_message == "contest locked"
    assert app.counts[-1] == 0  # a pending-count observer reads the fresh value
    new = cli.outbox.enqueue(EntryKind.DEDUCTION, {"clientId": str(uuid.uuid4())}, category_id=1)
    await wait_until(lambda: bool(app.states_seen(new.id)), 3.0, "a later foreign write")
    await asyncio.sleep(0.2)
    # announced once: not again on later polls or later writes of the other process
    assert app.states_seen(entry.id).count(outcome) == 1
    assert app.states_seen(new.id) == [EntryState.PENDING]


async def test_a_resolution_stamped_before_the_last_seen_change_is_not_missed(
    shared: tuple[App, LocalStore],
) -> None:
    """The other process stamps ``updated_at`` before it waits for the write lock, so its
    commit can carry a time older than a change the app already saw."""
    app, cli = shared
    first = app.submit(1)
    second = app.submit(2)  # seen by the app: the newest stamp it knows
    await asyncio.sleep(0.2)
    # what a CLI resolve that took its timestamp, then waited 2 s for the lock, commits
    cli_conn = open_database(cli.path)
    cli_conn.execute(
        "UPDATE outbox SET state = 'rejected', error_code = 'x', error_message = 'late', "
        "updated_at = ? WHERE id = ?",
        (second.updated_at.timestamp() - 2.0, first.id),
    )
    cli_conn.close()
    await wait_until(
        lambda: EntryState.REJECTED in app.states_seen(first.id), 3.0, "late-stamped refusal"
    )


async def test_an_entry_the_other_process_deletes_is_announced_once(
    shared: tuple[App, LocalStore],
) -> None:
    app, cli = shared
    entry = app.submit()
    claimed = cli.outbox.claim(CLI_OWNER)
    cli.outbox.resolve(CLI_OWNER, [Resolution(claimed[0].id, EntryState.REJECTED, None, "x", "y")])
    await wait_until(lambda: EntryState.REJECTED in app.states_seen(entry.id), 3.0, "refusal")

    assert cli.outbox.dismiss(entry.id)  # the user dismissed it in the other process
    await wait_until(lambda: entry.id in app.gone, 3.0, "removal announced")
    new = cli.outbox.enqueue(  # one more foreign write: the removal is not announced again
        EntryKind.DEDUCTION, {"clientId": str(uuid.uuid4())}, category_id=1, contestant_id=1
    )
    await wait_until(lambda: bool(app.states_seen(new.id)), 3.0, "the new entry")
    assert app.gone == [entry.id]
    assert app.counts[-1] == 1


async def test_own_removals_are_not_announced_twice(shared: tuple[App, LocalStore]) -> None:
    app, cli = shared
    entry = app.submit()
    claimed = cli.outbox.claim(CLI_OWNER)
    cli.outbox.resolve(CLI_OWNER, [Resolution(claimed[0].id, EntryState.REJECTED, None, "x", "y")])
    await wait_until(lambda: EntryState.REJECTED in app.states_seen(entry.id), 3.0, "refusal")
    assert app.store.outbox.dismiss(entry.id)  # like ClientCore.dismiss
    app.removed.emit(entry.id)
    new = cli.outbox.enqueue(EntryKind.DEDUCTION, {"clientId": str(uuid.uuid4())}, category_id=1)
    await wait_until(lambda: bool(app.states_seen(new.id)), 3.0, "the new entry")
    assert app.gone == [entry.id]
