"""Server crash mid-burst (SIGKILL) and a network cut without a close (blackhole)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from scoring_console.client.connection import ConnectionStatus
from scoring_console.store.outbox import EntryState
from tests.client.integration.conftest import (
    FAST_SEAMS,
    Cell,
    OutboxWatch,
    judge_cells,
    judge_scores,
    online_core,
    wait_until,
)
from tests.helpers.server_process import ServerProcess
from tests.helpers.tcp_proxy import TcpProxy


def value_for(round_no: int, index: int) -> float:
    """A distinct, valid score (0..10) per round and cell."""
    return float(index % 9) + 0.25 * (round_no + 1)


async def test_server_killed_mid_burst_every_score_lands_exactly_once(
    server_process: ServerProcess, core_factory: Any
) -> None:
    url = server_process.url
    judge_id, cells = await judge_cells(url)
    core = await online_core(core_factory, url)
    rounds = 2
    plan: list[tuple[Cell, float]] = [
        (cell, value_for(r, i)) for r in range(rounds) for i, cell in enumerate(cells)
    ]
    watch = OutboxWatch(core)
    synced, rejected = watch.synced, watch.rejected

    killed = asyncio.Event()

    async def burst() -> None:
        for n, ((category, contestant, criterion), value) in enumerate(plan):
            if n == len(plan) // 2:
                await killed.wait()  # however slow the machine: the crash hits mid-burst
            await core.submit_score(category, contestant, criterion, value)
            await asyncio.sleep(0.02)

    task = asyncio.create_task(burst())
    await wait_until(lambda: len(synced) >= 8, 15, "first scores synced before the crash")
    await asyncio.to_thread(server_process.kill)
    killed.set()
    assert not task.done()
    await wait_until(lambda: not core.connection.connected, 10, "client noticed the crash")
    await task
    assert core.pending_count() > 0
    await asyncio.to_thread(server_process.restart)
    await wait_until(lambda: core.pending_count() == 0, 40, "outbox drained after restart")

    assert rejected == []
    assert all(e.state is not EntryState.REJECTED for e in core.outbox_entries())
    scores = await judge_scores(url, judge_id)
    assert len(scores) == len(cells)
    by_cell = {(s.category_id, s.contestant_id, s.criterion_id): s for s in scores}
    for index, cell in enumerate(cells):
        stored = by_cell[cell]
        assert stored.score == value_for(rounds - 1, index), cell
        # one version per round: nothing applied twice, nothing lost, order kept
        assert stored.version == rounds, (cell, stored.version)


async def test_blackholed_link_is_noticed_within_heartbeat_and_replayed(
    server: Any, core_factory: Any
) -> None:
    proxy = TcpProxy(server.port)
    await proxy.start()
    try:
        judge_id, cells = await judge_cells(server.url)
        core = await online_core(core_factory, proxy.url)
        first = await core.submit_score(*cells[0], 5.0)
        await wait_until(
            lambda: any(
                e.id == first.id and e.state is EntryState.SYNCED for e in core.outbox_entries()
            ),
            10,
            "first score synced",
        )
        statuses: list[ConnectionStatus] = []
        core.connection_changed.connect(lambda s: statuses.append(s.status))

        proxy.blackhole()
        cut_at = time.monotonic()
        await wait_until(
            lambda: core.connection.status is not ConnectionStatus.CONNECTED,
            10,
            "client left CONNECTED after the cut",
        )
        noticed = time.monotonic() - cut_at
        window = FAST_SEAMS["heartbeat_interval"] + FAST_SEAMS["heartbeat_timeout"]
        assert noticed <= window + 1.5, f"noticed after {noticed:.2f} s (window {window} s)"
        assert proxy.active_connections >= 1  # nothing was closed: a silent cut

        queued = [await core.submit_score(*cell, 7.0) for cell in cells[1:6]]
        await asyncio.sleep(0.5)
        assert core.pending_count() == len(queued)
        assert len(await judge_scores(server.url, judge_id)) == 1

        proxy.heal()
        await wait_until(lambda: core.pending_count() == 0, 20, "queued scores replayed")
        assert core.connection.connected
        assert ConnectionStatus.RECONNECTING in statuses
        scores = await judge_scores(server.url, judge_id)
        values = {(s.category_id, s.contestant_id, s.criterion_id): s.score for s in scores}
        assert values == {cells[0]: 5.0, **{cell: 7.0 for cell in cells[1:6]}}
        assert all(s.version == 1 for s in scores)
    finally:
        await proxy.aclose()
