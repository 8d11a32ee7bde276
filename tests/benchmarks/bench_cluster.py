"""Several server nodes on PostgreSQL and Redis: 1, 2 and 3 nodes side by side (issue 14).

Starts a throwaway PostgreSQL server (``tests/helpers/postgres.py``) and, per
configuration, a fresh database and a throwaway ``redis-server``
(``tests/helpers/redis_server.py``), then N ``scoring-server`` nodes on them
(``--database-url``, ``--redis-url``, ``--node-id``; the first one seeds the demo data).
The single process on SQLite — the default venue server — is the last column.
The load generator of ``bench_fanout.py`` (``node/loadgen.js``) spreads its sockets over
the nodes (connection *i* to node *i mod N*): subscribers, and the judge sockets of the
throughput run; the fan-out and latency runs' one judge is on the first node, so every
other node's deliveries went through Redis.

Figures, medians over ``--rounds`` alternating rounds:

* deliveries/s to 1,000 subscribers (one judge submitting as fast as acks allow: the
  write round trip paces it) and the nodes' CPU per delivery in the measured phase (all
  nodes summed; PostgreSQL's CPU is not in it); Redis's CPU over the whole run, with the
  subscribers' connects and syncs (online counts, rate-limit buckets), per delivery;
* score → all 100 subscribers received at 10 submits/s: p50 / p99;
* acknowledged submits/s from 10 judge sockets spread over the nodes;
* sequential submit round trip p50.

On this 2-core machine every node, PostgreSQL, Redis and the load generator share two
cores, so more nodes cannot add capacity here; the figures show what the cluster costs
per delivery and per write, which is what the estimate in ``docs/deployment.md`` uses.
The table replaces the ``bench:cluster`` section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_fanout import (  # noqa: E402
    JUDGES,
    NODE,
    VIEWERS,
    Target,
    cells_of,
    ensure_node_deps,
    fmt,
    med,
    pooled,
    python_target,
    scenarios,
)
from tests.benchmarks.report import write_section  # noqa: E402
from tests.helpers import postgres  # noqa: E402
from tests.helpers.redis_server import RedisServer  # noqa: E402
from tests.helpers.sio_client import login  # noqa: E402

SCENARIOS = ("fanout", "latency", "throughput", "roundtrip")


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Setup:
    """One configuration: N nodes (or the single SQLite process) and its Redis."""

    name: str
    nodes: list[Target]
    redis: RedisServer | None = None
    judges: list[str] = field(default_factory=list)
    viewers: list[str] = field(default_factory=list)

    def start(self) -> None:
        """Start the nodes one after the other (the first seeds the demo data)."""
        for node in self.nodes:
            node.start()

    def stop(self) -> None:
        """Stop the nodes and Redis."""
        for node in self.nodes:
            node.stop()
        if self.redis is not None:
            self.redis.stop()

    def cpu(self) -> float:
        """CPU seconds the nodes used so far."""
        return sum(node.cpu_seconds() for node in self.nodes)

    def redis_cpu(self) -> float | None:
        """CPU seconds Redis used so far (``None`` without Redis)."""
        if self.redis is None or self.redis.proc is None:
            return None
        return _cpu_of(self.redis.proc.pid)


def cluster_setup(count: int, root: Path, pg: postgres.PostgresServer) -> Setup:
    """``count`` nodes on a fresh database and a fresh Redis."""
    redis = RedisServer(root / f"redis{count}")
    redis.start()
    url = pg.fresh_database()
    nodes: list[Target] = []
    for number in range(count):
        name = f"node{number + 1}"
        target = python_target(
            f"{count} nodes/{name}",
            root / f"c{count}" / name,
            extra=("--database-url", url, "--redis-url", redis.url, "--node-id", name),
        )
        if number:
            target.command.remove("--demo")  # the first node seeded the database
        nodes.append(target)
    label = "1 node" if count == 1 else f"{count} nodes"
    return Setup(label, nodes, redis)


def run(setup: Setup, scenario: dict[str, Any]) -> dict[str, Any]:
    """One scenario against one configuration, sockets spread over its nodes."""
    import json

    cfg = {
        "url": setup.nodes[0].url,
        "urls": [node.url for node in setup.nodes],
        "judges": setup.judges,
        "viewers": setup.viewers,
        "serverPids": [node.proc.pid for node in setup.nodes if node.proc is not None],
        "clockTicks": os.sysconf("SC_CLK_TCK"),
        **scenario,
    }
    cpu0, redis0 = setup.cpu(), setup.redis_cpu()
    done = subprocess.run(
        ["node", str(NODE / "loadgen.js"), json.dumps(cfg)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"loadgen {scenario['scenario']} on {setup.name}: {done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result.setdefault("serverCpuSeconds", setup.cpu() - cpu0)
    redis1 = setup.redis_cpu()
    if redis0 is not None and redis1 is not None:
        result["redisCpuSeconds"] = redis1 - redis0
    return result


async def log_in(setup: Setup) -> None:
    """Tokens from the first node; one token works on every node of a cluster."""
    url = setup.nodes[0].url
    setup.judges = [(await login(url, name)).access for name in JUDGES]
    setup.viewers = [(await login(url, name)).access for name in VIEWERS]


def _per_delivery(key: str) -> Any:
    return lambda r: (1e6 * r[key] / max(1, r["received"])) if key in r else None


FIGURES: list[tuple[str, str, Any]] = [
    ("deliveries/s, {subscribers} subscribers", "fanout", lambda r: r["deliveriesPerSecond"]),
    ("nodes' CPU per delivery (µs, all nodes)", "fanout", _per_delivery("serverCpuSeconds")),
    (
        "Redis CPU per delivery (µs, whole run incl. 1,000 connects)",
        "fanout",
        _per_delivery("redisCpuSeconds"),
    ),
    ("acked submits/s, 10 judge sockets", "throughput", lambda r: r["perSecond"]),
    ("sequential round trip p50 (ms)", "roundtrip", lambda r: r["p50"]),
]


def table(results: dict[str, dict[str, list[dict[str, Any]]]], names: list[str], subs: int) -> str:
    """Medians per configuration and each column's ratio to the first (1 node)."""
    base = names[0]
    rows = [
        "| figure | " + " | ".join(names) + " | " + " | ".join(f"{n} ÷ {base}" for n in names[1:])
        + " |",
        "|---" * (2 * len(names)) + "|",
    ]  # fmt: skip
    lines: list[tuple[str, dict[str, float | None]]] = []
    for label, scenario, value in FIGURES[:3]:
        lines.append((label, {n: med([value(r) for r in results[n][scenario]]) for n in names}))
    for label, q in (("score → 100 subscribers p50 (ms)", 50), ("… p99 (ms)", 99)):
        lines.append((label, {n: pooled(results[n]["latency"], q) for n in names}))
    for label, scenario, value in FIGURES[3:]:
        lines.append((label, {n: med([value(r) for r in results[n][scenario]]) for n in names}))
    for label, medians in lines:
        ratios = []
        for n in names[1:]:
            a, b = medians[n], medians[base]
            ratios.append("—" if a is None or not b else f"{a / b:.2f}×")
        rows.append(
            f"| {label.format(subscribers=f'{subs:,}')} | "
            + " | ".join(fmt(medians[n]) for n in names)
            + " | "
            + " | ".join(ratios)
            + " |"
        )
    return "\n".join(rows)


