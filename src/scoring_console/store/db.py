"""Opening the client's SQLite file: durable pragmas and ordered schema migrations.

``PRAGMA user_version`` records how many migrations ran; each migration runs once, in
order, inside its own transaction. The file is shared by the desktop app and
``scoring-cli`` for the same (server, user), so every connection waits for the other's
locks (``busy_timeout``) instead of failing with "database is locked".
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from pathlib import Path

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000

MIGRATIONS: tuple[str, ...] = (
    # 1: durable outbox, snapshot cache, key/value meta
    """
    CREATE TABLE outbox (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        client_id     TEXT    NOT NULL UNIQUE,
        kind          TEXT    NOT NULL,
        payload       TEXT    NOT NULL,
        state         TEXT    NOT NULL,
        category_id   INTEGER,
        contestant_id INTEGER,
        criterion_id  INTEGER,
        error_code    TEXT,
        error_message TEXT,
        result        TEXT,
        attempts      INTEGER NOT NULL DEFAULT 0,
        claimed_by    TEXT,
        claim_pid     INTEGER,
        claim_until   REAL,
        created_at    REAL    NOT NULL,
        updated_at    REAL    NOT NULL
    );
    CREATE INDEX outbox_state_id ON outbox (state, id);
    CREATE INDEX outbox_category ON outbox (category_id, state);
    CREATE TABLE snapshot_cache (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        seq      INTEGER NOT NULL,
        saved_at REAL    NOT NULL,
        snapshot TEXT    NOT NULL
    );
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The local database cannot be opened or is from a newer version of the console."""


def open_database(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the client database at ``path``.

    The profile folder is made 0700 and the database 0600 before SQLite opens it (its
    WAL and shared-memory files take the database file's mode): it holds the user's
    scores and outbox. Files an older version left readable are tightened, logged.
    """
    try:
        make_private(path)
    except OSError as exc:
        raise StoreError(f"cannot create {path}: {exc.strerror}") from exc
    try:
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def make_private(path: Path) -> None:
    """Profile folder 0700, database (created empty if missing) and its files 0600.

    (The server keeps its own copy of these few lines in ``server/private_files.py``:
    the layers share nothing but ``protocol``.)
    """
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(folder, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        os.close(fd)
    for suffix in ("", "-wal", "-shm", "-journal"):
        sibling = path.with_name(path.name + suffix)
        if sibling.is_file():
            _tighten(sibling, 0o600)


def _tighten(path: Path, mode: int) -> None:
    current = stat.S_IMODE(path.stat().st_mode)
    if current & ~mode & 0o077:
        os.chmod(path, current & mode)
        log.warning(
            "tightened permissions of %s from %04o to %04o (owner only)",
            path,
            current,
            current & mode,
        )


def migrate(conn: sqlite3.Connection) -> int:
    """Run the migrations this file has not seen yet; returns the schema version."""
    conn.execute("BEGIN IMMEDIATE")  # one process migrates, the other waits and sees it done
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database schema {version} is newer than this console's {SCHEMA_VERSION}"
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            log.info("migrating client database to schema %d", number)
            for statement in MIGRATIONS[number - 1].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION
