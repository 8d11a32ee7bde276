"""The durable outbox table: enqueue, claim for sending, resolve, list, prune.

Every method commits before it returns. Two processes may share the file (the desktop
app and ``scoring-cli``): a sender *claims* entries inside ``BEGIN IMMEDIATE`` and does
not claim while another live sender holds entries in flight, so two senders never send
the same entries side by side. Even a double send could not double-count: the server
is idempotent on ``clientId`` (a replay returns the stored result).

A claim is a lease tagged with the sender's id and process id; entries of a sender
that died (process gone, or lease expired) are claimable again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scoring_console.protocol.payloads import MAX_BATCH

from .outbox import EntryKind, EntryState, OutboxEntry

DEFAULT_LEASE = 60.0
"""Seconds a claim holds; longer than any acknowledged call's timeout."""


@dataclass(frozen=True)
class Resolution:
    """The outcome of sending one claimed entry."""

    entry_id: int
    state: EntryState
    result: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None


LIVE_OWNERS: set[str] = set()
"""Sender ids alive in this process (a claim with our pid but another id is a leftover
of a crashed process whose pid was reused)."""


def _owner_alive(owner: str, pid: int | None) -> bool:
    if pid is None or pid <= 0:
        return False
    if pid == os.getpid():
        return owner in LIVE_OWNERS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        id=row["id"],
        client_id=row["client_id"],
        kind=EntryKind(row["kind"]),
        state=EntryState(row["state"]),
        payload=json.loads(row["payload"]),
        category_id=row["category_id"],
        contestant_id=row["contestant_id"],
        criterion_id=row["criterion_id"],
        error_code=row["error_code"],
        error_message=row["error_message"],
        result=json.loads(row["result"]) if row["result"] else None,
        attempts=row["attempts"],
        created_at=datetime.fromtimestamp(row["created_at"], UTC),
        updated_at=datetime.fromtimestamp(row["updated_at"], UTC),
    )


