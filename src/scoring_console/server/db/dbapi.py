"""What the service code may rely on of a database connection, whatever the engine.

``sqlite3.Connection`` satisfies these protocols as it is; on PostgreSQL
:class:`~.postgres.PgConnection` adapts psycopg's. Queries use ``?`` placeholders and
SQL both engines run (``RETURNING id``, ``ON CONFLICT``, no SQLite-only functions);
rows allow index and key access (``row[0]``, ``row["name"]``, ``row.keys()``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

import psycopg


class Row(Protocol):
    """One result row: ``row[0]``, ``row["name"]``, ``row.keys()``."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    """The result of :meth:`Connection.execute`."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """A DB-API connection with ``execute`` returning a cursor (as ``sqlite3``'s)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


IntegrityError: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
"""Catch these for a violated UNIQUE / FOREIGN KEY / CHECK constraint on either engine."""


def inserted_id(cursor: Cursor) -> int:
    """The ``id`` an ``INSERT … RETURNING id`` just returned."""
    row = cursor.fetchone()
    if row is None:
        raise LookupError("the INSERT returned no id (it needs RETURNING id)")
    return int(row[0])
