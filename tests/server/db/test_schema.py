"""One schema for both engines: the legacy SQLite chain, Alembic on SQLite and Alembic on
PostgreSQL build the same tables; old SQLite files are carried over to Alembic."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from scoring_console.server.db import MIGRATIONS, SCHEMA_VERSION, open_database
from scoring_console.server.db.schema import metadata
from scoring_console.server.db.upgrade import BASELINE, head_revision, sqlalchemy_url
from tests.helpers import postgres

NOT_LEGACY = {"alembic_version", "settings"}
"""Tables that exist only under Alembic (its bookkeeping; revision 0002)."""


def legacy_file(path: Path, steps: int = SCHEMA_VERSION) -> Path:
    """A SQLite file built by the first ``steps`` legacy migrations, as before Alembic."""
    conn = sqlite3.connect(path)
    for version, step in enumerate(MIGRATIONS[:steps]):
        conn.executescript(f"BEGIN;\n{step}\nPRAGMA user_version = {version + 1};\nCOMMIT;")
    conn.close()
    return path


def _norm(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip().lower()


def describe(url: str, *, exact_types: bool = True) -> dict[str, Any]:
    """Tables, columns (type, nullability, default), primary keys, unique constraints,
    indexes, foreign keys and CHECKs of the database at ``url``, comparably."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        inspector = sa.inspect(engine)
        tables: dict[str, Any] = {}
        for table in sorted(set(inspector.get_table_names()) - NOT_LEGACY):
            pk = tuple(inspector.get_pk_constraint(table)["constrained_columns"])
            columns = {
                c["name"]: (
                    str(c["type"]) if exact_types else type(c["type"]).__mro__[-3].__name__,
                    c["nullable"] or c["name"] in pk,  # SQLite: INTEGER PRIMARY KEY NULL-able
                    _norm(str(c["default"])).strip("()") if c["default"] is not None else None,
                )
                for c in inspector.get_columns(table)
            }
            tables[table] = {
                "columns": columns,
                "pk": pk,
                "unique": sorted(
                    tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
                ),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in inspector.get_indexes(table)
                    if not (i.get("duplicates_constraint") or str(i["name"]).endswith("_key"))
                ),
                "fks": sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"])
                    for f in inspector.get_foreign_keys(table)
                ),
                "checks": sorted(
                    _norm(c["sqltext"]).replace("(", "").replace(")", "")
                    for c in inspector.get_check_constraints(table)
                ),
            }
        return tables
    finally:
        engine.dispose()


def sqlite_triggers(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as conn:
        return {
            name: _norm(sql)
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            )
        }


@pytest.mark.sqlite_only
def test_alembic_builds_on_sqlite_exactly_what_the_legacy_chain_built(tmp_path: Path) -> None:
    legacy = legacy_file(tmp_path / "legacy.db")
    fresh = tmp_path / "alembic.db"
    open_database(fresh).close()
    built_by_chain = describe(f"sqlite:///{legacy}")
    built_by_alembic = describe(f"sqlite:///{fresh}")
    assert built_by_alembic.keys() == built_by_chain.keys()
    for table, expected in built_by_chain.items():
        assert built_by_alembic[table] == expected, table
    assert sqlite_triggers(fresh) == sqlite_triggers(legacy)
    assert set(sqlite_triggers(fresh)) == {"audit_log_no_update", "audit_log_no_delete"}
    with sqlite3.connect(fresh) as conn:
        assert conn.execute("SELECT key, value FROM meta").fetchall() == [("seq", 0)]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_the_metadata_describes_what_alembic_builds(tmp_path: Path) -> None:
    """schema.py and the revisions agree (an autogenerate diff finds nothing)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    path = tmp_path / "alembic.db"
    open_database(path).close()
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_postgresql_gets_the_same_tables_columns_and_constraints(tmp_path: Path) -> None:
    path = tmp_path / "alembic.db"
    open_database(path).close()
    url = postgres.fresh_url()
    on_sqlite = describe(f"sqlite:///{path}", exact_types=False)
    on_postgres = describe(sqlalchemy_url(url), exact_types=False)
    assert on_postgres.keys() == on_sqlite.keys()
    for table, expected in on_sqlite.items():
        got = on_postgres[table]
        assert got["pk"] == expected["pk"], table
        assert {n: c[1] for n, c in got["columns"].items()} == {
            n: c[1] for n, c in expected["columns"].items()
        }, f"{table}: nullability"
        assert {n: c[0] for n, c in got["columns"].items()} == {
            n: c[0] for n, c in expected["columns"].items()
        }, f"{table}: type families"
        assert got["unique"] == expected["unique"], table
        assert got["indexes"] == expected["indexes"], table
        assert got["fks"] == expected["fks"], table
        assert len(got["checks"]) == len(expected["checks"]), table
    engine = sa.create_engine(sqlalchemy_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            triggers = {
                row[0]
                for row in connection.exec_driver_sql(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass "
                    "AND NOT tgisinternal"
                )
            }
            seq = connection.exec_driver_sql("SELECT value FROM meta WHERE key = 'seq'")
            assert seq.scalar_one() == 0
    finally:
        engine.dispose()
    assert triggers == {"audit_log_no_update", "audit_log_no_delete"}


@pytest.mark.sqlite_only
def test_a_file_at_the_last_legacy_version_is_stamped_without_changes(tmp_path: Path) -> None:
    path = legacy_file(tmp_path / "old.db")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO events (name) VALUES ('Kept')")
        conn.execute("UPDATE meta SET value = 41 WHERE key = 'seq'")
        before = dict(conn.execute("SELECT name, sql FROM sqlite_master").fetchall())
    db = open_database(path)
    try:
        assert db.revision() == head_revision()
        assert db.current_seq() == 41
        assert [r[0] for r in db.conn.execute("SELECT name FROM events")] == ["Kept"]
    finally:
        db.close()
    with sqlite3.connect(path) as conn:
        after = dict(conn.execute("SELECT name, sql FROM sqlite_master").fetchall())
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    legacy_part = {k: v for k, v in after.items() if not any(t in k for t in NOT_LEGACY)}
    assert legacy_part == before, "stamping at the baseline must not touch the legacy tables"
    assert set(after) - set(before) >= {"alembic_version", "settings"}


@pytest.mark.sqlite_only
def test_an_older_legacy_file_runs_the_chain_then_alembic(tmp_path: Path) -> None:
    path = legacy_file(tmp_path / "older.db", steps=2)
    db = open_database(path)
    try:
        assert db.revision() == head_revision() != BASELINE
        assert db.schema_version() == SCHEMA_VERSION
        columns = [r[1] for r in db.conn.execute("PRAGMA table_info(users)")]
        assert "must_change_password" in columns  # from the last legacy migration
    finally:
        db.close()
    fresh = tmp_path / "fresh.db"
    open_database(fresh).close()
    assert describe(f"sqlite:///{path}") == describe(f"sqlite:///{fresh}")


@pytest.mark.sqlite_only
def test_a_revision_newer_than_this_code_is_refused(tmp_path: Path) -> None:
    from scoring_console.server.db import DatabaseError

    path = tmp_path / "newer.db"
    open_database(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(DatabaseError, match="newer"):
        open_database(path)


def test_the_legacy_chain_is_frozen() -> None:
    assert SCHEMA_VERSION == 10, (
        "server/db/migrations.py only carries pre-Alembic SQLite files to the baseline: "
        "add schema changes as a new Alembic revision in server/db/revisions/versions"
    )
