"""The cached snapshot (for offline start) and small key/value facts about the profile."""

from __future__ import annotations

import logging
import sqlite3
import time

from pydantic import ValidationError

from scoring_console.protocol.entities import Snapshot, UserInfo

log = logging.getLogger(__name__)

_USER_KEY = "user"


class SnapshotCache:
    """The last ``sync`` answer of this (server, user), and the logged-in user's info."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def save(self, snapshot: Snapshot, saved_at: float | None = None) -> None:
        """Replace the cached snapshot (committed before returning).

        ``saved_at`` (epoch seconds) defaults to the wall clock.
        """
        self._conn.execute(
            "INSERT INTO snapshot_cache (id, seq, saved_at, snapshot) VALUES (1, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, saved_at = excluded.saved_at, "
            "snapshot = excluded.snapshot",
            (
                snapshot.seq,
                time.time() if saved_at is None else saved_at,
                snapshot.model_dump_json(by_alias=True),
            ),
        )

    def load(self) -> Snapshot | None:
        """The cached snapshot, or ``None`` when there is none or it no longer parses."""
        row = self._conn.execute("SELECT snapshot FROM snapshot_cache WHERE id = 1").fetchone()
        if row is None:
            return None
        try:
            return Snapshot.model_validate_json(row["snapshot"])
        except ValidationError:
            log.warning("cached snapshot does not match the current protocol; ignored")
            return None

    def saved_at(self) -> float | None:
        """When the cached snapshot was saved (epoch seconds), if any."""
        row = self._conn.execute("SELECT saved_at FROM snapshot_cache WHERE id = 1").fetchone()
        return None if row is None else float(row["saved_at"])

    def save_user(self, user: UserInfo) -> None:
        """Remember who logged in, for a silent resume with the stored refresh token."""
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_USER_KEY, user.model_dump_json(by_alias=True)),
        )

    def load_user(self) -> UserInfo | None:
        """The remembered user, if any."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (_USER_KEY,)).fetchone()
        if row is None:
            return None
        try:
            return UserInfo.model_validate_json(row["value"])
        except ValidationError:
            return None

    def clear(self) -> None:
        """Forget the cached snapshot and the remembered user (logout)."""
        self._conn.execute("BEGIN IMMEDIATE")
        self._conn.execute("DELETE FROM snapshot_cache")
        self._conn.execute("DELETE FROM meta")
        self._conn.execute("COMMIT")
