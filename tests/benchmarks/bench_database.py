"""``scores:submit`` round trips on SQLite and on PostgreSQL, side by side.

The measurement of ``bench_server_submit.py`` (10 concurrent python-socketio clients on
loopback, each sending its next ``scores:submit`` as soon as the previous ack arrives;
in-process server, demo data, rate limit raised) run twice: on the SQLite file (WAL,
``synchronous=FULL``) and on a PostgreSQL database of the throwaway server that
``tests/helpers/postgres.py`` starts (``fsync`` on; every write transaction takes the
cluster-wide advisory lock). Prints acked scores/s and p50/p99 ack latency per engine,
the PostgreSQL/SQLite ratios and the load average; writes nothing.

usage: python tests/benchmarks/bench_database.py [--seconds 5] [--batch-size 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_server_submit import RATE_LIMIT, Result, _run_against  # noqa: E402
from tests.helpers import postgres  # noqa: E402


async def run(database_url: str | None, seconds: float, batch: int) -> tuple[Result, Result]:
    """One in-process server on SQLite (``None``) or on ``database_url``."""
    from scoring_console.server.app import start_server
    from scoring_console.server.config import ServerConfig

    with tempfile.TemporaryDirectory(prefix="bench-db-") as tmp:
        config = ServerConfig(
            port=0,
            data_dir=Path(tmp) / "server",
            demo=True,
            rate_limit_per_minute=RATE_LIMIT,
            database_url=database_url,
        )
        running = await start_server(config)
        try:
            return await _run_against(running.url, seconds, batch)
        finally:
            await running.stop()


def main() -> int:
    """Run on both engines, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--batch-size", type=int, default=20)
    args = parser.parse_args()
    try:
        sqlite = asyncio.run(run(None, args.seconds, args.batch_size))
        pg = asyncio.run(run(postgres.server().fresh_database(), args.seconds, args.batch_size))
    finally:
        postgres.stop_server()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print("| form | engine | acked scores/s | p50 ack ms | p99 ack ms |")
    print("|---|---|---|---|---|")
    forms = ("scores:submit", f"scores:submit-batch x{args.batch_size}")
    for index, form in enumerate(forms):
        for engine, result in (("SQLite", sqlite[index]), ("PostgreSQL", pg[index])):
            print(
                f"| {form} | {engine} | {result.scores / result.seconds:,.0f} | "
                f"{result.pct(0.5):.2f} | {result.pct(0.99):.2f} |"
            )
        s, p = sqlite[index], pg[index]
        print(
            f"| {form} | PostgreSQL/SQLite | "
            f"{(p.scores / p.seconds) / (s.scores / s.seconds):.2f}x | "
            f"{p.pct(0.5) / s.pct(0.5):.2f}x | {p.pct(0.99) / s.pct(0.99):.2f}x |"
        )
    print(f"\nload average at the end: {load}")
    return 0 if all(r.scores for r in (*sqlite, *pg)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