class OutboxStore:
    """Durable, ordered queue of writes waiting for (or done with) the server."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # --- writes ----------------------------------------------------------------------

    def enqueue(
        self,
        kind: EntryKind,
        payload: dict[str, Any],
        *,
        category_id: int | None = None,
        contestant_id: int | None = None,
        criterion_id: int | None = None,
    ) -> OutboxEntry:
        """Commit a new pending entry; ``payload['clientId']`` must be set and unique."""
        now = time.time()
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO outbox (client_id, kind, payload, state, category_id, "
                "contestant_id, criterion_id, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    payload["clientId"],
                    str(kind),
                    json.dumps(payload),
                    str(EntryState.PENDING),
                    category_id,
                    contestant_id,
                    criterion_id,
                    now,
                    now,
                ),
            )
            entry_id = cursor.lastrowid
        found = self.get(int(entry_id or 0))
        assert found is not None
        return found

    def claim(
        self, owner: str, *, limit: int = MAX_BATCH, lease: float = DEFAULT_LEASE
    ) -> list[OutboxEntry]:
        """Claim the next entries to send, in order, and mark them ``SENDING``.

        Returns a run of consecutive score entries (at most ``limit``, never two for
        the same cell, so a newer edit of a cell is never sent with or before an older
        one), or a single entry of another kind, or nothing when the outbox is empty or
        another live sender has entries in flight.
        """
        now = time.time()
        with self._transaction() as conn:
            busy = conn.execute(
                "SELECT claimed_by, claim_pid, claim_until FROM outbox "
                "WHERE state = 'sending' AND claimed_by IS NOT NULL AND claimed_by != ?",
                (owner,),
            ).fetchall()
            for row in busy:
                alive = _owner_alive(row["claimed_by"], row["claim_pid"])
                if (row["claim_until"] or 0) > now and alive:
                    return []
            rows = conn.execute(
                "SELECT * FROM outbox WHERE state IN ('pending', 'sending') ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()
            chosen: list[sqlite3.Row] = []
            cells: set[tuple[int, int, int]] = set()
            for row in rows:
                kind = EntryKind(row["kind"])
                if kind is not EntryKind.SCORE:
                    if not chosen:
                        chosen.append(row)
                    break
                cell = (row["category_id"], row["contestant_id"], row["criterion_id"])
                if cell in cells:
                    break
                cells.add(cell)
                chosen.append(row)
            ids = [row["id"] for row in chosen]
            for entry_id in ids:
                conn.execute(
                    "UPDATE outbox SET state = 'sending', claimed_by = ?, claim_pid = ?, "
                    "claim_until = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?",
                    (owner, os.getpid(), now + lease, now, entry_id),
                )
        return self._get_many(ids)

    def resolve(self, owner: str, resolutions: Iterable[Resolution]) -> list[OutboxEntry]:
        """Record the outcomes of claimed entries in one transaction; returns them."""
        now = time.time()
        ids: list[int] = []
        with self._transaction() as conn:
            for res in resolutions:
                cursor = conn.execute(
                    "UPDATE outbox SET state = ?, result = COALESCE(?, result), "
                    "error_code = ?, error_message = ?, claimed_by = NULL, claim_pid = NULL, "
                    "claim_until = NULL, updated_at = ? "
                    "WHERE id = ? AND state = 'sending' AND claimed_by = ?",
                    (
                        str(res.state),
                        json.dumps(res.result) if res.result is not None else None,
                        res.error_code,
                        res.error_message,
                        now,
                        res.entry_id,
                        owner,
                    ),
                )
                if cursor.rowcount:
                    ids.append(res.entry_id)
        return self._get_many(ids)

    def release(
        self,
        owner: str,
        entry_ids: Sequence[int],
        code: str | None = None,
        message: str | None = None,
    ) -> list[OutboxEntry]:
        """Put claimed entries back to ``PENDING`` (timeout, disconnect, rate limit)."""
        return self.resolve(
            owner, [Resolution(i, EntryState.PENDING, None, code, message) for i in entry_ids]
        )

    def release_owner(self, owner: str) -> list[OutboxEntry]:
        """Put every entry this sender still holds back to ``PENDING`` (shutdown)."""
        rows = self._conn.execute(
            "SELECT id FROM outbox WHERE state = 'sending' AND claimed_by = ?", (owner,)
        ).fetchall()
        return self.release(owner, [row["id"] for row in rows])

    def dismiss(self, entry_id: int) -> bool:
        """Delete a rejected or synced entry (the user has seen it); pending ones stay."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM outbox WHERE id = ? AND state IN ('rejected', 'synced')",
                (entry_id,),
            )
        return cursor.rowcount > 0

    def prune_synced(self, older_than: float) -> list[int]:
        """Delete synced entries older than ``older_than`` seconds, except the latest
        synced entry of each kind and cell (the UI shows "synced" for it); returns the
        deleted ids."""
        cutoff = time.time() - older_than
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT id FROM outbox WHERE state = 'synced' AND updated_at < ? AND id NOT IN ("
                " SELECT MAX(id) FROM outbox WHERE state = 'synced'"
                " GROUP BY kind, category_id, contestant_id, criterion_id)",
                (cutoff,),
            ).fetchall()
            ids = [int(row["id"]) for row in rows]
            conn.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids])
        return ids

    def clear(self) -> int:
        """Delete every entry (logout after the user accepted losing pending ones)."""
        with self._transaction() as conn:
            cursor = conn.execute("DELETE FROM outbox")
        return cursor.rowcount

    # --- reads -----------------------------------------------------------------------

    def get(self, entry_id: int) -> OutboxEntry | None:
        """One entry by id."""
        row = self._conn.execute("SELECT * FROM outbox WHERE id = ?", (entry_id,)).fetchone()
        return None if row is None else _entry(row)

    def _get_many(self, ids: Sequence[int]) -> list[OutboxEntry]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._conn.execute(
            f"SELECT * FROM outbox WHERE id IN ({marks}) ORDER BY id", tuple(ids)
        ).fetchall()
        return [_entry(row) for row in rows]

    def entries(self, states: Iterable[EntryState] | None = None) -> list[OutboxEntry]:
        """Entries in order, optionally only those in ``states``."""
        if states is None:
            rows = self._conn.execute("SELECT * FROM outbox ORDER BY id").fetchall()
        else:
            wanted = [str(s) for s in states]
            marks = ",".join("?" * len(wanted))
            rows = self._conn.execute(
                f"SELECT * FROM outbox WHERE state IN ({marks}) ORDER BY id", wanted
            ).fetchall()
        return [_entry(row) for row in rows]

    def updated_since(self, since: float) -> list[OutboxEntry]:
        """Entries whose ``updated_at`` (epoch seconds) is later than ``since``, in order."""
        rows = self._conn.execute(
            "SELECT * FROM outbox WHERE updated_at > ? ORDER BY id", (since,)
        ).fetchall()
        return [_entry(row) for row in rows]

    def ids(self) -> set[int]:
        """The ids of every entry in the outbox."""
        return {int(row[0]) for row in self._conn.execute("SELECT id FROM outbox")}

    def pending_count(self, category_id: int | None = None) -> int:
        """Entries not yet on the server (pending or sending), optionally of one category."""
        if category_id is None:
            row = self._conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')"
            ).fetchone()
        else:
            row = self._conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending') "
                "AND category_id = ?",
                (category_id,),
            ).fetchone()
        return int(row[0])

    def count(self, state: EntryState) -> int:
        """How many entries are in ``state``."""
        row = self._conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE state = ?", (str(state),)
        ).fetchone()
        return int(row[0])

    def data_version(self) -> int:
        """Changes when another connection (another process) committed to the file."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
