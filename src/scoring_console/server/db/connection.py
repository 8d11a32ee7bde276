"""The server database: one connection per server, serialized write transactions.

:class:`Database` holds what both engines share — the transaction / savepoint / batch
logic, the persisted server-wide ``seq`` and the commit hook; :class:`SqliteDatabase`
(the embedded default, one file) and :class:`~.postgres.PostgresDatabase` (several
nodes on one PostgreSQL) add how a write transaction begins and ends.

SQLite runs in WAL mode with ``synchronous=FULL``: a committed transaction survives a
power cut, so an acknowledgement (sent after commit) means the write is durable. Every
state change bumps the persisted server-wide ``seq`` inside the same transaction
(:meth:`Database.next_seq`).

With a :class:`~.group.GroupCommit` attached, calls it runs share one outer write
transaction (a *batch*): each :meth:`Database.transaction` becomes a savepoint inside
it, and the batch is committed once, off the event loop, for all of them. A write
outside a grouped call that finds a batch open commits it first (synchronously), so
every ``with db.transaction()`` that returned outside a group is durable as before.

After every successful ``COMMIT`` of an outer write transaction (a plain
:meth:`~Database.transaction` or a batch), :attr:`Database.commit_hook` is called with
the range of seqs it consumed — see :meth:`Database.commit_hook`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from .dbapi import Connection
from .errors import DatabaseError
from .upgrade import head_revision, upgrade_sqlite

log = logging.getLogger(__name__)

CommitHook = Callable[[int, int], None]
"""``hook(first_seq, last_seq)`` after a committed outer write transaction."""


class BatchOwner(Protocol):
    """What a :class:`Database` asks of the group committer that owns its batches."""

    grouping: bool
    """True while a grouped call runs: its writes join (or open) the batch."""

    def batch_opened(self) -> None:
        """A batch was just opened (``BEGIN``): schedule its commit."""

    def batch_committed(self, error: BaseException | None) -> None:
        """The open batch was committed (or rolled back on ``error``) synchronously."""


class Database:
    """One connection guarded by a lock; use :meth:`transaction` for writes.

    Subclasses say how an outer write transaction begins (``_begin_write``), commits
    (``_commit``), rolls back (``_rollback``) and what is released after it
    (``_release``), and how a read transaction begins (``_begin_read``).
    """

    dialect = "sqlite"
    """``"sqlite"`` or ``"postgresql"``."""

    def __init__(self, conn: Connection, path: Path | None) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        self.owner: BatchOwner | None = None
        """The group committer, if one is attached (:class:`~.group.GroupCommit`)."""
        self.batch_open = False
        """An outer write transaction is open and waits for its group commit."""
        self.commit_hook: CommitHook | None = None
        """Called as ``commit_hook(first_seq, last_seq)`` after every successful
        ``COMMIT`` of an outer write transaction (plain or a group-commit batch), with the
        seqs it consumed through :meth:`next_seq` (``first > last`` — ``(1, 0)`` — when it
        consumed none; seqs of savepoints rolled back do not count). It runs
        synchronously in the committing thread, before the transaction's write lock is
        released (on PostgreSQL: while the cluster-wide advisory lock is still held), so
        hooks see commits in seq order. Its exceptions are logged; the commit stands."""
        self._depth = 0
        self._seq_first: int | None = None
        self._seq_last: int | None = None

    @property
    def conn(self) -> Connection:
        """The raw connection (reads outside a transaction see the last commit)."""
        return self._conn

    # --- engine-specific steps ---------------------------------------------------------

    def _begin_write(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        self._conn.execute("COMMIT")

    def _rollback(self) -> None:
        self._conn.execute("ROLLBACK")

    def _release(self) -> None:
        """Called once an outer write transaction is over (committed or not)."""

    def _begin_read(self) -> None:
        self._conn.execute("BEGIN")

    def _in_transaction(self) -> bool:
        raise NotImplementedError

    # --- transactions ------------------------------------------------------------------

    def _open_outer(self) -> None:
        self._begin_write()
        self._seq_first = self._seq_last = None

    def _close_outer(self, error: BaseException | None) -> None:
        """Commit (``error is None``) or roll back the outer transaction, run the hook on
        success, release the write lock; raise what the commit raised."""
        try:
            if error is not None:
                if self._in_transaction():
                    self._rollback()
                return
            try:
                self._commit()
            except BaseException:
                if self._in_transaction():
                    self._rollback()
                raise
            self._run_commit_hook()
        finally:
            self._seq_first = self._seq_last = None
            self._release()

    def _run_commit_hook(self) -> None:
        hook = self.commit_hook
        if hook is None:
            return
        first, last = self._seq_first, self._seq_last
        if first is None or last is None:
            first, last = 1, 0
        try:
            hook(first, last)
        except Exception:
            log.exception("the database commit hook failed (the commit stands)")

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction committed on success, rolled back on error.

        Inside a grouped call (or nested) it is a savepoint of the open batch, rolled
        back alone on error and committed with the batch.
        """
        with self._lock:
            owner = self.owner
            grouping = owner is not None and owner.grouping
            if self.batch_open and not grouping and self._depth == 0:
                self.commit_batch()  # a write outside the group: durable on return
            if grouping and not self.batch_open:
                self._open_outer()
                self.batch_open = True
                assert owner is not None
                owner.batch_opened()
            if not self.batch_open and self._depth == 0:
                self._open_outer()
                self._depth += 1
                try:
                    yield self._conn
                except BaseException as exc:
                    self._depth -= 1
                    self._close_outer(exc)
                    raise
                self._depth -= 1
                self._close_outer(None)
                return
            yield from self._savepoint()

    def _savepoint(self) -> Iterator[Connection]:
        name = f"sc_write_{self._depth}"
        self._conn.execute(f"SAVEPOINT {name}")
        seqs = (self._seq_first, self._seq_last)
        self._depth += 1
        try:
            yield self._conn
        except BaseException:
            self._conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self._conn.execute(f"RELEASE SAVEPOINT {name}")
            self._seq_first, self._seq_last = seqs  # its seq bumps were rolled back too
            raise
        else:
            self._conn.execute(f"RELEASE SAVEPOINT {name}")
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
                self._close_outer(None)
            except BaseException as exc:
                error = exc
            if self.owner is not None:
                self.owner.batch_committed(error)
            if error is not None:
                raise error

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction: one consistent view for several queries.

        With a batch open the reads see it (the grouped caller waits for its commit
        before answering).
        """
        with self._lock:
            if self.batch_open or self._depth > 0:
                yield self._conn
                return
            self._begin_read()
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    # --- seq -----------------------------------------------------------------------------

    def next_seq(self, conn: Connection) -> int:
        """Increment and return the server-wide ``seq``; call inside :meth:`transaction`."""
        row = conn.execute(
            "UPDATE meta SET value = value + 1 WHERE key = 'seq' RETURNING value"
        ).fetchone()
        value = int(row[0])
        if self._seq_first is None:
            self._seq_first = value
        self._seq_last = value
        return value

    def current_seq(self) -> int:
        """The last ``seq`` handed out (0 on a fresh database)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        return int(row[0])

    # --- schema, lifetime ----------------------------------------------------------------

    def revision(self) -> str:
        """The Alembic revision the schema is at."""
        with self._lock:
            row = self._conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0])

    def schema_version(self) -> int:
        """How many legacy migrations the schema includes (see :mod:`.migrations`)."""
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Close the connection (idempotent), committing an open batch first."""
        with self._lock:
            if self.batch_open:
                self.commit_batch()
            self._close()


class SqliteDatabase(Database):
    """The embedded default: one SQLite file, ``BEGIN IMMEDIATE`` write transactions."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        super().__init__(conn, path)
        self._sqlite = conn

    def _begin_write(self) -> None:
        self._sqlite.execute("BEGIN IMMEDIATE")

    def _in_transaction(self) -> bool:
        return self._sqlite.in_transaction

    def schema_version(self) -> int:
        """``PRAGMA user_version``: how many legacy migrations have been applied."""
        with self._lock:
            row = self._sqlite.execute("PRAGMA user_version").fetchone()
        return int(row[0])

    def _close(self) -> None:
        self._sqlite.close()


def open_database(target: Path | str) -> Database:
    """Open (creating if needed) and migrate the database at ``target``.

    ``postgresql://…`` opens a PostgreSQL database (:mod:`.postgres`); a path or
    ``sqlite:///path`` a SQLite file. ``":memory:"`` gives a private in-memory SQLite
    database (tests of pure rules).
    """
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        from .postgres import open_postgres

        return open_postgres(text)
    if text.startswith("sqlite:///"):
        text = text.removeprefix("sqlite:///")
    return open_sqlite(text)


def open_sqlite(target: str) -> SqliteDatabase:
    """Open and migrate the SQLite file at ``target`` (or ``:memory:``)."""
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False, timeout=30.0)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open database {target}: {exc}") from exc
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        upgrade_sqlite(conn, target)
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as exc:
        conn.close()
        raise DatabaseError(f"cannot migrate database {target}: {exc}") from exc
    except DatabaseError:
        conn.close()
        raise
    return SqliteDatabase(conn, None if target == ":memory:" else Path(target))


__all__ = ["CommitHook", "Database", "SqliteDatabase", "head_revision", "open_database"]
