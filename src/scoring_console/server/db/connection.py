"""One SQLite connection per server, with serialized write transactions.

The database runs in WAL mode with ``synchronous=FULL``: a committed transaction
survives a power cut, so an acknowledgement (sent after commit) means the write is
durable. Every state change bumps the persisted server-wide ``seq`` inside the same
transaction (:meth:`Database.next_seq`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import DatabaseError
from .migrations import migrate


class Database:
    """A single SQLite connection guarded by a lock; use :meth:`transaction` for writes."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw connection (reads outside a transaction see the last commit)."""
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction committed on success, rolled back on error."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent view for several queries."""
        with self._lock:
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
        """Close the connection (idempotent)."""
        with self._lock:
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
