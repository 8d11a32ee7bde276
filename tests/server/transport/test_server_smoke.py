"""A real in-process server on an ephemeral port, driven by real clients.

Covers the transport's own behaviour (REST edge, handshake, dispatcher pipeline,
per-socket ``prevSeq`` chaining, metrics); the domain rules are tested black-box in
``tests/server/integration``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest_asyncio

from scoring_console.protocol.entities import Snapshot
from scoring_console.protocol.errors import AUTH_MISSING_MESSAGE, INVALID_EVENT_MESSAGE
from scoring_console.protocol.version import PROTOCOL_VERSION
from scoring_console.server.app import RunningServer, start_server
from scoring_console.server.config import ServerConfig
from tests.helpers.sio_client import SioClient, connect_user, post_json, try_connect


@pytest_asyncio.fixture
async def running(tmp_path: Path) -> AsyncIterator[RunningServer]:
    server = await start_server(
        ServerConfig(host="127.0.0.1", port=0, data_dir=tmp_path / "srv", demo=True)
    )
    try:
        yield server
    finally:
        await server.stop()


@pytest_asyncio.fixture
async def clients() -> AsyncIterator[list[SioClient]]:
    opened: list[SioClient] = []
    try:
        yield opened
    finally:
        for client in opened:
            await client.close()


async def _connect(running: RunningServer, clients: list[SioClient], username: str) -> SioClient:
    client = await connect_user(running.url, username)
    clients.append(client)
    return client


async def _get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), await resp.text()


def _first_cell(snapshot: dict[str, Any]) -> tuple[int, int, int]:
    category = snapshot["categories"][0]
    return category["id"], category["contestantIds"][0], category["criteria"][0]["id"]


def _submit(cell: tuple[int, int, int], value: float = 7.5) -> dict[str, Any]:
    category_id, contestant_id, criterion_id = cell
    return {
        "clientId": str(uuid.uuid4()),
        "categoryId": category_id,
        "contestantId": contestant_id,
        "criterionId": criterion_id,
        "score": value,
    }


async def test_port_zero_gives_a_real_port_and_health_answers(running: RunningServer) -> None:
    assert running.port > 0 and running.url == f"http://127.0.0.1:{running.port}"
    status, body = await post_json(running.url, "/api/auth/login", {"username": "x"})
    assert status == 400 and body["error"]["code"] == "validation_error"
    async with aiohttp.ClientSession() as session, session.get(running.url + "/socket-health") as r:
        health = await r.json()
    assert health["status"] == "ok" and health["connectedClients"] == 0
    assert health["protocol"] == PROTOCOL_VERSION and health["uptime"] >= 0


async def test_login_connect_sync_returns_a_snapshot(
    running: RunningServer, clients: list[SioClient]
) -> None:
    tally = await _connect(running, clients, "tally1")
    snapshot = Snapshot.model_validate(await tally.sync())
    assert snapshot.user.username == "tally1" and snapshot.categories
    async with aiohttp.ClientSession() as session, session.get(running.url + "/socket-health") as r:
        assert (await r.json())["connectedClients"] == 1


async def test_bad_json_and_bad_credentials_are_typed(running: RunningServer) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(running.url + "/api/auth/login", data=b"{nope") as resp,
    ):
        assert resp.status == 400
        assert (await resp.json())["error"]["code"] == "validation_error"
    status, body = await post_json(
        running.url, "/api/auth/login", {"username": "judge1", "password": "nope"}
    )
    assert status == 401 and body["error"]["code"] == "unauthenticated"


async def test_missing_token_message_reaches_the_client(running: RunningServer) -> None:
    assert await try_connect(running.url, None) == AUTH_MISSING_MESSAGE
    assert await try_connect(running.url, {"token": None}, ["polling"]) == AUTH_MISSING_MESSAGE


async def test_unknown_event_gets_error_event_and_invalid_event_ack(
    running: RunningServer, clients: list[SioClient]
) -> None:
    judge = await _connect(running, clients, "judge1")
    error = await judge.error("room:join", {"room": "role:ADMIN"})
    assert error["code"] == "invalid_event"
    event = await judge.events.wait_for("error")
    assert event["message"] == INVALID_EVENT_MESSAGE
    await judge.emit("no-such-event")  # no ack asked: the error event only
    await judge.events.wait_count("error", 2)
    assert judge.connected and await judge.sync()


async def test_bad_payloads_get_validation_error_and_keep_the_connection(
    running: RunningServer, clients: list[SioClient]
) -> None:
    judge = await _connect(running, clients, "judge1")
    bad: list[Any] = [None, "x", 5, [], {"score": float("nan")}, {"clientId": 1}]
    for payload in bad:
        error = await judge.error("scores:submit", payload)
        assert error["code"] == "validation_error", (payload, error)
    huge = {"entries": [{"comment": "x" * 1000}] * 80}
    error = await judge.error("scores:submit-batch", huge)
    assert error["code"] == "validation_error" and "limit" in error["details"]
    assert judge.connected and await judge.sync()


async def test_role_check_precedes_the_service(
    running: RunningServer, clients: list[SioClient]
) -> None:
    tally = await _connect(running, clients, "tally1")
    snapshot = await tally.sync()
    error = await tally.error("scores:submit", _submit(_first_cell(snapshot)))
    assert error["code"] == "forbidden"


async def test_broadcast_goes_to_the_author_and_staff_and_chains_prev_seq(
    running: RunningServer, clients: list[SioClient]
) -> None:
    judge1 = await _connect(running, clients, "judge1")
    judge2 = await _connect(running, clients, "judge2")
    tally = await _connect(running, clients, "tally1")
    synced = {c: (await c.sync())["seq"] for c in (judge1, judge2, tally)}
    cell = _first_cell(await judge1.sync())
    synced[judge1] = (await judge1.sync())["seq"]
    stored = await judge1.ok("scores:submit", _submit(cell, 8.5))
    own = await judge1.events.wait_for("scores:updated", lambda p: p["id"] == stored["id"])
    seen = await tally.events.wait_for("scores:updated", lambda p: p["id"] == stored["id"])
    assert own["score"] == 8.5 and seen["score"] == 8.5
    await judge2.call("totals:request", {"categoryId": cell[0]})  # a round trip
    assert not judge2.events.get("scores:updated"), "another judge's score reached judge2"
    for client, payload in ((judge1, own), (tally, seen)):
        assert payload["seq"] == stored["seq"]
        # nothing else was delivered to these sockets since their sync
        assert payload["prevSeq"] == synced[client], (client.user, payload)


async def test_scores_request_emits_scores_data_to_the_caller(
    running: RunningServer, clients: list[SioClient]
) -> None:
    tally = await _connect(running, clients, "tally1")
    category_id = _first_cell(await tally.sync())[0]
    data = await tally.ok("scores:request", category_id)
    event = await tally.events.wait_for("scores:data")
    assert event["categoryId"] == data["categoryId"] == category_id


async def test_write_rate_limit_answers_retry_after(tmp_path: Path) -> None:
    config = ServerConfig(
        host="127.0.0.1", port=0, data_dir=tmp_path / "srv", demo=True, rate_limit_per_minute=2
    )
    server = await start_server(config)
    judge = await connect_user(server.url, "judge1")
    try:
        cell = _first_cell(await judge.sync())
        await judge.ok("scores:submit", _submit(cell, 5))
        await judge.ok("scores:submit", _submit(cell, 6))
        error = await judge.error("scores:submit", _submit(cell, 7))
        assert error["code"] == "rate_limited"
        assert 0 < error["details"]["retryAfter"] <= 30
        await judge.sync()  # reads are not limited
    finally:
        await judge.close()
        await server.stop()


async def test_expired_token_during_a_session_is_unauthenticated(
    running: RunningServer, clients: list[SioClient]
) -> None:
    judge = await _connect(running, clients, "judge1")
    await judge.sync()
    running.parts.tokens.clock = lambda: time.time() + running.config.access_token_ttl + 5
    error = await judge.error("sync", {})
    assert error["code"] == "unauthenticated"
    assert judge.connected


async def test_metrics_count_events_errors_and_connections(
    running: RunningServer, clients: list[SioClient]
) -> None:
    judge = await _connect(running, clients, "judge1")
    await judge.sync()
    await judge.error("bogus")
    status, content_type, text = await _get(running.url + "/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    assert "scoring_socket_connections 1.0" in text
    assert 'scoring_socket_events_total{event="sync"} 1.0' in text
    assert 'scoring_socket_errors_total{code="invalid_event"} 1.0' in text
    assert 'scoring_handler_latency_seconds_count{event="sync"} 1.0' in text


async def test_rest_answers_cors_for_a_browser_console(running: RunningServer) -> None:
    origin = {"Origin": "http://10.0.0.5:3000"}
    async with aiohttp.ClientSession() as session:
        preflight_headers = {**origin, "Access-Control-Request-Method": "POST"}
        async with session.options(running.url + "/api/auth/login", headers=preflight_headers) as r:
            assert r.status == 204
            assert r.headers["Access-Control-Allow-Origin"] == origin["Origin"]
            assert "POST" in r.headers["Access-Control-Allow-Methods"]
        body = {"username": "judge1", "password": "demo"}
        async with session.post(running.url + "/api/auth/login", json=body, headers=origin) as r:
            assert r.status == 200
            assert r.headers["Access-Control-Allow-Origin"] == origin["Origin"]
        huge = {"username": "judge1", "password": "x" * 200_000}
        async with session.post(running.url + "/api/auth/login", json=huge) as r:
            assert r.status == 413
            assert (await r.json())["error"]["code"] == "validation_error"
