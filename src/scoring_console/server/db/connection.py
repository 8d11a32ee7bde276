"""One SQLite connection per server, with serialized write transactions.

The database runs in WAL mode with ``synchronous=FULL``: a committed transaction
survives a power cut, so an acknowledgement (sent after commit) means the write is
durable. Every state change bumps the persisted server-wide ``seq`` inside the same
transaction (:meth:`Database.next_seq`).

With a :class:`~.group.GroupCommit` attached, calls it runs share one outer write
transaction (a *batch*): each :meth:`Database.transaction` becomes a savepoint inside
it, and the batch is committed once, off the event loop, for all of them. A write
outside a grouped call that finds a batch open commits it first (synchronously), so
every ``with db.transaction()`` that returned outside a group is durable as before.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from .errors import DatabaseError
from .migrations import migrate

log = logging.getLogger(__name__)

CommitHook = Callable[[int, int], None]
"""``hook(first_seq, last_seq)``: called after an outer ``COMMIT`` that consumed seqs."""


class BatchOwner(Protocol):
    """What a :class:`Database` asks of the group committer that owns its batches."""

    grouping: bool
    """True while a grouped call runs: its writes join (or open) the batch."""

    def batch_opened(self) -> None:
        """A batch was just opened (``BEGIN IMMEDIATE``): schedule its commit."""

    def batch_committed(self, error: BaseException | None) -> None:
        """The open batch was committed (or rolled back on ``error``) synchronously."""


class Database:
    """A single SQLite connection guarded by a lock; use :meth:`transaction` for writes."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        self.owner: BatchOwner | None = None
        """The group committer, if one is attached (:class:`~.group.GroupCommit`)."""
        self.batch_open = False
        """An outer write transaction is open and waits for its group commit."""
        self._depth = 0
        self.commit_hook: CommitHook | None = None
        """Called after every successful outer ``COMMIT`` that consumed ``seq`` values,
        synchronously in the committing thread, with the ``(first, last)`` range
        (cluster mode publishes the transaction's effects from it)."""
        self._seq_before = 0

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw connection (reads outside a transaction see the last commit)."""
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction committed on success, rolled back on error.

        Inside a grouped call (or nested) it is a savepoint of the open batch, rolled
        back alone on error and committed with the batch.
        """
        with self._lock:
            owner = self.owner
            grouping = owner is not None and owner.grouping
            if self.batch_open and not grouping and self._depth == 0:
                self.commit_batch()  # a write outside the group: durable on return
            if grouping and not self.batch_open:
                self._begin()
                self.batch_open = True
                assert owner is not None
                owner.batch_opened()
            if not self.batch_open:
                self._begin()
                self._depth += 1
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                else:
                    self._commit()
                finally:
                    self._depth -= 1
                return
            name = f"sc_write_{self._depth}"
            self._conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                self._conn.execute(f"ROLLBACK TO {name}")
                self._conn.execute(f"RELEASE {name}")
                raise
            else:
                self._conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1

    def commit_batch(self) -> None:
        """Commit the open batch now (rolled back if the commit fails); tell its owner."""
        with self._lock:
            if not self.batch_open:
                return
            self.batch_open = False
            error: BaseException | None = None
            try:
                self._commit()
            except BaseException as exc:
                error = exc
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
            if self.owner is not None:
                self.owner.batch_committed(error)
            if error is not None:
                raise error

    def _begin(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")
        if self.commit_hook is not None:
            self._seq_before = self._read_seq()

    def _commit(self) -> None:
        """``COMMIT`` the outer transaction, then tell :attr:`commit_hook` its seq range."""
        hook = self.commit_hook
        last = self._read_seq() if hook is not None else 0
        self._conn.execute("COMMIT")
        if hook is not None and last > self._seq_before:
            try:
                hook(self._seq_before + 1, last)
            except Exception:  # committed whatever the hook does
                log.exception("commit hook failed for seq %d..%d", self._seq_before + 1, last)

    def _read_seq(self) -> int:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        return int(row[0])

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent view for several queries.

        With a batch open the reads see it (the grouped caller waits for its commit
        before answering).
        """
        with self._lock:
            if self.batch_open:
                yield self._conn
                return
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def next_seq(self, conn: sqlite3.Connection) -> int:
        """Increment and return the server-wide ``seq``; call inside :meth:`transaction`."""
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'seq'")
        row = conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        return int(row[0])

    def current_seq(self) -> int:
        """The last ``seq`` handed out (0 on a fresh database)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        return int(row[0])

    def schema_version(self) -> int:
        """``PRAGMA user_version``: how many migrations have been applied."""
        with self._lock:
            row = self._conn.execute("PRAGMA user_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the connection (idempotent), committing an open batch first."""
        with self._lock:
            if self.batch_open:
                self.commit_batch()
            self._conn.close()


def open_database(path: Path | str) -> Database:
    """Open (creating if needed) and migrate the database at ``path``.

    ``":memory:"`` gives a private in-memory database (tests of pure rules).
    """
    target = str(path)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False, timeout=30.0)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open database {target}: {exc}") from exc
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    try:
        migrate(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise DatabaseError(f"cannot migrate database {target}: {exc}") from exc
    except DatabaseError:
        conn.close()
        raise
    return Database(conn, None if target == ":memory:" else Path(target))
