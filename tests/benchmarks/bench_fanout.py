"""Fan-out and write path, side by side with a Node socket.io reference (issue 13).

Starts the bundled server (``python -m scoring_console.server --demo`` in a child
process), optionally the same server from an older git revision (``--baseline REF``,
exported to a temp dir: the "before" column), and the Node reference server
(``tests/benchmarks/node/reference_server.js``: stock socket.io + better-sqlite3 in WAL
with ``synchronous=FULL``, one emit per recipient with masking and ``prevSeq``; and
the same without a database, one room emit without masking). One load generator
(``node/loadgen.js``, raw Engine.IO websockets) drives them all, in alternating order,
``--rounds`` times; medians are reported. Figures:

* deliveries/s to 1,000 subscribers, one judge submitting as fast as acks allow,
  server CPU per delivery and the generator's own CPU per delivery;
* score → all 100 subscribers received, judge at 10 submits/s: p50 / p99;
* acknowledged submits/s from 10 concurrent judge sockets;
* sequential submit round trip p50.

The table (with the load average) replaces the ``bench:fanout`` section of
``docs/benchmarks.md``. Needs node and npm; ``npm ci`` runs in ``node/`` when its
``node_modules`` is missing. The default run takes about three minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NODE = HERE / "node"
DOC = ROOT / "docs" / "benchmarks.md"
sys.path.insert(0, str(ROOT))

from tests.helpers.sio_client import login  # noqa: E402

VIEWERS = ("tally1", "auditor1", "board1", "organizer1", "admin")
JUDGES = tuple(f"judge{i}" for i in range(1, 6))
LISTEN = re.compile(r"listening on (http://[\d.]+:\d+)")


@dataclass
class Target:
    """One server under test."""

    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[str] | None = None
    url: str = ""
    judges: list[str] = field(default_factory=list)
    viewers: list[str] = field(default_factory=list)

    def start(self) -> None:
        """Start the server and read its URL from its output."""
        self.proc = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
        )
        found = threading.Event()
        lines: list[str] = []

        def pump() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                lines.append(line)
                match = LISTEN.search(line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 60
        while not found.wait(0.1):
            if self.proc.poll() is None and time.monotonic() < deadline:
                continue
            self.stop()
            raise RuntimeError(f"{self.name} did not start:\n{''.join(lines)}")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process used so far."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Terminate the server."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def python_target(
    name: str, data_dir: Path, src: Path | None = None, extra: tuple[str, ...] = ()
) -> Target:
    """The bundled server (from ``src`` instead of the installed package if given)."""
    command = [
        sys.executable,
        "-m",
        "scoring_console.server",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
        "--demo",
        "--rate-limit",
        "100000000",
        "--read-rate",
        "100000000",
        "--max-sockets-per-user",
        "5000",
        "--max-http-connections",
        "5000",
        "--log-level",
        "warning",
        *extra,
    ]
    env = {"PYTHONPATH": str(src)} if src is not None else {}
    return Target(name, command, env)


def node_target(name: str, mode: str, db: Path) -> Target:
    """The Node reference server in ``sqlite`` or ``room`` mode."""
    return Target(name, ["node", str(NODE / "reference_server.js"), "0", mode, str(db)])


def ensure_node_deps() -> None:
    """``npm ci`` in ``node/`` when its dependencies are missing."""
    if not (shutil.which("node") and shutil.which("npm")):
        raise SystemExit("bench_fanout needs node and npm")
    if not (NODE / "node_modules" / "better-sqlite3").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE, check=True)


def export_revision(ref: str, into: Path) -> Path:
    """``git archive`` of ``ref``'s ``src`` into ``into``; returns the ``src`` path."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", ref, "src"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


async def log_in(target: Target) -> list[dict[str, Any]]:
    """Tokens for the judges and viewers; the judges' score cells (Python layout)."""
    target.judges = [(await login(target.url, name)).access for name in JUDGES]
    target.viewers = [(await login(target.url, name)).access for name in VIEWERS]
    return []


async def cells_of(url: str) -> list[dict[str, Any]]:
    """Cells of the first category every demo judge is assigned to (from sync)."""
    from tests.helpers.sio_client import connect_user

    client = await connect_user(url, "judge1")
    try:
        snap = await client.sync()
    finally:
        await client.close()
    cat = min(snap["categories"], key=lambda c: c["id"])
    return [
        {
            "categoryId": cat["id"],
            "contestantId": contestant,
            "criterionId": k["id"],
            "maxScore": k["maxScore"],
        }
        for contestant in cat["contestantIds"]
        for k in cat["criteria"]
    ]


