"""The real client core on a cluster: a judge's console lists two nodes, the tally
master's console is on a third; the judge's node is killed mid-burst.

The judge's core moves to the other node by itself and drains its outbox; every score
is stored exactly once; the tally master's console — which never lost its node — ends
with every score and needed no ``prevSeq`` resync while the live events came from two
other nodes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.client.integration.conftest import (  # noqa: F401 - core_factory is a fixture
    OutboxWatch,
    core_factory,
    judge_cells,
    judge_scores,
    online_core,
    wait_until,
)
from tests.cluster.conftest import Cluster


async def test_judge_console_fails_over_and_the_tally_console_sees_every_score(
    cluster: Cluster,
    core_factory: Any,  # noqa: F811
) -> None:
    for name in ("a", "b", "c"):
        cluster.add(name)
    judge_id, cells = await judge_cells(cluster.url("b"))
    judge = await online_core(core_factory, [cluster.url("b"), cluster.url("c")], "judge1")
    tally = await online_core(core_factory, [cluster.url("a")], "tally1")
    assert judge.connection.server == cluster.url("b")
    syncs_before = tally.sync.sync_count
    watch = OutboxWatch(judge)
    synced, rejected = watch.synced, watch.rejected
    killed = asyncio.Event()
    plan = [(cell, float(i % 9) + 0.5) for i, cell in enumerate(cells)]

    async def burst() -> None:
        for n, ((category, contestant, criterion), value) in enumerate(plan):
            if n == len(plan) // 2:
                await killed.wait()
            await judge.submit_score(category, contestant, criterion, value)
            await asyncio.sleep(0.02)

    task = asyncio.create_task(burst())
    await wait_until(lambda: len(synced) >= 4, 20, "first scores synced on node b")
    acked_before_kill = len(synced)
    await asyncio.to_thread(cluster.nodes["b"].kill)
    killed.set()
    await task
    await wait_until(lambda: judge.pending_count() == 0, 40, "outbox drained on node c")
    assert judge.connection.server == cluster.url("c")
    assert rejected == []

    scores = await judge_scores(cluster.url("a"), judge_id)
    by_cell = {(s.category_id, s.contestant_id, s.criterion_id): s for s in scores}
    assert len(scores) == len(cells)
    for cell, value in plan:
        assert by_cell[cell].score == value and by_cell[cell].version == 1, cell

    def tally_has_all() -> bool:
        live = {
            (s.category_id, s.contestant_id, s.criterion_id): s.score
            for category_id in {c[0] for c in cells}
            for s in tally.state.scores_in(category_id)
            if s.judge_id == judge_id
        }
        return live == {cell: value for cell, value in plan}

    await wait_until(tally_has_all, 20, "every score on the tally master's console")
    resyncs = tally.sync.sync_count - syncs_before
    print(
        f"consoles on 3 nodes: {len(plan)} scores, {acked_before_kill} acked before the kill, "
        f"all {len(scores)} stored once; tally console resyncs: {resyncs}"
    )
    assert resyncs == 0
