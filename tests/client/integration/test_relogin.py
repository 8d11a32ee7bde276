"""An offline start reconnects by itself when the server comes back: silently with the
password given at start (or a stored sign-in), else with a clear "login required"."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest

from scoring_console.client.backoff import Backoff
from scoring_console.client.clock import ManualClock
from scoring_console.client.connection import ConnectionStatus
from scoring_console.client.core import ClientCore
from scoring_console.client.errors import ServerUnreachable
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.client.relogin import LoginCause, LoginEvent, LoginEventKind
from scoring_console.client.vault import TokenVault
from tests.client.integration.conftest import (
    DEMO_PASSWORD,
    judge_cells,
    judge_scores,
    online_core,
    wait_until,
)
from tests.helpers.server_process import ServerProcess


async def test_offline_start_with_the_start_password_logs_in_when_the_server_returns(
    server_process: ServerProcess, core_factory: Any, tmp_path: Path
) -> None:
    url = server_process.url
    judge_id, cells = await judge_cells(url)
    data_dir = tmp_path / "profile"
    first = await online_core(core_factory, url, data_dir=data_dir, keyring=MemoryKeyring())
    await first.stop()
    await asyncio.to_thread(server_process.kill)

    # a new process: nothing in its keyring, only SCORING_PASSWORD
    core = core_factory(url, data_dir=data_dir, keyring=MemoryKeyring())
    events: list[LoginEvent] = []
    core.login_changed.connect(events.append)
    with pytest.raises(ServerUnreachable):
        await core.login(DEMO_PASSWORD)
    assert core.open_offline()
    await core.start()
    assert core.connection.status is ConnectionStatus.AUTH_FAILED
    for cell in cells[:3]:
        await core.submit_score(*cell, 4.5)
    await wait_until(lambda: core.relogin.probes >= 2, 10, "reachability polled")
    assert events == []

    await asyncio.to_thread(server_process.restart)
    assert await core.wait_connected(20), core.connection
    assert [e.kind for e in events] == [LoginEventKind.RESTORED]
    assert events[0].via == "password" and core.login_required is None
    await wait_until(lambda: core.pending_count() == 0, 15, "queued scores sent")
    got = {
        (s.category_id, s.contestant_id, s.criterion_id) for s in await judge_scores(url, judge_id)
    }
    assert got == set(cells[:3])


async def test_an_expired_saved_sign_in_asks_for_the_password_and_says_why(
    server: Any, core_factory: Any, tmp_path: Path
) -> None:
    keyring = MemoryKeyring()
    await TokenVault(server.url, "judge1", keyring).save("a-refresh-token-the-server-never-issued")
    core = core_factory(server.url, keyring=keyring, data_dir=tmp_path / "p")
    events: list[LoginEvent] = []
    core.login_changed.connect(events.append)
    await core.start()
    await wait_until(lambda: bool(events), 15, "login required announced")
    (event,) = events
    assert event.kind is LoginEventKind.REQUIRED
    assert event.cause is LoginCause.SESSION_EXPIRED
    assert event.reason == (
        "The server is reachable again; your saved sign-in expired — enter the password for judge1."
    )
    assert core.login_required == event
    await core.login(DEMO_PASSWORD)
    assert await core.wait_connected(15)
    assert core.login_required is None


async def test_no_credential_at_all_asks_at_once_when_the_server_answers(
    server: Any, core_factory: Any, tmp_path: Path
) -> None:
    core = core_factory(server.url, data_dir=tmp_path / "p")
    events: list[LoginEvent] = []
    core.login_changed.connect(events.append)
    await core.start()
    await wait_until(lambda: bool(events), 10, "login required announced")
    assert [(e.kind, e.cause) for e in events] == [
        (LoginEventKind.REQUIRED, LoginCause.NO_CREDENTIAL)
    ]
    assert "no saved sign-in" in events[0].reason and "judge1" in events[0].reason


async def test_reachability_polling_backs_off_through_the_injected_sleep(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nobody listens
    clock = ManualClock()
    core = ClientCore(
        f"http://127.0.0.1:{port}",
        "judge1",
        data_dir=tmp_path / "p",
        keyring_backend=MemoryKeyring(),
        clock=clock,
        sleep=clock.sleep,
        backoff_min=0.5,
        backoff_max=8.0,
        http_timeout=2.0,
    )
    core.relogin.backoff = Backoff(0.5, 8.0, jitter=0.0)
    try:
        await core.start()
        await wait_until(lambda: len(clock.slept) >= 6, 10, "six backoff waits")
        assert clock.slept[:6] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
        assert core.login_required is None  # unreachable: nothing to ask yet
    finally:
        await core.stop(flush_timeout=0)
