"""Bring a database to the newest schema with Alembic, run from the package.

* A fresh SQLite file or PostgreSQL database: every Alembic revision from ``r0001``.
* A SQLite file made before Alembic (``PRAGMA user_version`` counts the legacy
  migrations of :mod:`.migrations`): the legacy chain finishes first, then the file is
  stamped at ``0001`` (which *is* that schema) and the later revisions run.
* Otherwise: the revisions after the one recorded in ``alembic_version``.

SQLite files also keep ``PRAGMA user_version`` at the legacy count, which backups check.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.pool import NullPool, StaticPool

from .errors import DatabaseError
from .migrations import SCHEMA_VERSION, migrate

BASELINE = "0001"
"""The revision that is the schema the ten legacy migrations built."""

_SCRIPTS = Path(__file__).with_name("revisions")


@cache
def head_revision() -> str:
    """The newest revision shipped with this code."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def _run(engine: sa.Engine, *steps: Callable[[Config], None]) -> None:
    try:
        with engine.begin() as connection:
            config = _config()
            config.attributes["connection"] = connection
            for step in steps:
                step(config)
    except CommandError as exc:
        raise DatabaseError(f"cannot migrate the database: {exc}") from exc
    except sa.exc.DBAPIError as exc:
        raise DatabaseError(f"cannot migrate the database: {exc.orig}") from exc


def _upgrade(config: Config) -> None:
    command.upgrade(config, "head")


def _stamp_baseline(config: Config) -> None:
    command.stamp(config, BASELINE)


def _recorded_revision(read: Callable[[str], list[tuple[object, ...]]]) -> str | None:
    try:
        rows = read("SELECT version_num FROM alembic_version")
    except (sqlite3.Error, sa.exc.SQLAlchemyError):
        return None
    return str(rows[0][0]) if rows else None


def _refuse_unknown(recorded: str | None) -> None:
    if recorded is None:
        return
    scripts = ScriptDirectory.from_config(_config())
    try:
        scripts.get_revision(recorded)
    except CommandError:
        raise DatabaseError(
            f"database schema revision {recorded} is newer than this server ({head_revision()})"
        ) from None


def upgrade_sqlite(conn: sqlite3.Connection, target: str) -> None:
    """Migrate the SQLite database open on ``conn`` (``target`` is its path or ``:memory:``)."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"database schema version {version} is newer than this server ({SCHEMA_VERSION})"
        )
    recorded = _recorded_revision(lambda sql: conn.execute(sql).fetchall())
    if recorded == head_revision():
        return
    _refuse_unknown(recorded)
    steps: tuple[Callable[[Config], None], ...] = (_upgrade,)
    if recorded is None:
        tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        ).fetchone()[0]
        if version > 0 or tables:
            migrate(conn)  # the legacy chain, up to the schema r0001 describes
            steps = (_stamp_baseline, _upgrade)
    _run(_sqlite_engine(conn, target), *steps)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _sqlite_engine(conn: sqlite3.Connection, target: str) -> sa.Engine:
    if target == ":memory:":
        engine = sa.create_engine("sqlite://", creator=lambda: conn, poolclass=StaticPool)
    else:
        engine = sa.create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(target, isolation_level=None, timeout=30.0),
            poolclass=NullPool,
        )

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite would not begin DDL itself

    return engine


def upgrade_postgres(url: str) -> None:
    """Migrate the PostgreSQL database at ``url`` (``postgresql://…``)."""
    engine = sa.create_engine(sqlalchemy_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            recorded = _recorded_revision(
                lambda sql: [tuple(r) for r in connection.exec_driver_sql(sql).fetchall()]
            )
        if recorded != head_revision():
            _refuse_unknown(recorded)
            _run(engine, _upgrade)
    except sa.exc.OperationalError as exc:
        raise DatabaseError(f"cannot reach the database: {exc.orig or exc}") from exc
    finally:
        engine.dispose()


def sqlalchemy_url(url: str) -> str:
    """``postgresql://…`` as SQLAlchemy's psycopg 3 URL (``postgresql+psycopg://…``)."""
    scheme, sep, rest = url.partition("://")
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg{sep}{rest}"
    return url
