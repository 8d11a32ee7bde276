"""Client core figures: durable enqueue rate, outbox drain after a server restart, and
reconnect + resync time.

1. **Durable enqueue rate** — ``ClientCore.submit_score`` (offline, no server) into a
   real ``client.db`` in a temporary directory: each entry is committed with
   ``journal_mode=WAL`` and ``synchronous=FULL`` before the call returns. Entries/s,
   with the file system the temporary directory is on (fsync cost depends on it).
2. **Drain after restart** — a judge's client is connected to ``scoring-server`` (a
   child process, default write rate limit 60/min); the server is SIGKILLed, 1,000
   scores are queued, the server is started again. Measured from the moment the
   restarted server listens until the outbox is empty, split into "reconnected" and
   "drained". Scores go in ``scores:submit-batch`` calls that count once against the
   rate limit (one edit per cell per batch: 1,000 entries over 36 cells = 28 calls), so
   the limit is not hit. The client uses its default reconnect backoff (0.5 s doubling,
   capped at 15 s, with jitter), which dominates "reconnected".
3. **Reconnect + resync** — after a SIGKILL and restart, the time from "server listens"
   to ``CONNECTED`` (a fresh ``sync`` snapshot applied): once with ``retry_now()`` (the
   reconnect and resync themselves) and once waiting out the default backoff.

Medians over ``--runs`` runs. Prints the figures and records them in
``docs/benchmarks.md`` (section ``client``).

usage: python tests/benchmarks/bench_client.py [--entries 2000] [--runs 3] [--dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scoring_console.client.core import ClientCore  # noqa: E402
from scoring_console.client.memory_keyring import MemoryKeyring  # noqa: E402
from scoring_console.store.db import open_database  # noqa: E402
from tests.benchmarks.report import write_section  # noqa: E402
from tests.helpers.server_process import ServerProcess  # noqa: E402

DRAIN_ENTRIES = 1000
COMMAND = "python tests/benchmarks/bench_client.py"


def filesystem_of(path: Path) -> str:
    """The file-system type a path lives on (from /proc/mounts), or ``unknown``."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return "unknown"
    best, kind = "", "unknown"
    target = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and target.startswith(parts[1]) and len(parts[1]) > len(best):
            best, kind = parts[1], parts[2]
    return kind


def synchronous_mode(directory: Path) -> int:
    """``PRAGMA synchronous`` of a connection opened the way the store opens its file."""
    conn = open_database(directory / "pragma-check.db")
    try:
        return int(conn.execute("PRAGMA synchronous").fetchone()[0])
    finally:
        conn.close()


async def bench_enqueue(directory: Path, entries: int) -> float:
    """Entries/s of durable ``submit_score`` calls (offline core, real file)."""
    core = ClientCore("http://127.0.0.1:9", "bench", data_dir=directory / "enqueue")
    try:
        cells = [
            (1, contestant, criterion) for contestant in range(1, 7) for criterion in (1, 2, 3)
        ]
        for i in range(20):  # warm-up: schema, page cache
            await core.submit_score(*cells[i % len(cells)], 1.0)
        started = time.perf_counter()
        for i in range(entries):
            await core.submit_score(*cells[i % len(cells)], float(i % 10))
        elapsed = time.perf_counter() - started
        assert core.pending_count() == entries + 20
    finally:
        await core.stop(flush_timeout=0)
    return entries / elapsed


async def wait_for(condition: Any, within: float) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.005)


async def judge_cells(core: ClientCore) -> list[tuple[int, int, int]]:
    state = core.state
    assert state.user is not None
    mine = {a.category_id for a in state.assignments.values() if a.user_id == state.user.id}
    return [
        (cat.id, contestant, criterion.id)
        for cat in sorted(state.categories.values(), key=lambda c: c.id)
        if cat.id in mine
        for contestant in cat.contestant_ids
        for criterion in cat.criteria
    ]


async def bench_drain(directory: Path, run: int) -> tuple[float, float, float, int]:
    """(restart→listening, listening→connected, connected→drained) seconds, and calls."""
    server = ServerProcess(directory / f"drain-server-{run}")
    server.start()
    core = ClientCore(
        server.url,
        "judge1",
        data_dir=directory / f"drain-client-{run}",
        keyring_backend=MemoryKeyring(),
    )
    try:
        await core.login("demo")
        await core.start()
        assert await core.wait_connected(20)
        cells = await judge_cells(core)
        await asyncio.to_thread(server.kill)
        await wait_for(lambda: not core.connection.connected, 30)
        for i in range(DRAIN_ENTRIES):
            await core.submit_score(*cells[i % len(cells)], float(i % 10))
        assert core.pending_count() == DRAIN_ENTRIES
        calls_before = core.sender.sent_calls
        t0 = time.perf_counter()
        await asyncio.to_thread(server.start)
        listening = time.perf_counter()
        await wait_for(lambda: core.connection.connected, 60)
        connected = time.perf_counter()
        await wait_for(lambda: core.pending_count() == 0, 120)
        drained = time.perf_counter()
        calls = core.sender.sent_calls - calls_before
        rejected = [e for e in core.outbox_entries() if e.state.value == "rejected"]
        assert not rejected, rejected[:3]
        return listening - t0, connected - listening, drained - connected, calls
    finally:
        await core.stop(flush_timeout=0)
        server.stop()


