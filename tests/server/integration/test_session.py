"""Session-level behaviour: token expiry during a session, health and metrics."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from tests.helpers.sio_client import (
    SioClient,
    access_claims,
    forge_token,
    new_client_id,
    signing_key,
)
from tests.server.integration.conftest import Live


async def test_expired_access_token_mid_session_gets_unauthenticated(live: Live) -> None:
    layout = await live.layout()
    tokens = await live.login("judge1")
    key = signing_key(live.data_dir, tokens.access)
    now = int(time.time())
    short = forge_token(key, access_claims(tokens.user, iat=now, exp=now + 3))
    client = SioClient(tokens=tokens)
    await client.connect(live.url, {"token": short})
    live.clients.append(client)
    cell = layout.cat1.cells[0]
    payload = {
        "clientId": new_client_id(),
        "categoryId": layout.cat1.id,
        "contestantId": cell[0],
        "criterionId": cell[1],
        "score": 3,
    }
    await client.ok("scores:submit", payload)
    # The condition is the passage of time itself: wait until the token's exp is past.
    await asyncio.sleep(max(0.0, now + 4.2 - time.time()))
    err = await client.error("scores:submit", dict(payload, clientId=new_client_id()))
    assert err["code"] == "unauthenticated", err
    # a fresh token on a new connection works again
    fresh = await live.connect("judge1", fresh_login=True)
    await fresh.ok("scores:submit", dict(payload, clientId=new_client_id()))


async def test_health_and_metrics(live: Live) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(live.url + "/socket-health") as resp:
            assert resp.status == 200
            before = await resp.json()
        assert before["status"] == "ok"
        assert isinstance(before["uptime"], int | float) and before["uptime"] >= 0
        clients = [await live.connect(name) for name in ("judge1", "tally1", "admin")]
        async with session.get(live.url + "/socket-health") as resp:
            during = await resp.json()
        assert during["connectedClients"] == before["connectedClients"] + len(clients)
        await clients[0].sync()
        async with session.get(live.url + "/metrics") as resp:
            assert resp.status == 200
            text = await resp.text()
        assert "# TYPE" in text and "sync" in text, text[:500]
        for client in clients:
            await client.close()
        # the server notices the disconnects asynchronously: poll the health endpoint
        deadline = time.monotonic() + 5
        while True:
            async with session.get(live.url + "/socket-health") as resp:
                after = await resp.json()
            if after["connectedClients"] == before["connectedClients"] or (
                time.monotonic() > deadline
            ):
                break
            await asyncio.sleep(0.02)
        assert after["connectedClients"] == before["connectedClients"], after


async def test_presence_goes_offline_on_disconnect(live: Live) -> None:
    tally = await live.connect("tally1")
    judge = await live.connect("judge2")
    await tally.events.wait_for(
        "presence:updated", lambda p: p["userId"] == judge.user_id and p["online"] is True
    )
    await judge.close()
    gone = await tally.events.wait_for(
        "presence:updated", lambda p: p["userId"] == judge.user_id and p["online"] is False
    )
    assert gone["lastSeen"] is not None
    snap = await tally.sync()
    assert [p["online"] for p in snap["presence"] if p["userId"] == judge.user_id] == [False]
