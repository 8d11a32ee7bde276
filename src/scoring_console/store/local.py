"""One (server, user) profile's database: the outbox and the snapshot cache together."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scoring_console import paths

from .cache import SnapshotCache
from .db import open_database
from .outbox_store import OutboxStore

DB_NAME = "client.db"


def database_path(server_url: str, username: str, data_dir: Path | None = None) -> Path:
    """Where the profile's ``client.db`` lives (``data_dir`` overrides the per-user dir)."""
    return paths.profile_dir(server_url, username, base=data_dir) / DB_NAME


class LocalStore:
    """The open ``client.db`` of one profile."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = open_database(path)
        self.outbox = OutboxStore(self._conn)
        self.cache = SnapshotCache(self._conn)

    @classmethod
    def for_profile(
        cls, server_url: str, username: str, data_dir: Path | None = None
    ) -> LocalStore:
        """Open the database of one (server, user) pair."""
        return cls(database_path(server_url, username, data_dir))

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return self._conn is None

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
