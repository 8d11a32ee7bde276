"""A range that never reaches the bus (its node died between COMMIT and PUBLISH), and a
node that dies with sockets: its users stop counting as online."""

from __future__ import annotations

import asyncio
import time

from tests.cluster.conftest import Cluster
from tests.cluster.util import score, sheet


async def test_a_lost_range_is_skipped_and_the_sockets_resync(cluster: Cluster) -> None:
    cluster.add("a", "--log-level", "warning")
    cluster.add("b", "--log-level", "warning")
    judge = await cluster.connect("a", "judge1")
    tally = await cluster.connect("b", "tally1")
    category_id, cells = sheet(await judge.sync())
    await judge.ok("scores:submit", score(category_id, cells[0], 1))
    await tally.events.wait_count("scores:updated", 1)
    last_seen = max(p["seq"] for _, p in tally.events.ordered if isinstance(p, dict))
    # a node committed seq last_seen + 1 and died before publishing it
    cluster.query("UPDATE meta SET value = value + 1 WHERE key = 'seq'")
    started = time.monotonic()
    stored = await judge.ok("scores:submit", score(category_id, cells[1], 2))
    waited = time.monotonic() - started
    assert stored["seq"] == last_seen + 2
    seen = await tally.events.wait_for("scores:updated", lambda s: s["id"] == stored["id"])
    # the tally master's chain shows the gap: its client syncs (client/sync.py)
    assert seen["prevSeq"] != last_seen
    assert seen["prevSeq"] == last_seen + 1
    # the judge's own chain shows it too, and its ack waited for the gap timeout
    own = judge.events.get("scores:updated")[-1]
    assert own["seq"] == stored["seq"] and own["prevSeq"] == last_seen + 1
    assert waited >= 1.5
    for name in ("a", "b"):
        text = await cluster.metrics(name)
        assert f'scoring_cluster_gaps_skipped_total{{node="{name}"}} 1.0' in text
    # after a sync the chain goes on unbroken
    resynced = (await tally.sync())["seq"]
    after = await judge.ok("scores:submit", score(category_id, cells[2], 3))
    event = await tally.events.wait_for("scores:updated", lambda s: s["id"] == after["id"])
    assert event["prevSeq"] == resynced
    print(
        f"lost range: skipped after {waited:.1f} s; tally prevSeq {seen['prevSeq']} != {last_seen}"
    )


async def test_a_dead_nodes_sockets_stop_counting(cluster: Cluster) -> None:
    cluster.add("a")
    cluster.add("b")
    tally = await cluster.connect("a", "tally1")
    await cluster.connect("b", "judge5")

    def judge5(presence: list[dict[str, object]]) -> dict[str, object]:
        return next(p for p in presence if p["username"] == "judge5")

    assert judge5((await tally.sync())["presence"])["online"] is True
    start = (await tally.sync())["seq"]
    await asyncio.to_thread(cluster.nodes["b"].kill)
    killed = time.monotonic()
    # a surviving node notices the dead one's expired beat and tells the tally master
    offline = await tally.events.wait_for(
        "presence:updated", lambda p: p["username"] == "judge5" and not p["online"], timeout=20
    )
    took = time.monotonic() - killed
    assert offline["prevSeq"] == start
    assert judge5((await tally.sync())["presence"])["online"] is False
    health = await cluster.health("a")
    assert health["nodes"] == ["a"]
    print(f"dead node: the tally master heard its judge went offline after {took:.1f} s")
