"""Sessions end with their credentials (issue 12, item 1).

A socket whose access token expired longer ago than the renew grace gets no further
events and is closed (at delivery time and by the periodic sweep); deactivating a user
closes every socket of theirs at once and revokes their refresh tokens.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import jwt
import pytest_asyncio

from tests.helpers.sio_client import SioClient, Tokens, login, post_json
from tests.server.integration.conftest import Live, start_live
from tests.server.integration.util import submit

TTL = 2
GRACE = 1


def exp_of(token: str) -> int:
    return int(jwt.decode(token, options={"verify_signature": False})["exp"])


async def wait_past(moment: float, extra: float = 0.2) -> None:
    await asyncio.sleep(max(0.0, moment + extra - time.time()))


async def wait_closed(client: SioClient, within: float) -> float:
    """Seconds until the server closed ``client``; fails after ``within``."""
    started = time.monotonic()
    await asyncio.wait_for(client.disconnected.wait(), within)
    return time.monotonic() - started


async def connected(live: Live, tokens: Tokens) -> SioClient:
    client = SioClient(tokens=tokens)
    await client.connect(live.url, {"token": tokens.access, "protocol": 1})
    live.clients.append(client)
    return client


async def short_server(tmp_path: Path, sweep: float) -> Live:
    return await start_live(
        tmp_path / "server",
        access_token_ttl=TTL,
        token_renew_grace=GRACE,
        session_sweep_interval=sweep,
    )


@pytest_asyncio.fixture
async def no_sweep(tmp_path: Path) -> AsyncIterator[Live]:
    """Short tokens and a sweep too slow to matter: only delivery-time checks act."""
    server = await short_server(tmp_path, sweep=600)
    try:
        yield server
    finally:
        await server.close()
        await server.running.stop()


@pytest_asyncio.fixture
async def sweeping(tmp_path: Path) -> AsyncIterator[Live]:
    """Short tokens and a sweep every 0.3 s."""
    server = await short_server(tmp_path, sweep=0.3)
    try:
        yield server
    finally:
        await server.close()
        await server.running.stop()


async def test_an_expired_socket_gets_no_events_and_is_closed_at_delivery(
    no_sweep: Live,
) -> None:
    cat1 = (await no_sweep.layout()).cat1
    tally_tokens = await login(no_sweep.url, "tally1")
    tally = await connected(no_sweep, tally_tokens)
    await wait_past(exp_of(tally_tokens.access) + GRACE)
    assert tally.connected, "nothing should have closed it before a delivery"

    judge = await connected(no_sweep, await login(no_sweep.url, "judge1"))
    stored = await judge.ok("scores:submit", submit(cat1, cat1.cells[0], 7))
    await wait_closed(tally, within=5)
    assert not [s for s in tally.events.get("scores:updated") if s["id"] == stored["id"]], (
        "a socket past its token's grace received a live score"
    )


async def test_the_sweep_closes_an_idle_expired_socket(sweeping: Live) -> None:
    tokens = await login(sweeping.url, "tally1")
    tally = await connected(sweeping, tokens)
    await wait_past(exp_of(tokens.access))
    assert tally.connected, "closed before the renew grace ran out"
    await wait_past(exp_of(tokens.access) + GRACE, extra=0)
    waited = await wait_closed(tally, within=4)
    assert waited < 4


async def test_deactivation_closes_every_socket_and_revokes_refresh_tokens(
    no_sweep: Live,
) -> None:
    cat1 = (await no_sweep.layout()).cat1
    tokens = await login(no_sweep.url, "judge2")
    first = await connected(no_sweep, tokens)
    second = await connected(no_sweep, tokens)
    other = await connected(no_sweep, await login(no_sweep.url, "judge1"))

    running = no_sweep.running
    outcome = running.service.set_user_active(tokens.user_id, False)
    started = time.monotonic()
    await running.parts.deliverer.deliver(outcome.effects)
    await wait_closed(first, within=3)
    await wait_closed(second, within=3)
    assert time.monotonic() - started < 3
    assert running.parts.index.count_of(tokens.user_id) == 0

    status, body = await post_json(
        no_sweep.url, "/api/auth/refresh", {"refreshToken": tokens.refresh}
    )
    assert status == 401, body
    # another user's session is untouched and still hears of new scores
    assert other.connected
    await other.ok("scores:submit", submit(cat1, cat1.cells[0], 5))
