"""Acknowledged ``scores:submit`` calls per second from 10 concurrent clients on loopback.

Starts the bundled server in-process (demo data, write rate limit raised so the limiter
is not what is measured, data dir in a temporary directory), logs the 5 demo judges in
twice each (10 real python-socketio clients over websocket), and has every client
submit scores as fast as its acks come back for ``--seconds``. Then the same with the
batch form. Prints and records (``docs/benchmarks.md``, section ``server-submit``):
acked submits per second, p50/p99 ack latency.

Server and clients share one asyncio loop (one core for both), so the figures are a
floor for a server with a core of its own.

Then the same against ``scoring-server`` in a child process (server on its own core).

usage: python tests/benchmarks/bench_server_submit.py [--seconds 5] [--batch-size 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.report import write_section  # noqa: E402
from tests.helpers.sio_client import SioClient, login, new_client_id  # noqa: E402

CLIENTS = 10
JUDGES = ["judge1", "judge2", "judge3", "judge4", "judge5"]
RATE_LIMIT = 10_000_000


@dataclass
class Result:
    """What one run measured."""

    calls: int = 0
    scores: int = 0
    refused: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def pct(self, q: float) -> float:
        """Latency percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, round(q * (len(ordered) - 1)))
        return ordered[index] * 1000


async def _connect_all(url: str) -> list[SioClient]:
    clients: list[SioClient] = []
    for i in range(CLIENTS):
        tokens = await login(url, JUDGES[i % len(JUDGES)])
        client = SioClient(tokens=tokens)
        await client.connect(url, {"token": tokens.access, "protocol": 1})
        clients.append(client)
    return clients


def _cells(snapshot: dict[str, Any]) -> list[tuple[int, int, int]]:
    return [
        (cat["id"], contestant, criterion["id"])
        for cat in snapshot["categories"]
        for contestant in cat["contestantIds"]
        for criterion in cat["criteria"]
    ]


def _entry(cell: tuple[int, int, int], n: int) -> dict[str, Any]:
    return {
        "clientId": new_client_id(),
        "categoryId": cell[0],
        "contestantId": cell[1],
        "criterionId": cell[2],
        "score": float(n % 10),
    }


async def _worker(
    client: SioClient,
    cells: list[tuple[int, int, int]],
    stop_at: float,
    batch_size: int,
    result: Result,
) -> None:
    n = 0
    while time.perf_counter() < stop_at:
        if batch_size <= 1:
            payload: Any = _entry(cells[n % len(cells)], n)
            event = "scores:submit"
        else:
            payload = {
                "entries": [_entry(cells[(n + k) % len(cells)], n + k) for k in range(batch_size)]
            }
            event = "scores:submit-batch"
        started = time.perf_counter()
        ack = await client.call(event, payload, timeout=30)
        result.latencies.append(time.perf_counter() - started)
        result.calls += 1
        if not ack.get("ok"):
            result.refused += 1
        elif batch_size <= 1:
            result.scores += 1
        else:
            items = ack["data"]["results"]
            result.scores += sum(1 for item in items if item["ok"])
            result.refused += sum(1 for item in items if not item["ok"])
        n += max(1, batch_size)


async def _measure(
    clients: list[SioClient], cells: list[tuple[int, int, int]], seconds: float, batch: int
) -> Result:
    result = Result()
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(*(_worker(c, cells, stop_at, batch, result) for c in clients))
    result.seconds = time.perf_counter() - started
    return result


async def _run_against(url: str, seconds: float, batch_size: int) -> tuple[Result, Result]:
    clients: list[SioClient] = []
    try:
        clients = await _connect_all(url)
        cells = _cells(await clients[0].sync())
        await _measure(clients, cells, min(1.0, seconds / 5), 1)  # warm-up
        single = await _measure(clients, cells, seconds, 1)
        batched = await _measure(clients, cells, seconds, batch_size)
    finally:
        for client in clients:
            await client.close()
    return single, batched


def run_subprocess(seconds: float, batch_size: int) -> tuple[Result, Result]:
    """The same against ``scoring-server`` in a child process (its own core)."""
    from tests.helpers.server_process import ServerProcess

    with tempfile.TemporaryDirectory(prefix="bench-server-proc-") as tmp:
        proc = ServerProcess(
            Path(tmp) / "server",
            extra_args=["--rate-limit", str(RATE_LIMIT), "--log-level", "warning"],
        )
        proc.start()
        try:
            return asyncio.run(_run_against(proc.url, seconds, batch_size))
        finally:
            proc.stop()


async def main_async(seconds: float, batch_size: int) -> tuple[Result, Result]:
    """Run both measurements against a fresh in-process server."""
    from scoring_console.server.app import start_server
    from scoring_console.server.config import ServerConfig

    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        config = ServerConfig(
            host="127.0.0.1",
            port=0,
            data_dir=Path(tmp) / "server",
            demo=True,
            rate_limit_per_minute=RATE_LIMIT,
        )
        running = await start_server(config)
        try:
            return await _run_against(running.url, seconds, batch_size)
        finally:
            await running.stop()


def main() -> int:
    """Parse arguments, run, print and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="do not update docs")
    parser.add_argument(
        "--no-subprocess", action="store_true", help="only the in-process measurement"
    )
    args = parser.parse_args()
    runs = [("in-process", *asyncio.run(main_async(args.seconds, args.batch_size)))]
    if not args.no_subprocess:
        runs.append(("subprocess", *run_subprocess(args.seconds, args.batch_size)))
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = [
        "| server | form | acked scores/s | calls/s | p50 ack ms | p99 ack ms | refused |",
        "|---|---|---|---|---|---|---|",
    ]
    for where, one, many in runs:
        for name, r in (("scores:submit", one), (f"scores:submit-batch ×{args.batch_size}", many)):
            rows.append(
                f"| {where} | `{name}` | {r.scores / r.seconds:,.0f} | "
                f"{r.calls / r.seconds:,.0f} | {r.pct(0.5):.2f} | {r.pct(0.99):.2f} | "
                f"{r.refused} |"
            )
    body = (
        f"{CLIENTS} concurrent python-socketio clients (websocket, 5 demo judges logged in "
        f"twice), each sending its next call as soon as the previous ack arrives, "
        f"{args.seconds:g} s per form. *in-process*: the server on the clients' asyncio loop "
        "(one core for both); *subprocess*: `scoring-server` in a child process. Demo data, "
        "rate limit raised, SQLite WAL `synchronous=FULL` in a temp dir: every ack is a "
        "committed transaction, and a batch commits once (a savepoint per entry). Every "
        "acked score is also delivered to each connected console, masked per recipient. "
        "Load average at the "
        f"end: {load}.\n\n" + "\n".join(rows)
    )
    print(body, flush=True)
    if not args.no_write:
        command = "python tests/benchmarks/bench_server_submit.py"
        if args.seconds != 5.0 or args.batch_size != 20:
            command += f" --seconds {args.seconds:g} --batch-size {args.batch_size}"
        write_section("server-submit", "Server: acknowledged score submissions", command, body)
    return 0 if all(one.scores and many.scores for _, one, many in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
