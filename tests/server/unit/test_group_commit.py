"""Group commit on a real database (SQLite file, or PostgreSQL in PostgreSQL mode): shared
batches, each caller back only once durable."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring_console.server.db import Database, DatabaseError, IntegrityError, open_database
from scoring_console.server.db.group import GroupCommit
from tests.helpers import postgres


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(postgres.database_target(tmp_path))
    with database.transaction() as conn:
        conn.execute("CREATE TABLE gc_parent (id INTEGER PRIMARY KEY)")
        conn.execute(
            "CREATE TABLE gc_rows (n INTEGER PRIMARY KEY, parent INTEGER "
            "REFERENCES gc_parent(id) DEFERRABLE INITIALLY DEFERRED)"
        )
    _DATA_DIRS[id(database)] = tmp_path
    yield database
    database.close()
    del _DATA_DIRS[id(database)]


_DATA_DIRS: dict[int, Path] = {}
"""The data dir of each test's database (for a second connection to it)."""


def committed_rows(db: Database) -> list[int]:
    """What another connection sees: only committed rows."""
    with postgres.connect_to(_DATA_DIRS[id(db)]) as other:
        return [r[0] for r in other.execute("SELECT n FROM gc_rows ORDER BY n")]


def writer(db: Database, n: int, parent: int | None = None) -> int:
    with db.transaction() as conn:
        conn.execute("INSERT INTO gc_rows (n, parent) VALUES (?, ?)", (n, parent))
    return n


async def test_concurrent_calls_share_one_commit_and_return_once_durable(db: Database) -> None:
    group = GroupCommit(db)
    try:

        async def call(n: int) -> list[int]:
            await group.run(lambda: writer(db, n))
            return committed_rows(db)  # seen from another connection right after return

        seen = await asyncio.gather(*(call(n) for n in range(10)))
        for n, rows in enumerate(seen):
            assert n in rows, f"call {n} returned before its write was committed"
        assert group.calls == 10
        assert group.batches == 1, "ten calls in one loop turn must share one commit"
    finally:
        group.close()


async def test_a_refused_call_rolls_back_alone_and_raises_after_the_commit(db: Database) -> None:
    group = GroupCommit(db)
    try:

        def refused() -> None:
            with db.transaction() as conn:
                conn.execute("INSERT INTO gc_rows (n) VALUES (100)")
                conn.execute("INSERT INTO gc_rows (n) VALUES (1)")  # clashes with call 1

        results = await asyncio.gather(
            group.run(lambda: writer(db, 1)),
            group.run(refused),
            group.run(lambda: writer(db, 2)),
            return_exceptions=True,
        )
        assert results[0] == 1 and results[2] == 2
        assert isinstance(results[1], IntegrityError)
        # the refused call's own write (100) is gone; the others are committed
        assert committed_rows(db) == [1, 2]
    finally:
        group.close()


async def test_a_failed_commit_fails_every_call_of_the_batch(db: Database) -> None:
    group = GroupCommit(db)
    try:
        results = await asyncio.gather(
            group.run(lambda: writer(db, 1)),
            group.run(lambda: writer(db, 2, parent=999)),  # FK checked only at COMMIT
            return_exceptions=True,
        )
        assert all(isinstance(r, DatabaseError) for r in results), results
        assert committed_rows(db) == []
        assert not db.batch_open
        # the next batch works
        assert await group.run(lambda: writer(db, 3)) == 3
        assert committed_rows(db) == [3]
    finally:
        group.close()


async def test_a_write_outside_the_group_commits_the_open_batch_first(db: Database) -> None:
    group = GroupCommit(db)
    try:
        grouped = asyncio.ensure_future(group.run(lambda: writer(db, 1)))
        await asyncio.sleep(0)  # the grouped call ran; its batch is open, not committed
        assert db.batch_open and committed_rows(db) == []
        writer(db, 2)  # e.g. a REST login: must be durable when it returns
        assert committed_rows(db) == [1, 2]
        assert await grouped == 1
    finally:
        group.close()


async def test_reads_during_an_open_batch_wait_for_its_commit(db: Database) -> None:
    group = GroupCommit(db)
    try:

        def read() -> list[int]:
            with db.reading() as conn:
                return [r[0] for r in conn.execute("SELECT n FROM gc_rows")]

        write = asyncio.ensure_future(group.run(lambda: writer(db, 5)))
        await asyncio.sleep(0)
        seen = await group.run(read)  # saw the uncommitted row: returns after the commit
        assert seen == [5]
        assert committed_rows(db) == [5]
        await write
    finally:
        group.close()
