"""The durable outbox on a real SQLite file: durability, order, claims, transitions."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scoring_console.store import outbox_store
from scoring_console.store.db import SCHEMA_VERSION, StoreError, open_database
from scoring_console.store.local import LocalStore, database_path
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry
from scoring_console.store.outbox_store import OutboxStore, Resolution


def score_payload(
    category: int = 1, contestant: int = 1, criterion: int = 1, value: float = 5.0
) -> dict[str, Any]:
    return {
        "clientId": str(uuid.uuid4()),
        "categoryId": category,
        "contestantId": contestant,
        "criterionId": criterion,
        "score": value,
    }


def add_score(
    outbox: OutboxStore, contestant: int = 1, criterion: int = 1, value: float = 5.0
) -> OutboxEntry:
    return outbox.enqueue(
        EntryKind.SCORE,
        score_payload(1, contestant, criterion, value),
        category_id=1,
        contestant_id=contestant,
        criterion_id=criterion,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    local = LocalStore(tmp_path / "client.db")
    yield local
    local.close()


def test_database_is_durable_and_versioned(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "client.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "client.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError):
        open_database(path)


def test_profile_path_uses_data_dir(tmp_path: Path) -> None:
    path = database_path("http://127.0.0.1:8765/", "judge1", tmp_path)
    assert path.name == "client.db"
    assert path.parent.parent == tmp_path / "profiles"


def test_enqueue_is_committed_and_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "client.db"
    first = LocalStore(path)
    entry = add_score(first.outbox, value=7.5)
    # another connection (another process) sees it at once: it was committed
    other = sqlite3.connect(path)
    assert other.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 1
    other.close()
    first.close()
    again = LocalStore(path)
    [found] = again.outbox.entries()
    assert found.client_id == entry.client_id
    assert found.state is EntryState.PENDING
    assert found.payload["score"] == 7.5
    assert found.cell == (1, 1, 1)
    again.close()


def test_duplicate_client_id_is_refused(store: LocalStore) -> None:
    payload = score_payload()
    store.outbox.enqueue(EntryKind.SCORE, payload, category_id=1)
    with pytest.raises(sqlite3.IntegrityError):
        store.outbox.enqueue(EntryKind.SCORE, payload, category_id=1)


def test_claim_batches_scores_in_order_and_splits_on_other_kinds(store: LocalStore) -> None:
    outbox = store.outbox
    a = add_score(outbox, contestant=1)
    b = add_score(outbox, contestant=2)
    sign = outbox.enqueue(
        EntryKind.SIGNOFF, {"clientId": str(uuid.uuid4()), "categoryId": 1}, category_id=1
    )
    c = add_score(outbox, contestant=3)
    first = outbox.claim("me")
    assert [e.id for e in first] == [a.id, b.id]
    assert all(e.state is EntryState.SENDING and e.attempts == 1 for e in first)
    outbox.resolve("me", [Resolution(e.id, EntryState.SYNCED, {"ok": 1}) for e in first])
    assert [e.id for e in outbox.claim("me")] == [sign.id]
    outbox.resolve("me", [Resolution(sign.id, EntryState.SYNCED, {"receipt": "x"})])
    assert [e.id for e in outbox.claim("me")] == [c.id]


def test_two_edits_of_one_cell_never_share_a_batch(store: LocalStore) -> None:
    outbox = store.outbox
    old = add_score(outbox, value=1.0)
    other = add_score(outbox, contestant=2)
    new = add_score(outbox, value=2.0)
    assert [e.id for e in outbox.claim("me")] == [old.id, other.id]
    # the older edit failed transiently: it goes first again, the newer waits behind it
    outbox.release("me", [old.id, other.id], "timeout", "no ack")
    assert [e.id for e in outbox.claim("me")] == [old.id, other.id]
    outbox.resolve(
        "me",
        [Resolution(old.id, EntryState.SYNCED), Resolution(other.id, EntryState.SYNCED)],
    )
    assert [e.id for e in outbox.claim("me")] == [new.id]


def test_claim_respects_limit(store: LocalStore) -> None:
    for contestant in range(1, 8):
        add_score(store.outbox, contestant=contestant)
    assert len(store.outbox.claim("me", limit=5)) == 5


def test_rejected_entries_survive_reopen_until_dismissed(tmp_path: Path) -> None:
    path = tmp_path / "client.db"
    first = LocalStore(path)
    entry = add_score(first.outbox, value=99.0)
    first.outbox.claim("me")
    [rejected] = first.outbox.resolve(
        "me", [Resolution(entry.id, EntryState.REJECTED, None, "validation_error", "too high")]
    )
    assert rejected.describe() == "rejected: too high"
    first.close()
    again = LocalStore(path)
    [kept] = again.outbox.entries()
    assert kept.state is EntryState.REJECTED
    assert (kept.error_code, kept.error_message) == ("validation_error", "too high")
    assert again.outbox.pending_count() == 0
    assert again.outbox.claim("me") == []
    assert again.outbox.dismiss(kept.id)
    assert again.outbox.entries() == []
    again.close()


def test_pending_entries_cannot_be_dismissed(store: LocalStore) -> None:
    entry = add_score(store.outbox)
    assert not store.outbox.dismiss(entry.id)
    assert store.outbox.pending_count(category_id=1) == 1
    assert store.outbox.pending_count(category_id=2) == 0


def test_second_sender_waits_while_the_first_has_entries_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox_store, "LIVE_OWNERS", {"desktop", "cli"})
    path = tmp_path / "client.db"
    desktop, cli = LocalStore(path), LocalStore(path)
    add_score(desktop.outbox, contestant=1)
    claimed = desktop.outbox.claim("desktop")
    add_score(cli.outbox, contestant=2)
    assert cli.outbox.claim("cli") == []  # no double send side by side
    # only the claimer may resolve its claims
    assert cli.outbox.resolve("cli", [Resolution(claimed[0].id, EntryState.SYNCED)]) == []
    desktop.outbox.resolve("desktop", [Resolution(claimed[0].id, EntryState.SYNCED)])
    assert [e.contestant_id for e in cli.outbox.claim("cli")] == [2]
    desktop.close()
    cli.close()


def test_claims_of_a_dead_sender_are_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "client.db"
    crashed, survivor = LocalStore(path), LocalStore(path)
    entry = add_score(crashed.outbox)
    crashed.outbox.claim("crashed")
    crashed.close()
    # the crashed process is gone: its pid no longer exists
    conn = sqlite3.connect(path)
    conn.execute("UPDATE outbox SET claim_pid = 2147483646")
    conn.commit()
    conn.close()
    [taken] = survivor.outbox.claim("survivor")
    assert taken.id == entry.id and taken.attempts == 2
    survivor.close()


def test_release_owner_returns_entries_to_pending(store: LocalStore) -> None:
    add_score(store.outbox)
    store.outbox.claim("me")
    [entry] = store.outbox.release_owner("me")
    assert entry.state is EntryState.PENDING


def test_prune_keeps_the_latest_synced_entry_per_cell(store: LocalStore) -> None:
    outbox = store.outbox
    old = add_score(outbox, value=1.0)
    outbox.claim("me")
    outbox.resolve("me", [Resolution(old.id, EntryState.SYNCED)])
    new = add_score(outbox, value=2.0)
    outbox.claim("me")
    outbox.resolve("me", [Resolution(new.id, EntryState.SYNCED)])
    assert outbox.prune_synced(older_than=3600) == []
    assert outbox.prune_synced(older_than=-1) == [old.id]
    assert [e.id for e in outbox.entries()] == [new.id]


def test_clear_empties_the_outbox(store: LocalStore) -> None:
    add_score(store.outbox)
    assert store.outbox.clear() == 1
    assert store.outbox.entries() == []


def test_claims_of_a_crashed_process_with_our_reused_pid_are_taken_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox_store, "LIVE_OWNERS", {"now"})
    store = LocalStore(tmp_path / "client.db")
    entry = add_score(store.outbox)
    store.outbox.claim("before-the-crash")  # same pid as ours, but not a live sender
    [taken] = store.outbox.claim("now")
    assert taken.id == entry.id
    store.close()