def run_loadgen(target: Target, scenario: dict[str, Any]) -> dict[str, Any]:
    """One scenario against one server; adds the server's CPU seconds."""
    assert target.proc is not None
    cfg = {
        "url": target.url,
        "judges": target.judges,
        "viewers": target.viewers,
        "serverPid": target.proc.pid,
        "clockTicks": os.sysconf("SC_CLK_TCK"),
        **scenario,
    }
    cpu0 = target.cpu_seconds()
    done = subprocess.run(
        ["node", str(NODE / "loadgen.js"), json.dumps(cfg)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"loadgen {scenario['scenario']} on {target.name}: {done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    # the fan-out run measures the server's CPU itself, without the connection phase
    result.setdefault("serverCpuSeconds", target.cpu_seconds() - cpu0)
    return result


def scenarios(args: argparse.Namespace, cells: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The four measured scenarios."""
    return {
        "fanout": {
            "scenario": "fanout",
            "subscribers": args.subscribers,
            "seconds": args.seconds,
            "cells": cells,
        },
        "latency": {
            "scenario": "latency",
            "subscribers": 100,
            "rate": 10,
            "seconds": args.latency_seconds,
            "cells": cells,
        },
        "throughput": {
            "scenario": "throughput",
            "judgeSockets": 10,
            "seconds": args.seconds,
            "cells": cells,
        },
        "roundtrip": {"scenario": "roundtrip", "count": args.roundtrips, "cells": cells},
    }


def med(values: list[float | None]) -> float | None:
    """Median of the values that exist."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def pooled(results: list[dict[str, Any]], q: float) -> float | None:
    """Percentile ``q`` over the latency samples of every round together."""
    samples = sorted(t for r in results for t in r.get("took", []))
    if not samples:
        return None
    return float(samples[min(len(samples) - 1, int(q / 100 * len(samples)))])


PER_RUN: list[tuple[str, str, Callable[[dict[str, Any]], float | None]]] = [
    # label, scenario, value of one run (the table shows the median over rounds)
    ("deliveries/s, {subscribers} subscribers", "fanout", lambda r: r["deliveriesPerSecond"]),
    (
        "server CPU per delivery (µs)",
        "fanout",
        lambda r: 1e6 * r["serverCpuSeconds"] / max(1, r["received"]),
    ),
    (
        "load generator CPU per delivery (µs)",
        "fanout",
        lambda r: 1e6 * r["loadgenCpuSeconds"] / max(1, r["received"]),
    ),
]
POOLED: list[tuple[str, float]] = [
    # label, percentile over every round's samples together
    ("score → 100 subscribers p50 (ms)", 50),
    ("score → 100 subscribers p99 (ms)", 99),
]
LAST: list[tuple[str, str, Callable[[dict[str, Any]], float | None]]] = [
    ("acked submits/s, 10 judge sockets", "throughput", lambda r: r["perSecond"]),
    ("sequential round trip p50 (ms)", "roundtrip", lambda r: r["p50"]),
]


def fmt(value: float | None) -> str:
    """A figure for the table."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


def table(
    results: dict[str, dict[str, list[dict[str, Any]]]], names: list[str], subscribers: int
) -> str:
    """The markdown table of medians, with this server's ratio to each other column."""
    ours = names[0]
    head = (
        "| figure | "
        + " | ".join(names)
        + " | "
        + " | ".join(f"{ours} ÷ {n}" for n in names[1:])
        + " |"
    )
    rows = [head, "|---" * (1 + 2 * len(names) - 1) + "|"]
    figures: list[tuple[str, dict[str, float | None]]] = []
    for label, scenario, value in PER_RUN:
        figures.append((label, {n: med([value(r) for r in results[n][scenario]]) for n in names}))
    for label, q in POOLED:
        figures.append((label, {n: pooled(results[n]["latency"], q) for n in names}))
    for label, scenario, value in LAST:
        figures.append((label, {n: med([value(r) for r in results[n][scenario]]) for n in names}))
    for label, medians in figures:
        ratios = []
        for n in names[1:]:
            a, b = medians[ours], medians[n]
            ratios.append("—" if a is None or not b else f"{a / b:.2f}×")
        rows.append(
            f"| {label.format(subscribers=f'{subscribers:,}')} | "
            + " | ".join(fmt(medians[n]) for n in names)
            + " | "
            + " | ".join(ratios)
            + " |"
        )
    return "\n".join(rows)


def write_doc(section: str) -> None:
    """Replace (or append) the ``bench:fanout`` section of docs/benchmarks.md."""
    start, end = "<!-- bench:fanout -->", "<!-- /bench:fanout -->"
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    block = f"{start}\n{section}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text)


def main() -> int:
    """Run the rounds and print / record the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--roundtrips", type=int, default=200)
    parser.add_argument("--baseline", help="git revision of the server for a 'before' column")
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME:ARGS",
        help="add a column: this server with extra server arguments, e.g. "
        "'no group commit:--no-group-commit'",
    )
    args = parser.parse_args()
    ensure_node_deps()
    load_before = os.getloadavg()
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        root = Path(tmp)
        targets = [python_target("this server", root / "py")]
        for number, variant in enumerate(args.variant):
            name, _, extra = variant.partition(":")
            targets.append(python_target(name, root / f"pyv{number}", extra=tuple(extra.split())))
        if args.baseline:
            src = export_revision(args.baseline, root / "base")
            targets.append(python_target(f"before ({args.baseline})", root / "pybase", src))
        targets += [
            node_target("Node per-socket + SQLite", "sqlite", root / "node.db"),
            node_target("Node room emit, no DB", "room", root / "unused.db"),
        ]
        names = [t.name for t in targets]
        results: dict[str, dict[str, list[dict[str, Any]]]] = {
            n: {s: [] for s in ("fanout", "latency", "throughput", "roundtrip")} for n in names
        }
        try:
            for target in targets:
                target.start()
                asyncio.run(log_in(target))
            cells = asyncio.run(cells_of(targets[0].url))
            plan = scenarios(args, cells)
            for round_no in range(args.rounds):
                order = targets if round_no % 2 == 0 else list(reversed(targets))
                for key, scenario in plan.items():
                    for target in order:
                        result = run_loadgen(target, scenario)
                        results[target.name][key].append(result)
                        print(
                            f"round {round_no + 1} {key:10} {target.name:28} {result}", flush=True
                        )
        finally:
            for target in targets:
                target.stop()
    load_after = os.getloadavg()
    section = (
        "## Fan-out and write path, side by side with Node socket.io\n\n"
        f"`python tests/benchmarks/bench_fanout.py"
        f"{' --baseline ' + args.baseline if args.baseline else ''}` — "
        f"CPython {platform.python_version()}, node {_node_version()}, {os.cpu_count()} cores, "
        f"{started:%Y-%m-%d %H:%M} UTC; load average before {load_before[0]:.2f}, "
        f"after {load_after[0]:.2f} (the machine is shared: compare columns, not runs)\n\n"
        f"Medians of {args.rounds} alternating rounds; {args.seconds:g} s per throughput run, "
        f"{args.latency_seconds:g} s at 10 submits/s for latency "
        f"({int(10 * args.latency_seconds)} submits per round; latency percentiles over every "
        f"round's submits together), {args.roundtrips} round trips.\n\n"
        + table(results, names, args.subscribers)
        + "\n\nOne load generator (node/loadgen.js, raw Engine.IO websockets) drives every "
        "server; its own CPU per delivery is in the table, to show it is not the limit. "
        "The Node reference logs in without scrypt and keeps users in memory; otherwise it "
        "does the measured work (JWT handshake, rooms, `sync`, `scores:submit` in one "
        "better-sqlite3 transaction with WAL and `synchronous=FULL`, ack after commit, one "
        "`socket.emit` per recipient with masking and `prevSeq`). better-sqlite3 was "
        "installed from npm (built here with node-gyp when no prebuilt binary fits).\n\n"
        "What changed (issue 13): each distinct view of an event is JSON-encoded once and "
        "the socket's `prevSeq` spliced in (`server/wire.py`); frames are handed to "
        "sockets from one FIFO outbox on the loop turn after the ack, written straight "
        "to an idle websocket's transport or put in its bounded Engine.IO queue, with no "
        "task per recipient; python-engineio's per-wait task is gone; concurrent calls "
        "share one transaction and one fsync (`server/db/group.py`; the `no group "
        "commit` column is this server with `--no-group-commit`). uvloop measured no "
        "better here and is not used; orjson is moot once a payload is encoded once."
    )
    print()
    print(section)
    if not args.no_doc:
        write_doc(section)
    return 0


def _node_version() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    raise SystemExit(main())
