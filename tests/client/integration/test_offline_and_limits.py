"""Offline start from the cached snapshot, rejected entries across restarts, and an
outbox of several hundred entries under the default rate limit."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
import socketio

from scoring_console.client.connection import ConnectionStatus
from scoring_console.client.errors import ServerUnreachable
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.protocol import PROTOCOL_VERSION, ClientEvent
from scoring_console.store.outbox import EntryState, OutboxEntry
from tests.client.integration.conftest import (
    DEMO_PASSWORD,
    Cell,
    judge_cells,
    judge_scores,
    login_tokens,
    online_core,
    wait_until,
)
from tests.helpers.server_process import ServerProcess


def value_for(round_no: int, index: int) -> float:
    return float((index + round_no) % 10) + 0.5 * (round_no % 2)


async def test_offline_start_from_cache_queues_and_sends_when_server_returns(
    server_process: ServerProcess, core_factory: Any, tmp_path: Path
) -> None:
    url = server_process.url
    judge_id, cells = await judge_cells(url)
    keyring = MemoryKeyring()  # shared: the second core finds the stored refresh token
    data_dir = tmp_path / "profile"
    first = await online_core(core_factory, url, keyring=keyring, data_dir=data_dir)
    categories = {cid: c.name for cid, c in first.state.categories.items()}
    assert categories
    await first.stop()
    await asyncio.to_thread(server_process.kill)

    core = core_factory(url, keyring=keyring, data_dir=data_dir)
    with pytest.raises(ServerUnreachable):
        await core.resume()
    assert core.open_offline()
    assert {cid: c.name for cid, c in core.state.categories.items()} == categories
    assert core.state.user is not None and core.state.user.username == "judge1"
    await core.start()
    queued = [await core.submit_score(*cell, 8.0) for cell in cells[:4]]
    await wait_until(
        lambda: core.connection.status is ConnectionStatus.RECONNECTING, 10, "reconnecting"
    )
    assert core.pending_count() == len(queued)

    await asyncio.to_thread(server_process.restart)
    await wait_until(lambda: core.pending_count() == 0, 20, "queued scores sent")
    scores = await judge_scores(url, judge_id)
    got = {(s.category_id, s.contestant_id, s.criterion_id): s.score for s in scores}
    assert got == dict.fromkeys(cells[:4], 8.0)


async def test_rejected_entries_survive_a_client_restart(
    server: Any, core_factory: Any, tmp_path: Path
) -> None:
    judge_id, cells = await judge_cells(server.url)
    data_dir = tmp_path / "profile"
    core = await online_core(core_factory, server.url, data_dir=data_dir)
    bad = await core.submit_score(*cells[0], 50.0)  # above the criterion's maxScore of 10
    good = await core.submit_score(*cells[1], 9.0)
    await wait_until(lambda: core.pending_count() == 0, 10, "both answered")
    states = {e.id: e for e in core.outbox_entries()}
    assert states[good.id].state is EntryState.SYNCED
    rejected = states[bad.id]
    assert rejected.state is EntryState.REJECTED
    assert rejected.error_code and rejected.error_message
    await core.stop()

    again = core_factory(server.url, data_dir=data_dir)
    kept = {e.id: e for e in again.outbox_entries()}
    assert kept[bad.id].state is EntryState.REJECTED
    assert (kept[bad.id].error_code, kept[bad.id].error_message) == (
        rejected.error_code,
        rejected.error_message,
    )
    assert kept[bad.id].describe().startswith("rejected: ")
    assert again.pending_count() == 0

    await again.login(DEMO_PASSWORD)
    await again.start()
    assert await again.wait_connected(10)
    assert await again.flush(3)
    # still rejected, never resent, and the server has only the good score
    assert {e.id: e.state for e in again.outbox_entries()}[bad.id] is EntryState.REJECTED
    scores = await judge_scores(server.url, judge_id)
    assert [(s.criterion_id, s.score) for s in scores] == [(cells[1][2], 9.0)]
    assert again.dismiss(bad.id)
    assert bad.id not in {e.id for e in again.outbox_entries()}


async def _exhaust_write_bucket(url: str, username: str, cell: Cell) -> int:
    """Spend the user's whole write budget from another connection; returns writes made."""
    tokens = await login_tokens(url, username)
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(
        url, auth={"token": tokens.access_token, "protocol": PROTOCOL_VERSION}, wait_timeout=10
    )
    try:
        for made in range(200):
            payload = {
                "clientId": str(uuid.uuid4()),
                "categoryId": cell[0],
                "contestantId": cell[1],
                "criterionId": cell[2],
                "score": 1.0,
            }
            ack = await sio.call(str(ClientEvent.SCORES_SUBMIT), payload, timeout=10)
            if not ack["ok"]:
                assert ack["error"]["code"] == "rate_limited", ack
                return made
    finally:
        await sio.disconnect()
    raise AssertionError("the rate limit never kicked in")


async def test_several_hundred_entries_drain_under_the_default_rate_limit(
    server_factory: Any, core_factory: Any
) -> None:
    server = await server_factory()
    assert server.config.rate_limit_per_minute == 60
    judge_id, cells = await judge_cells(server.url)
    spare, cells = cells[-1], cells[:-1]
    rounds = 8
    core = core_factory(server.url)
    for round_no in range(rounds):
        for index, cell in enumerate(cells):
            await core.submit_score(*cell, value_for(round_no, index))
    total = rounds * len(cells)
    assert total >= 250
    assert core.pending_count() == total

    # start with an empty bucket, so the sender must meet rate_limited and wait it out
    assert await _exhaust_write_bucket(server.url, "judge1", spare) >= 60
    limited: list[OutboxEntry] = []
    core.outbox_changed.connect(
        lambda e: limited.append(e) if e.error_code == "rate_limited" else None
    )
    await core.login(DEMO_PASSWORD)
    await core.start()
    await wait_until(lambda: core.pending_count() == 0, 60, f"{total} entries drained")

    assert limited, "the sender never saw rate_limited: the test did not exercise the limit"
    assert all(e.state is EntryState.SYNCED for e in core.outbox_entries())
    scores = {
        (s.category_id, s.contestant_id, s.criterion_id): s
        for s in await judge_scores(server.url, judge_id)
    }
    for index, cell in enumerate(cells):
        assert scores[cell].score == value_for(rounds - 1, index)
        assert scores[cell].version == rounds, (cell, scores[cell].version)
