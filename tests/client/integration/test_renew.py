"""In-session token renewal: a refreshed access token reaches the live socket with
``auth:renew``, so a long session with short tokens keeps ONE connection; when the
server refuses the renewal the core falls back to a quiet reconnect."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from scoring_console.client.connection import ConnectionStatus
from scoring_console.protocol import ErrorCode
from scoring_console.server.handlers import CallRefused
from scoring_console.server.rooms import Connection
from tests.client.integration.conftest import (
    judge_cells,
    judge_scores,
    online_core,
    wait_until,
)

TTL = 3  # seconds: the session below outlives several access tokens
WINDOW = 8.0


def count_connects(server: Any) -> list[Connection]:
    """Every connection the server accepts from now on (its index is told of each)."""
    index = server.parts.index
    accepted: list[Connection] = []
    add = index.add

    def recording_add(connection: Connection) -> None:
        accepted.append(connection)
        add(connection)

    index.add = recording_add
    return accepted


async def submit_for(core: Any, cells: list[Any], seconds: float) -> dict[Any, float]:
    """Submit a score every 0.4 s for ``seconds``; returns the last value per cell."""
    latest: dict[Any, float] = {}
    started = time.monotonic()
    n = 0
    while time.monotonic() - started < seconds:
        cell = cells[n % len(cells)]
        value = float(1 + n % 9)
        await core.submit_score(*cell, value)
        latest[cell] = value
        n += 1
        await asyncio.sleep(0.4)
    return latest


async def test_short_tokens_are_renewed_on_one_connection(
    server_factory: Any, core_factory: Any
) -> None:
    server = await server_factory(access_token_ttl=TTL)
    judge_id, cells = await judge_cells(server.url)
    accepted = count_connects(server)
    core = await online_core(core_factory, server.url)
    statuses: list[ConnectionStatus] = []
    core.connection_changed.connect(lambda s: statuses.append(s.status))
    assert [c.actor.user_id for c in accepted] == [judge_id]
    (sid,) = server.parts.index.sids_of(judge_id)
    first_expiry = server.parts.index.get(sid).token_expires_at

    latest = await submit_for(core, cells, WINDOW)
    await wait_until(lambda: core.pending_count() == 0, 15, "every score synced")

    # the window spans several token lifetimes...
    assert core.link.renew_count >= 3, core.link.renew_count
    assert server.parts.index.get(sid).token_expires_at >= first_expiry + 2 * TTL - 1
    # ...and yet there was one connection, one sync, no status change
    assert len(accepted) == 1, [c.sid for c in accepted]
    assert server.parts.index.sids_of(judge_id) == (sid,)
    assert core.sync.sync_count == 1
    assert statuses == []
    assert core.connection.connected
    assert all(e.state.value == "synced" for e in core.outbox_entries())
    scores = await judge_scores(server.url, judge_id)
    on_server = {(s.category_id, s.contestant_id, s.criterion_id): s.score for s in scores}
    assert on_server == latest


async def test_a_refused_renewal_falls_back_to_a_reconnect(
    server_factory: Any, core_factory: Any
) -> None:
    server = await server_factory(access_token_ttl=TTL)
    judge_id, cells = await judge_cells(server.url)
    handlers = server.parts.handlers
    refused: list[str] = []

    def refuse(connection: Connection, token: str) -> Any:
        refused.append(connection.sid)
        raise CallRefused(ErrorCode.UNAUTHENTICATED, "renewal refused by the test")

    handlers._renew = refuse
    accepted = count_connects(server)
    core = await online_core(core_factory, server.url)
    statuses: list[ConnectionStatus] = []
    core.connection_changed.connect(lambda s: statuses.append(s.status))

    latest = await submit_for(core, cells, TTL + 1.0)
    await wait_until(lambda: len(accepted) >= 2, 10, "a reconnect after the refused renewal")
    await wait_until(lambda: core.pending_count() == 0, 15, "every score synced")
    await wait_until(lambda: core.connection.connected, 10, "connected at the end")

    assert refused, "the core never tried auth:renew"
    assert core.link.renew_count == 0
    assert core.sync.sync_count >= 2  # each reconnect resyncs
    assert ConnectionStatus.AUTH_FAILED not in statuses
    assert all(e.state.value == "synced" for e in core.outbox_entries())
    scores = await judge_scores(server.url, judge_id)
    on_server = {(s.category_id, s.contestant_id, s.criterion_id): s.score for s in scores}
    assert on_server == latest
