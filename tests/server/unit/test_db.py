"""The database layer: migrations from empty, re-open, version guard, seq persistence."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scoring_console.server.db import (
    MIGRATIONS,
    SCHEMA_VERSION,
    DatabaseError,
    open_database,
)

pytestmark = pytest.mark.sqlite_only  # the SQLite file itself

EXPECTED_TABLES = {
    "meta",
    "users",
    "refresh_tokens",
    "events",
    "contests",
    "categories",
    "criteria",
    "contestants",
    "category_contestants",
    "assignments",
    "scores",
    "score_writes",
    "score_audit",
    "certifications",
    "signoffs",
    "deductions",
    "removal_requests",
    "notifications",
    "announcements",
    "presence",
}


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_migrates_an_empty_file_to_the_latest_version(db_path: Path) -> None:
    db = open_database(db_path)
    assert db.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
    assert db.current_seq() == 0
    db.close()
    assert _tables(db_path) >= EXPECTED_TABLES


def test_pragmas_wal_full_sync_foreign_keys(db_path: Path) -> None:
    db = open_database(db_path)
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    db.close()


def test_reopen_keeps_data_and_runs_no_migration_twice(db_path: Path) -> None:
    db = open_database(db_path)
    with db.transaction() as conn:
        conn.execute("INSERT INTO events (name) VALUES ('Kept')")
    db.close()
    again = open_database(db_path)
    assert again.schema_version() == SCHEMA_VERSION
    names = [row[0] for row in again.conn.execute("SELECT name FROM events")]
    assert names == ["Kept"]
    again.close()


def test_partial_schema_is_brought_up_to_date(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as conn:
        conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    db = open_database(db_path)
    assert db.schema_version() == SCHEMA_VERSION
    indexes = {
        row[0] for row in db.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
    }
    assert "idx_scores_category" in indexes
    db.close()


def test_newer_schema_is_refused(db_path: Path) -> None:
    open_database(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(DatabaseError, match="newer"):
        open_database(db_path)


def test_seq_is_monotonic_and_persisted(db_path: Path) -> None:
    db = open_database(db_path)
    seen = []
    for _ in range(5):
        with db.transaction() as conn:
            seen.append(db.next_seq(conn))
    assert seen == [1, 2, 3, 4, 5]
    db.close()
    again = open_database(db_path)
    assert again.current_seq() == 5
    with again.transaction() as conn:
        assert again.next_seq(conn) == 6
    again.close()


def test_failed_transaction_rolls_back_the_seq(db_path: Path) -> None:
    db = open_database(db_path)

    def bump_then_fail() -> None:
        with db.transaction() as conn:
            db.next_seq(conn)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        bump_then_fail()
    assert db.current_seq() == 0
    db.close()
