"""The server database on PostgreSQL (psycopg 3), for several server nodes.

Same interface as the SQLite :class:`~.connection.Database`, so the service code does
not change: :class:`PgConnection` takes the service's ``?`` placeholders (translated to
psycopg's ``%s`` once per statement text, :func:`to_pyformat`) and returns rows with
index and key access (:class:`PgRow`), Python ``bool`` parameters are stored as the
``INTEGER`` 0/1 the schema uses (as ``sqlite3`` does) and ``numeric`` results
(``SUM``/``AVG`` of integers) come back as ``float``.

**Cluster-wide write serialization.** Every outer write transaction first takes the
session-level advisory lock :data:`WRITE_LOCK` (``pg_advisory_lock``) and keeps it until
it committed, ran :attr:`~.connection.Database.commit_hook` and is over. So the
single-node code's ``BEGIN IMMEDIATE`` assumptions (check, then insert) hold across
nodes, and the global ``seq`` (the ``meta`` row) is handed out in commit order and
contiguous per transaction. Reads never take the lock: :meth:`PostgresDatabase.reading`
is a ``REPEATABLE READ`` snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.adapt import Dumper
from psycopg.postgres import types as pg_types
from psycopg.rows import RowMaker
from psycopg.types.numeric import FloatLoader

from .connection import Database
from .errors import DatabaseError
from .migrations import SCHEMA_VERSION
from .upgrade import upgrade_postgres

WRITE_LOCK = 0x5C0E_0001
"""``pg_advisory_lock`` key every node's outer write transaction holds."""


@lru_cache(maxsize=4096)
def to_pyformat(sql: str) -> str:
    """``sql`` with ``?`` placeholders as psycopg's ``%s`` and literal ``%`` as ``%%``.

    A ``?`` inside a quoted string or identifier is left alone; ``%`` is doubled
    everywhere, since psycopg looks for placeholders in the whole text.
    """
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote is not None:
            if char == quote:
                quote = None  # a doubled quote reopens at the next character: same result
        elif char in "'\"":
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        out.append("%%" if char == "%" else char)
    return "".join(out)


class PgRow:
    """A result row: ``row[0]``, ``row["name"]``, ``row.keys()``, iteration (as
    ``sqlite3.Row``)."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PgRow):
            return tuple(self._values) == tuple(other._values)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._values))

    def __repr__(self) -> str:
        return f"PgRow({dict(zip(self._index, self._values, strict=False))!r})"


def pg_row(cursor: psycopg.Cursor[Any]) -> RowMaker[PgRow]:
    """psycopg row factory making :class:`PgRow` (the first of equal names wins)."""
    index: dict[str, int] = {}
    for position, column in enumerate(cursor.description or ()):
        index.setdefault(column.name, position)

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(values, index)

    return make


class _BoolAsInt(Dumper):
    """``True``/``False`` as the ``INTEGER`` 1/0 the schema stores (as ``sqlite3``)."""

    oid = pg_types["int4"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class PgConnection:
    """A psycopg connection speaking the service's ``?`` SQL (see :mod:`.dbapi`)."""

    def __init__(self, raw: psycopg.Connection[PgRow]) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[PgRow]:
        """Run one statement; ``?`` placeholders."""
        return self.raw.execute(to_pyformat(sql), parameters)

    def executemany(
        self, sql: str, parameters: Iterable[Sequence[Any]], /
    ) -> psycopg.Cursor[PgRow]:
        """Run one statement for every parameter tuple."""
        cursor = self.raw.cursor()
        cursor.executemany(to_pyformat(sql), parameters)
        return cursor


class PostgresDatabase(Database):
    """The server database on PostgreSQL: one connection, cluster-wide write lock."""

    dialect = "postgresql"

    def __init__(self, conn: PgConnection, url: str) -> None:
        super().__init__(conn, None)
        self._pg = conn
        self.url = url

    def _begin_write(self) -> None:
        raw = self._pg.raw
        raw.execute(f"SELECT pg_advisory_lock({WRITE_LOCK})")
        try:
            raw.execute("BEGIN")
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        raw = self._pg.raw
        if raw.closed:
            return
        if raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            raw.execute("ROLLBACK")
        raw.execute(f"SELECT pg_advisory_unlock({WRITE_LOCK})")

    def _begin_read(self) -> None:
        self._pg.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")

    def _in_transaction(self) -> bool:
        status = self._pg.raw.info.transaction_status
        return status != psycopg.pq.TransactionStatus.IDLE

    def schema_version(self) -> int:
        """The legacy migration count the Alembic baseline stands for."""
        return SCHEMA_VERSION

    def _close(self) -> None:
        self._pg.raw.close()


def connect(url: str) -> PgConnection:
    """An autocommit psycopg connection (transactions are explicit ``BEGIN``s)."""
    factory: Callable[[psycopg.Cursor[Any]], RowMaker[PgRow]] = pg_row
    try:
        raw = psycopg.connect(url, autocommit=True, row_factory=factory)
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot connect to the database: {exc}") from exc
    raw.adapters.register_dumper(bool, _BoolAsInt)
    raw.adapters.register_loader("numeric", FloatLoader)
    return PgConnection(raw)


def open_postgres(url: str) -> PostgresDatabase:
    """Migrate (Alembic) and open the PostgreSQL database at ``url``."""
    upgrade_postgres(url)
    return PostgresDatabase(connect(url), url)
