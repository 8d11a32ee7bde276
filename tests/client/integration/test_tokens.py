"""Short-lived access tokens: refresh during a long session and on reconnect; a
deactivated user ends in AUTH_FAILED without a retry storm."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from scoring_console.client.connection import ConnectionStatus
from tests.client.integration.conftest import (
    judge_cells,
    judge_scores,
    online_core,
    wait_until,
)
from tests.helpers.tcp_proxy import TcpProxy

TTL = 2  # seconds: several access tokens expire within one test


async def test_long_session_outlives_several_access_tokens(
    server_factory: Any, core_factory: Any
) -> None:
    server = await server_factory(access_token_ttl=TTL)
    judge_id, cells = await judge_cells(server.url)
    core = await online_core(core_factory, server.url)
    statuses: list[ConnectionStatus] = []
    core.connection_changed.connect(lambda s: statuses.append(s.status))

    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < 3 * TTL:
        await core.submit_score(*cells[sent], 4.0)
        sent += 1
        await asyncio.sleep(0.4)
    await wait_until(lambda: core.pending_count() == 0, 15, "every score synced")
    await wait_until(lambda: core.connection.connected, 10, "connected at the end")

    assert ConnectionStatus.AUTH_FAILED not in statuses
    assert all(e.error_code is None or e.state.value == "synced" for e in core.outbox_entries())
    scores = await judge_scores(server.url, judge_id)
    assert {(s.category_id, s.contestant_id, s.criterion_id) for s in scores} == set(cells[:sent])


async def test_reconnect_after_the_access_token_expired_offline(
    server_factory: Any, core_factory: Any
) -> None:
    server = await server_factory(access_token_ttl=TTL)
    proxy = TcpProxy(server.port)
    await proxy.start()
    try:
        judge_id, cells = await judge_cells(server.url)
        core = await online_core(core_factory, proxy.url)
        statuses: list[ConnectionStatus] = []
        core.connection_changed.connect(lambda s: statuses.append(s.status))

        proxy.blackhole()
        proxy.sever()  # the server goes away; every new attempt hangs in the void
        await wait_until(lambda: not core.connection.connected, 10, "client noticed")
        entry = await core.submit_score(*cells[0], 6.5)
        await asyncio.sleep(TTL + 1.0)  # the access token the client holds has expired
        proxy.heal()

        await wait_until(lambda: core.pending_count() == 0, 20, "queued score sent after heal")
        assert core.connection.connected
        assert ConnectionStatus.AUTH_FAILED not in statuses
        synced = [e for e in core.outbox_entries() if e.id == entry.id]
        assert [e.state.value for e in synced] == ["synced"]
        scores = await judge_scores(server.url, judge_id)
        assert [(s.score, s.version) for s in scores] == [(6.5, 1)]
    finally:
        await proxy.aclose()


async def _assert_no_retry_storm(core: Any, proxy: TcpProxy, seconds: float = 3.0) -> None:
    before = proxy.connections_total
    await asyncio.sleep(seconds)
    assert core.connection.status is ConnectionStatus.AUTH_FAILED
    assert proxy.connections_total - before <= 1, (
        f"{proxy.connections_total - before} connection attempts in {seconds} s after auth_failed"
    )


async def test_deactivated_user_connected_and_idle_gets_auth_failed(
    server_factory: Any, core_factory: Any
) -> None:
    server = await server_factory(access_token_ttl=TTL)
    proxy = TcpProxy(server.port)
    await proxy.start()
    try:
        core = await online_core(core_factory, proxy.url, "judge2")
        user = server.service.get_user_by_username("judge2")
        server.service.set_user_active(user.id, False)

        await wait_until(
            lambda: core.connection.status is ConnectionStatus.AUTH_FAILED,
            TTL + 8,
            "AUTH_FAILED for a deactivated user (heartbeat acks say unauthenticated)",
        )
        assert core.connection.reason
        await _assert_no_retry_storm(core, proxy)
    finally:
        await proxy.aclose()


async def test_deactivated_user_reconnecting_gets_auth_failed_and_keeps_its_outbox(
    server_factory: Any, core_factory: Any
) -> None:
    server = await server_factory(access_token_ttl=TTL)
    proxy = TcpProxy(server.port)
    await proxy.start()
    try:
        _, cells = await judge_cells(server.url, "judge2")
        core = await online_core(core_factory, proxy.url, "judge2")
        user = server.service.get_user_by_username("judge2")
        server.service.set_user_active(user.id, False)
        entry = await core.submit_score(*cells[0], 3.0)
        proxy.sever()  # the link drops: the reconnect meets the revoked account

        await wait_until(
            lambda: core.connection.status is ConnectionStatus.AUTH_FAILED,
            15,
            "AUTH_FAILED on reconnect for a deactivated user",
        )
        await _assert_no_retry_storm(core, proxy)
        # the score is neither lost nor marked rejected: it waits for a new login
        kept = [e for e in core.outbox_entries() if e.id == entry.id]
        assert len(kept) == 1 and kept[0].is_pending
    finally:
        await proxy.aclose()
