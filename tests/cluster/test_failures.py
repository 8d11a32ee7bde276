"""Idempotency across nodes, a node killed mid-burst, a restarted node rejoining."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.cluster.conftest import Cluster
from tests.cluster.util import chain_problems, score, sheet, until
from tests.helpers.sio_client import SioClient


async def test_same_client_id_raced_to_two_nodes_is_stored_once(cluster: Cluster) -> None:
    cluster.add("a")
    cluster.add("b")
    on_a = await cluster.connect("a", "judge1")
    on_b = await cluster.connect("b", "judge1", tokens=on_a.tokens)
    category_id, cells = sheet(await on_a.sync())
    for round_ in range(5):
        payload = score(category_id, cells[round_], 4 + round_)
        first, second = await asyncio.gather(
            on_a.call("scores:submit", payload), on_b.call("scores:submit", payload)
        )
        assert first["ok"] and second["ok"], (first, second)
        assert first["data"] == second["data"]  # the second gets the stored result
        rows = cluster.query(
            "SELECT COUNT(*) FROM score_writes WHERE client_id = ?", payload["clientId"]
        )
        assert rows == [(1,)]
    # the same clientId with other content, on the other node: a conflict
    clash = dict(payload, score=1)
    assert (await on_a.error("scores:submit", clash))["code"] == "conflict"


async def test_node_killed_mid_burst_loses_no_acknowledged_score(cluster: Cluster) -> None:
    cluster.add("a")
    cluster.add("b")
    tally = await cluster.connect("a", "tally1")
    judge = await cluster.connect("b", "judge1")
    category_id, cells = sheet(await judge.sync())
    tally_start = (await tally.sync())["seq"]
    burst = [score(category_id, cells[i % len(cells)], i % 10) for i in range(60)]
    acked: dict[str, dict[str, Any]] = {}
    attempts = 0
    reconnects = 0
    current: SioClient = judge

    async def reconnect() -> SioClient:
        nonlocal reconnects
        reconnects += 1
        client = SioClient(tokens=judge.tokens)
        # a console with several server URLs tries them in turn; b is gone, a answers
        await client.connect(cluster.url("a"), {"token": judge.tokens.access, "protocol": 1})
        cluster.clients.append(client)
        return client

    async def send_all() -> None:
        nonlocal attempts, current
        for payload in burst:
            while True:  # the outbox: resend the same clientId until it is acknowledged
                attempts += 1
                try:
                    ack = await current.call("scores:submit", payload, timeout=3)
                except Exception:
                    current = await reconnect()
                    continue
                assert ack["ok"], ack
                acked[payload["clientId"]] = ack["data"]
                break

    async def kill_b() -> None:
        await until(lambda: len(acked) >= 20, within=30)
        await asyncio.to_thread(cluster.nodes["b"].kill)

    killed_at = time.monotonic()
    await asyncio.gather(send_all(), kill_b())
    assert reconnects >= 1
    sent = [p["clientId"] for p in burst]
    assert set(acked) == set(sent)
    stored = dict(
        cluster.query(
            "SELECT client_id, COUNT(*) FROM score_writes WHERE client_id IN "
            f"({','.join('?' * len(sent))}) GROUP BY client_id",
            *sent,
        )
    )
    assert stored == {cid: 1 for cid in sent}  # every acknowledged write exactly once
    # the tally master on the surviving node ends with every cell's last value
    last: dict[tuple[int, int], float] = {}
    for payload in burst:
        last[(payload["contestantId"], payload["criterionId"])] = payload["score"]
    snap = await tally.sync()
    cells_now = {
        (s["contestantId"], s["criterionId"]): s["score"]
        for s in snap["scores"]
        if s["categoryId"] == category_id and s["judgeId"] == judge.user_id
    }
    assert cells_now == last
    breaks = chain_problems(tally, tally_start)  # each one makes a console resync
    gaps = [
        line
        for line in (await cluster.metrics("a")).splitlines()
        if line.startswith("scoring_cluster_gaps_skipped_total")
    ]
    print(
        f"kill mid-burst: {len(burst)} writes, {attempts} attempts, {len(acked)} acked, "
        f"{sum(stored.values())} stored, {reconnects} reconnect(s), "
        f"{time.monotonic() - killed_at:.1f} s; tally chain breaks (resyncs): {len(breaks)}; "
        f"node a: {gaps}"
    )

    # b comes back on the same data dir and Redis and takes part again
    cluster.nodes["b"].restart(timeout=60.0)
    judge2 = await cluster.connect("b", "judge2")
    await judge2.sync()
    stored2 = await judge2.ok("scores:submit", score(category_id, cells[0], 3))
    seen = await tally.events.wait_for("scores:updated", lambda s: s["id"] == stored2["id"])
    assert seen["score"] == 3
    health = await cluster.health("b")
    assert health["node"] == "b" and health["nodes"] == ["a", "b"]
