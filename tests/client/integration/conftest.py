"""Helpers for the client integration tests: a real server, real files, no sleeps.

* :func:`wait_until` — poll a condition on the test's loop (no fixed sleeps).
* :func:`server_snapshot` — what the server holds, seen by an *independent* client
  (raw REST login + python-socketio ``sync``, not the client core under test), by
  default as ``tally1``, who sees every judge's values in their categories.
* :func:`judge_cells` — the (category, contestant, criterion) cells a judge may score.
* ``server_factory`` — in-process servers with custom :class:`ServerConfig` settings
  (short token lifetimes, rate limits), stopped at teardown.
* :func:`make_core` — a :class:`ClientCore` with an in-memory keyring and fast
  heartbeat/backoff seams.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from scoring_console.protocol import PROTOCOL_VERSION, ClientEvent, parse_ack
from scoring_console.protocol.entities import Score, Snapshot
from scoring_console.protocol.rest import LOGIN_PATH, LoginResponse
from scoring_console.store.outbox import EntryState, OutboxEntry

DEMO_PASSWORD = "demo"

Cell = tuple[int, int, int]


async def wait_until(
    condition: Callable[[], bool | Awaitable[bool]],
    within: float = 10.0,
    message: str = "condition",
    interval: float = 0.02,
) -> float:
    """Wait until ``condition()`` is true; returns the seconds it took.

    Fails the test (AssertionError) after ``within`` seconds.
    """
    started = time.monotonic()
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return time.monotonic() - started
        if time.monotonic() - started > within:
            raise AssertionError(f"{message} not met within {within} s")
        await asyncio.sleep(interval)


async def login_tokens(url: str, username: str, password: str = DEMO_PASSWORD) -> LoginResponse:
    """REST login, independent of the client core."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(url + LOGIN_PATH, json={"username": username, "password": password}) as resp,
    ):
        body = await resp.json()
        assert resp.status == 200, body
        return LoginResponse.model_validate(body)


async def server_snapshot(url: str, username: str = "tally1") -> Snapshot:
    """The server's current ``sync`` snapshot for ``username`` (a raw socket.io client)."""
    tokens = await login_tokens(url, username)
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(
        url,
        auth={"token": tokens.access_token, "protocol": PROTOCOL_VERSION},
        transports=["websocket"],
        wait_timeout=10,
    )
    try:
        raw = await sio.call(str(ClientEvent.SYNC), {}, timeout=10)
    finally:
        await sio.disconnect()
    snapshot: Snapshot = parse_ack(str(ClientEvent.SYNC), raw, Snapshot)
    return snapshot


async def judge_scores(url: str, judge_id: int) -> list[Score]:
    """Every score of one judge on the server (values visible to ``tally1``)."""
    snapshot = await server_snapshot(url)
    return [s for s in snapshot.scores if s.judge_id == judge_id]


def cells_of(snapshot: Snapshot) -> list[Cell]:
    """Every (category, contestant, criterion) cell of the snapshot's categories."""
    return [
        (category.id, contestant_id, criterion.id)
        for category in sorted(snapshot.categories, key=lambda c: c.id)
        for contestant_id in category.contestant_ids
        for criterion in category.criteria
    ]


async def judge_cells(url: str, username: str = "judge1") -> tuple[int, list[Cell]]:
    """(judge id, the cells of the categories the judge is assigned to)."""
    snapshot = await server_snapshot(url, username)
    assigned = {a.category_id for a in snapshot.assignments if a.user_id == snapshot.user.id}
    cells = [cell for cell in cells_of(snapshot) if cell[0] in assigned]
    assert cells, f"{username} has no assigned cells in the demo data"
    return snapshot.user.id, cells


@pytest.fixture
async def server_factory(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """Start in-process servers with custom settings: ``await server_factory(**config)``."""
    from scoring_console.server.app import RunningServer, start_server
    from scoring_console.server.config import ServerConfig

    started: list[RunningServer] = []

    async def factory(**overrides: Any) -> RunningServer:
        settings: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": 0,
            "data_dir": tmp_path / f"server-{len(started)}",
            "demo": True,
        }
        settings.update(overrides)
        running = await start_server(ServerConfig(**settings))
        started.append(running)
        return running

    yield factory
    for running in reversed(started):
        await running.stop()


FAST_SEAMS: dict[str, Any] = {
    "heartbeat_interval": 1.0,
    "heartbeat_timeout": 1.0,
    "backoff_min": 0.1,
    "backoff_max": 1.0,
    "request_timeout": 5.0,
    "connect_timeout": 3.0,
    "http_timeout": 3.0,
}
"""Small heartbeat/backoff settings so outages are noticed and healed within seconds."""


@pytest.fixture
async def core_factory(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """``make(url, username, data_dir=None, keyring=None, **seams) -> ClientCore``.

    Every core gets an in-memory keyring (pass one ``MemoryKeyring`` instance to share
    stored tokens between cores) and the fast seams above; all are stopped at teardown.
    """
    from scoring_console.client.core import ClientCore
    from scoring_console.client.memory_keyring import MemoryKeyring

    made: list[ClientCore] = []

    def make(
        url: str,
        username: str = "judge1",
        data_dir: Path | None = None,
        keyring: MemoryKeyring | None = None,
        **seams: Any,
    ) -> ClientCore:
        settings = {**FAST_SEAMS, **seams}
        core = ClientCore(
            url,
            username,
            data_dir=data_dir or tmp_path / "client",
            keyring_backend=keyring if keyring is not None else MemoryKeyring(),
            **settings,
        )
        made.append(core)
        return core

    yield make
    for core in reversed(made):
        await core.stop(flush_timeout=0)


class OutboxWatch:
    """The outbox entries a core reports synced (ids) or rejected, as they change."""

    def __init__(self, core: Any) -> None:
        self.synced: set[int] = set()
        self.rejected: list[OutboxEntry] = []
        core.outbox_changed.connect(self.on_entry)

    def on_entry(self, entry: OutboxEntry) -> None:
        """Record one entry's new state."""
        if entry.state is EntryState.SYNCED:
            self.synced.add(entry.id)
        elif entry.state is EntryState.REJECTED:
            self.rejected.append(entry)


async def online_core(
    make: Callable[..., Any], url: str, username: str = "judge1", **kw: Any
) -> Any:
    """A core logged in with the demo password, started and connected."""
    core = make(url, username, **kw)
    await core.login(DEMO_PASSWORD)
    await core.start()
    assert await core.wait_connected(15), f"{username} did not connect: {core.connection}"
    return core
