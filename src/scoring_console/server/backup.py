"""``scoring-server backup`` / ``restore``: SQLite's online backup, safe while serving.

:func:`backup` copies the data dir's ``scoring.db`` page by page through SQLite's
backup API into a new file (written under a temporary name, checked with
``PRAGMA integrity_check``, then renamed), so it is consistent even while the server
writes. The JWT secret is not in the backup: restoring onto a new machine makes a new
secret, which only means everyone logs in once more.

:func:`restore` refuses while a server runs on the data dir (the server holds
:class:`DataDirLock`), checks the backup (integrity, schema not newer than this
server), keeps the current database as ``scoring.db.before-restore-<time>`` and copies
the backup in. An older backup is migrated when the server next starts.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from .db import SCHEMA_VERSION

DB_NAME = "scoring.db"
LOCK_NAME = "server.lock"


class BackupError(RuntimeError):
    """A backup or restore cannot be done; nothing was changed."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds."""

    path: Path
    schema_version: int
    size_bytes: int
    users: int
    scores: int


class DataDirLock:
    """An advisory lock a running server holds on its data dir (POSIX ``flock``).

    On systems without ``fcntl`` (Windows) it is a no-op: stop the server before
    restoring there.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self, shared: bool = False) -> bool:
        """Take the lock without waiting; False when another process holds it.

        ``shared``: cluster nodes on one machine share a data dir; a restore (exclusive)
        still waits until every one of them stopped."""
        try:
            import fcntl
        except ImportError:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        if not shared:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        """Let go of the lock (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> DataDirLock:
        if not self.acquire():
            raise BackupError(
                f"a scoring server is running on {self.path.parent}: stop it first "
                "(e.g. systemctl stop scoring-server)"
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _inspect(path: Path) -> BackupInfo:
    """Open ``path`` read-only and check it is a sound scoring database."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {path}: {exc}") from None
    try:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"{path} is damaged: {verdict}")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        users = int(conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])
        scores = int(conn.execute("SELECT COUNT(*) FROM scores").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a scoring database: {exc}") from None
    finally:
        conn.close()
    return BackupInfo(path, version, path.stat().st_size, users, scores)


def backup(data_dir: Path, output: Path) -> BackupInfo:
    """Copy the live database to ``output`` (must not exist); returns what it holds."""
    source_path = data_dir / DB_NAME
    if not source_path.is_file():
        raise BackupError(f"no database in {data_dir} (expected {source_path})")
    if output.exists():
        raise BackupError(f"{output} exists: choose a new file name")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path, timeout=30.0)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target, pages=256)  # yields between steps: the server keeps writing
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            target.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup of {source_path} failed: {exc}") from None
    finally:
        source.close()
    try:
        info = _inspect(partial)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    return BackupInfo(output, info.schema_version, info.size_bytes, info.users, info.scores)


def restore(data_dir: Path, backup_file: Path, now: datetime | None = None) -> Path | None:
    """Replace the data dir's database with ``backup_file``.

    Returns where the previous database was kept (``None`` when there was none).
    """
    if not backup_file.is_file():
        raise BackupError(f"no such backup file: {backup_file}")
    info = _inspect(backup_file)
    if info.schema_version > SCHEMA_VERSION:
        raise BackupError(
            f"{backup_file} has schema version {info.schema_version}, newer than this "
            f"server ({SCHEMA_VERSION}): restore it with a newer scoring-server"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    with DataDirLock(data_dir):
        current = data_dir / DB_NAME
        kept: Path | None = None
        if current.exists():
            _checkpoint(current)
            stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
            kept = data_dir / f"{DB_NAME}.before-restore-{stamp}"
            current.replace(kept)
        for suffix in ("-wal", "-shm"):
            Path(f"{current}{suffix}").unlink(missing_ok=True)
        partial = data_dir / f"{DB_NAME}.restoring"
        partial.unlink(missing_ok=True)
        source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        partial.replace(current)
    return kept


def _checkpoint(path: Path) -> None:
    """Fold a WAL into the database file, so the kept copy is one complete file."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
