"""The database contract the cluster code builds on, on SQLite and on PostgreSQL:
``commit_hook(first_seq, last_seq)`` after every committed outer write transaction, and
on PostgreSQL the cluster-wide advisory write lock (held through the hook, never by
reads) that hands out seqs in commit order across nodes."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from scoring_console.server.db import Database, open_database
from scoring_console.server.db.group import GroupCommit
from scoring_console.server.db.postgres import WRITE_LOCK, PostgresDatabase, to_pyformat
from tests.helpers import postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    target = tmp_path / "scoring.db" if request.param == "sqlite" else postgres.fresh_url()
    database = open_database(target)
    yield database
    database.close()


def recorder(db: Database) -> list[tuple[int, int]]:
    calls: list[tuple[int, int]] = []
    db.commit_hook = lambda first, last: calls.append((first, last))
    return calls


def rolled_back_write(db: Database, bumps: int = 1) -> None:
    """A write transaction (or savepoint) that bumps the seq, then fails."""
    with db.transaction() as conn:
        for _ in range(bumps):
            db.next_seq(conn)
        raise RuntimeError("rolled back")


def test_each_committed_transaction_reports_the_seqs_it_consumed(db: Database) -> None:
    calls = recorder(db)
    with db.transaction() as conn:
        assert [db.next_seq(conn) for _ in range(3)] == [1, 2, 3]
    with db.transaction() as conn:
        conn.execute("INSERT INTO events (name) VALUES ('no seq')")
    with pytest.raises(RuntimeError, match="rolled back"):
        rolled_back_write(db)
    with db.transaction() as conn:
        assert db.next_seq(conn) == 4  # the rolled-back bump is gone
    assert calls == [(1, 3), (1, 0), (4, 4)]
    assert db.current_seq() == 4


def test_a_rolled_back_savepoint_does_not_count(db: Database) -> None:
    calls = recorder(db)
    with db.transaction() as conn:
        db.next_seq(conn)
        with pytest.raises(RuntimeError, match="rolled back"):
            rolled_back_write(db, bumps=2)
        assert db.next_seq(conn) == 2
    assert calls == [(1, 2)]


def test_a_group_commit_batch_reports_once_for_all_its_calls(db: Database) -> None:
    calls = recorder(db)
    group = GroupCommit(db)

    def write() -> int:
        with db.transaction() as conn:
            return db.next_seq(conn)

    def refused() -> None:
        with db.transaction() as conn:
            db.next_seq(conn)
            raise ValueError("this call's savepoint is rolled back")

    async def burst() -> list[object]:
        return await asyncio.gather(
            *(group.run(write) for _ in range(3)),
            group.run(refused),
            group.run(write),
            return_exceptions=True,
        )

    try:
        results = asyncio.run(burst())
    finally:
        group.close()
    assert results[:3] == [1, 2, 3] and isinstance(results[3], ValueError)
    assert results[4] == 4
    assert group.batches == 1
    assert calls == [(1, 4)]


def test_a_failing_hook_is_logged_and_the_commit_stands(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(first: int, last: int) -> None:
        raise RuntimeError("the bus is down")

    db.commit_hook = broken
    with caplog.at_level(logging.ERROR), db.transaction() as conn:
        db.next_seq(conn)
        conn.execute("INSERT INTO events (name) VALUES ('stays')")
    assert "commit hook failed" in caplog.text
    assert db.current_seq() == 1
    assert db.conn.execute("SELECT name FROM events").fetchone()[0] == "stays"
    with db.transaction() as conn:
        assert db.next_seq(conn) == 2  # and the database goes on working


# --- PostgreSQL only: the cluster-wide write lock ----------------------------------------


def _lock_is_free(url: str) -> bool:
    """Whether another session could take the write lock right now (released at once)."""
    with psycopg.connect(url, autocommit=True) as other:
        row = other.execute(f"SELECT pg_try_advisory_lock({WRITE_LOCK})").fetchone()
        assert row is not None
        if row[0]:
            other.execute(f"SELECT pg_advisory_unlock({WRITE_LOCK})")
        return bool(row[0])


def test_the_write_lock_is_held_through_the_hook_and_never_by_reads() -> None:
    url = postgres.fresh_url()
    db = open_database(url)
    assert isinstance(db, PostgresDatabase)
    seen: list[bool] = []
    db.commit_hook = lambda first, last: seen.append(_lock_is_free(url))
    try:
        assert _lock_is_free(url)
        with db.transaction() as conn:
            db.next_seq(conn)
            assert not _lock_is_free(url), "a write transaction holds the lock"
        assert seen == [False], "the hook runs while the lock is still held"
        assert _lock_is_free(url), "released after the hook"
        with db.reading() as conn:
            conn.execute("SELECT count(*) FROM scores").fetchone()
            assert _lock_is_free(url), "reads never take it"
        with pytest.raises(psycopg.Error), db.transaction() as conn:
            conn.execute("INSERT INTO nowhere VALUES (1)")
        assert _lock_is_free(url), "released after a failed transaction too"
    finally:
        db.close()


def test_two_nodes_hand_out_seqs_in_commit_order_contiguously() -> None:
    url = postgres.fresh_url()
    nodes = [open_database(url) for _ in range(3)]
    ranges: list[tuple[int, int]] = []
    guard = threading.Lock()

    def hook(first: int, last: int) -> None:
        with guard:
            ranges.append((first, last))

    def work(node: Database, index: int) -> None:
        for round_ in range(15):
            with node.transaction() as conn:
                for _ in range(1 + (index + round_) % 3):
                    node.next_seq(conn)

    for node in nodes:
        node.commit_hook = hook
    threads = [threading.Thread(target=work, args=(n, i)) for i, n in enumerate(nodes)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(ranges) == 45
        expected_first = 1
        for first, last in ranges:  # hooks ran in commit order: each picks up the next seq
            assert first == expected_first and last >= first
            expected_first = last + 1
        assert nodes[0].current_seq() == ranges[-1][1]
    finally:
        for node in nodes:
            node.close()


def test_placeholders_are_translated_once_outside_string_literals() -> None:
    assert to_pyformat("SELECT ? WHERE a = '?' AND b LIKE '%x' AND c = ?") == (
        "SELECT %s WHERE a = '?' AND b LIKE '%%x' AND c = %s"
    )
    assert to_pyformat("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', %s"
    assert to_pyformat('SELECT "odd?name" FROM t WHERE x = ?') == (
        'SELECT "odd?name" FROM t WHERE x = %s'
    )
    before = to_pyformat.cache_info().hits
    to_pyformat("SELECT ? WHERE a = '?' AND b LIKE '%x' AND c = ?")
    assert to_pyformat.cache_info().hits == before + 1


RACED_ID = "7d1c0f8e-5b7a-4c51-9a3e-2f6d8b1e4c90"


def test_one_client_id_raced_to_two_nodes_is_stored_once() -> None:
    """Two nodes (two services on one PostgreSQL database) get the same submission at
    the same moment: the write lock serializes them, the second finds the first's row
    and answers with the stored result."""
    from scoring_console.protocol.payloads import ScoreSubmit
    from scoring_console.server.demo_data import seed_demo
    from scoring_console.server.service import Actor, ScoringService

    url = postgres.fresh_url()
    seeding = open_database(url)
    seed_demo(seeding)
    seeding.close()
    nodes = [ScoringService(open_database(url)) for _ in range(2)]
    try:
        users = {u.username: u for u in nodes[0].accounts.list_users()}
        judge = Actor(users["judge1"].id, users["judge1"].role, "judge1")
        snap = nodes[0].views.snapshot(judge)
        category = snap.categories[0]
        payload = ScoreSubmit(
            client_id=RACED_ID,
            category_id=category.id,
            contestant_id=category.contestant_ids[0],
            criterion_id=category.criteria[0].id,
            score=7.5,
        )
        start = threading.Barrier(2)
        results: list[object] = [None, None]

        def submit(index: int) -> None:
            start.wait()
            results[index] = nodes[index].scores.submit_score(judge, payload)

        threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        outcomes = [r for r in results if r is not None]
        assert len(outcomes) == 2
        first, second = (o.result for o in outcomes)  # type: ignore[attr-defined]
        assert first == second, "the second node answers with the stored result"
        effects = sorted(len(o.effects) for o in outcomes)  # type: ignore[attr-defined]
        assert effects[0] == 0 < effects[1], "only the node that stored it broadcasts"
        with nodes[1].db.reading() as conn:
            stored = conn.execute(
                "SELECT count(*) FROM scores WHERE client_id = ?", (RACED_ID,)
            ).fetchone()[0]
        assert stored == 1
        assert nodes[0].db.current_seq() == first.seq
    finally:
        for node in nodes:
            node.db.close()
