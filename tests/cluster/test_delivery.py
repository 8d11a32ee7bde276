"""Three nodes, one database, one Redis: what each client sees is what one node gives.

A judge on node a, the tally master on node b and another judge on node c score and
watch at once: masking (a judge gets nothing of another judge's scores), commit order,
an unbroken ``prevSeq`` chain per socket (no resync in the normal case), room moves on
assignment changes made on another node, node ids in ``/socket-health``/``/metrics``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.cluster.conftest import Cluster
from tests.cluster.util import chain_problems, score, sheet, until
from tests.helpers.sio_client import SioClient


@pytest.mark.parametrize("cluster", ["postgresql", "sqlite"], indirect=True)
async def test_three_nodes_deliver_masked_in_order_with_unbroken_chains(cluster: Cluster) -> None:
    for name in ("a", "b", "c"):
        cluster.add(name)
    judge1 = await cluster.connect("a", "judge1")
    tally = await cluster.connect("b", "tally1")
    judge2 = await cluster.connect("c", "judge2")
    snaps = {id(c): await c.sync() for c in (judge1, tally, judge2)}
    category_id, cells = sheet(snaps[id(judge1)])

    async def burst(judge: SioClient, offset: float) -> list[dict[str, Any]]:
        acks = []
        for i, cell in enumerate(cells):
            acks.append(
                await judge.ok("scores:submit", score(category_id, cell, (i + offset) % 10))
            )
        return acks

    acks1, acks2 = await asyncio.gather(burst(judge1, 1), burst(judge2, 2))
    ids1, ids2 = {s["id"] for s in acks1}, {s["id"] for s in acks2}
    every = ids1 | ids2

    def tally_ids() -> set[object]:
        return {s["id"] for s in tally.events.get("scores:updated")}

    assert await until(lambda: every <= tally_ids()), cluster.output()
    # the tally master gets every score whole
    whole = {s["id"]: s["score"] for s in tally.events.get("scores:updated")}
    assert {whole[s["id"]] for s in acks1 + acks2} == {s["score"] for s in acks1 + acks2}
    assert all(whole[s["id"]] == s["score"] for s in acks1 + acks2)
    # each judge: its own scores, nothing of the other judge's (not even masked)
    for judge, own, other in ((judge1, ids1, ids2), (judge2, ids2, ids1)):
        got = {s["id"] for s in judge.events.get("scores:updated")}
        assert own <= got
        assert not got & other
        assert all(s["judgeId"] == judge.user_id for s in judge.events.get("scores:updated"))
    # commit order and prevSeq chains, socket by socket, across three nodes
    await asyncio.sleep(0.3)  # let presence or late frames land before checking chains
    for client in (judge1, tally, judge2):
        assert chain_problems(client, snaps[id(client)]["seq"]) == [], cluster.output()
    # node ids
    for name in ("a", "b", "c"):
        health = await cluster.health(name)
        assert health["node"] == name
        assert health["nodes"] == ["a", "b", "c"]
    metrics_b = await cluster.metrics("b")
    assert 'scoring_node_info{node="b"} 1.0' in metrics_b
    remote = [
        line
        for line in metrics_b.splitlines()
        if line.startswith("scoring_cluster_remote_ranges_total")
    ]
    assert remote and float(remote[0].split()[-1]) >= len(cells), remote
    assert 'scoring_cluster_gaps_skipped_total{node="b"} 0.0' in metrics_b
    backend = "postgresql" if cluster.database_url else "sqlite"
    print(
        f"3 nodes ({backend}): {len(every)} scores from 2 judges; "
        f"tally got {len(tally_ids())}; "
        f"chains unbroken; node b: {remote[0]}"
    )


async def test_assignment_made_on_one_node_moves_rooms_on_another(cluster: Cluster) -> None:
    for name in ("a", "b", "c"):
        cluster.add(name)
    organizer = await cluster.connect("a", "organizer1")
    tally = await cluster.connect("b", "tally1")
    judge2 = await cluster.connect("c", "judge2")
    org_snap = await organizer.sync()
    judge_cats = {c["id"] for c in (await judge2.sync())["categories"]}
    other = sorted(
        (c for c in org_snap["categories"] if c["id"] not in judge_cats), key=lambda c: c["id"]
    )[0]
    start = (await tally.sync())["seq"]
    for user in (tally, judge2):
        await organizer.ok(
            "assignment:created", {"userId": user.user_id, "categoryId": other["id"]}
        )
    await tally.events.wait_for("assignment:new", lambda a: a["categoryId"] == other["id"])
    await judge2.events.wait_for("assignment:new", lambda a: a["categoryId"] == other["id"])
    cell = (other["contestantIds"][0], other["criteria"][0]["id"])
    # no reconnect, no sync: the sockets on b and c joined the category's rooms
    stored = await judge2.ok("scores:submit", score(other["id"], cell, 7))
    seen = await tally.events.wait_for("scores:updated", lambda s: s["id"] == stored["id"])
    assert seen["score"] == 7
    assert chain_problems(tally, start) == []