async def bench_reconnect(directory: Path, runs: int) -> tuple[list[float], list[float], int]:
    """Restart→CONNECTED seconds with retry_now() and with the default backoff."""
    server = ServerProcess(directory / "reconnect-server")
    server.start()
    core = ClientCore(
        server.url,
        "judge1",
        data_dir=directory / "reconnect-client",
        keyring_backend=MemoryKeyring(),
    )
    fast: list[float] = []
    backoff: list[float] = []
    try:
        await core.login("demo")
        await core.start()
        assert await core.wait_connected(20)
        cells = await judge_cells(core)
        for cell in cells:  # give the snapshot some scores to carry
            await core.submit_score(*cell, 5.0)
        assert await core.flush(30)
        for mode in ["retry_now"] * runs + ["backoff"] * runs:
            await asyncio.to_thread(server.kill)
            await wait_for(lambda: not core.connection.connected, 30)
            await asyncio.to_thread(server.start)
            started = time.perf_counter()
            if mode == "retry_now":
                core.retry_now()
            await wait_for(lambda: core.connection.connected, 60)
            (fast if mode == "retry_now" else backoff).append(time.perf_counter() - started)
        return fast, backoff, len(core.state.scores)
    finally:
        await core.stop(flush_timeout=0)
        server.stop()


async def main_async(args: argparse.Namespace) -> int:
    base = Path(args.dir) if args.dir else None
    with tempfile.TemporaryDirectory(prefix="bench-client-", dir=base) as tmp:
        directory = Path(tmp)
        os.environ["SCORING_CONSOLE_HOME"] = str(directory / "home")
        fs = filesystem_of(directory)
        sync_mode = synchronous_mode(directory)
        assert sync_mode == 2, f"synchronous={sync_mode}, expected FULL (2)"

        rates = [await bench_enqueue(directory / f"e{i}", args.entries) for i in range(args.runs)]
        rate = statistics.median(rates)
        print(f"durable enqueue: {rate:,.0f} entries/s (median of {args.runs}; {fs})", flush=True)

        drains = [await bench_drain(directory, i) for i in range(args.runs)]
        start_s = statistics.median(d[0] for d in drains)
        reconnect_s = statistics.median(d[1] for d in drains)
        drain_s = statistics.median(d[2] for d in drains)
        total_s = statistics.median(d[1] + d[2] for d in drains)
        calls = drains[0][3]
        print(
            f"drain {DRAIN_ENTRIES} after restart: {total_s:.2f} s from listening to empty "
            f"(reconnect {reconnect_s:.2f} s + drain {drain_s:.2f} s, {calls} batch calls; "
            f"server start {start_s:.2f} s)",
            flush=True,
        )

        fast, slow, snapshot_scores = await bench_reconnect(directory, args.runs)
        print(
            f"reconnect+resync: {statistics.median(fast) * 1000:.0f} ms with retry_now, "
            f"{statistics.median(slow):.2f} s with the default backoff "
            f"(snapshot with {snapshot_scores} scores)",
            flush=True,
        )

    all_rates = ", ".join(f"{r:,.0f}" for r in rates)
    fast_runs = ", ".join(f"{x * 1000:.0f}" for x in fast)
    slow_runs = ", ".join(f"{x:.2f}" for x in slow)
    rows = [
        (
            "Durable enqueue (`submit_score`, offline)",
            f"{rate:,.0f} entries/s",
            "each entry committed before the call returns; WAL, `synchronous=FULL`; "
            f"temp dir on `{fs}`; {args.entries} entries per run (runs: {all_rates})",
        ),
        (
            f"Restart → outbox empty, {DRAIN_ENTRIES} queued scores",
            f"{total_s:.2f} s",
            f"from the restarted server listening: reconnect {reconnect_s:.2f} s (default "
            f"backoff: 0.5 s doubling to 15 s, jitter) + drain {drain_s:.2f} s; {calls} "
            "`scores:submit-batch` calls (one edit per cell per batch); default rate limit "
            "60/min where a batch counts once, so the limit was not hit; server process "
            f"start ({start_s:.2f} s) not included",
        ),
        (
            "Reconnect + resync after a restart, `retry_now()`",
            f"{statistics.median(fast) * 1000:.0f} ms",
            "server listening → `CONNECTED` (handshake + `sync` of a snapshot with "
            f"{snapshot_scores} scores, applied); runs: {fast_runs} ms",
        ),
        (
            "Reconnect + resync after a restart, default backoff",
            f"{statistics.median(slow):.2f} s",
            f"the same, waiting for the next scheduled attempt; runs: {slow_runs} s",
        ),
    ]
    table = [f"| Figure | Median of {args.runs} | Notes |", "|---|---|---|"]
    table += [f"| {name} | {value} | {notes} |" for name, value, notes in rows]
    body = "\n".join(table) + (
        "\n\nServer: `scoring-server --demo` in a child process, SIGKILLed and restarted on "
        "the same port and data dir. Client: `ClientCore` defaults (heartbeat 5 s), "
        "in-memory keyring, one judge (36 score cells).\n"
    )
    if not args.no_write:
        write_section("client", "Client core: durable outbox, drain, reconnect", COMMAND, body)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000, help="entries per enqueue run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--dir", default=None, help="where to put the temporary files")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