def main() -> int:
    """Start the configurations, run the rounds, print and record the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--nodes", type=int, default=3, help="largest cluster measured")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--roundtrips", type=int, default=200)
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    ensure_node_deps()
    load_before = os.getloadavg()
    pg = postgres.server()
    setups: list[Setup] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
            root = Path(tmp)
            for count in range(1, args.nodes + 1):
                setups.append(cluster_setup(count, root, pg))
            setups.append(Setup("single process, SQLite", [python_target("sqlite", root / "s")]))
            names = [s.name for s in setups]
            results = {n: {s: [] for s in SCENARIOS} for n in names}
            for setup in setups:
                setup.start()
                asyncio.run(log_in(setup))
            cells = asyncio.run(cells_of(setups[0].nodes[0].url))
            plan = scenarios(args, cells)
            for round_no in range(args.rounds):
                order = setups if round_no % 2 == 0 else list(reversed(setups))
                for key, scenario in plan.items():
                    for setup in order:
                        result = run(setup, scenario)
                        results[setup.name][key].append(result)
                        shown = {k: v for k, v in result.items() if k != "took"}
                        print(f"round {round_no + 1} {key:10} {setup.name:24} {shown}", flush=True)
            for setup in setups:
                setup.stop()
    finally:
        for setup in setups:
            setup.stop()
        postgres.stop_server()
    load_after = os.getloadavg()
    body = (
        f"The {os.cpu_count()} cores are shared by every node, PostgreSQL, Redis and the load "
        f"generator; load average before {load_before[0]:.2f}, after {load_after[0]:.2f}.\n\n"
        f"Medians of {args.rounds} alternating rounds; {args.seconds:g} s per throughput run, "
        f"{args.latency_seconds:g} s at 10 submits/s for latency; {args.roundtrips} round "
        "trips. Sockets are spread over the nodes (connection i on node i mod N); the "
        "fan-out and latency runs' judge is on node 1, so the other nodes' deliveries "
        "crossed Redis. PostgreSQL runs with `fsync` on.\n\n"
        + table(results, names, args.subscribers)
        + "\n\nThe fan-out run's judge submits as fast as its acks come back, so its "
        "deliveries/s is the write round trip times 1,000: the nodes' CPU per delivery "
        "is the figure that says what delivery costs. On two cores, nodes compete with "
        "each other, PostgreSQL and Redis for the same CPU: a second or third node "
        "cannot add capacity here, and what the columns show is the price of the "
        "cluster (Redis hop, PostgreSQL writes, per-node encoding) rather than its "
        "scale-out. `docs/deployment.md` turns the per-delivery and per-write costs "
        "into an estimate for machines with cores to spare."
    )
    print()
    print(body)
    if not args.no_doc:
        write_section(
            "cluster",
            "Several nodes on PostgreSQL and Redis",
            "python tests/benchmarks/bench_cluster.py",
            body,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
