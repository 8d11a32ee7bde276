"""Failed logins are rate limited per (address, username); successful ones never are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from scoring_console.server.app import start_server
from scoring_console.server.config import ServerConfig


async def _login(url: str, username: str, password: str) -> tuple[int, dict[str, str], Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url + "/api/auth/login", json={"username": username, "password": password}
        ) as resp,
    ):
        return resp.status, dict(resp.headers), await resp.json()


async def test_password_guessing_is_slowed_down_without_locking_out_others(
    tmp_path: Path,
) -> None:
    running = await start_server(
        ServerConfig(port=0, data_dir=tmp_path / "srv", demo=True, login_failures_per_minute=3)
    )
    try:
        for _ in range(5):  # good logins never count against the limit
            status, _, _ = await _login(running.url, "judge2", "demo")
            assert status == 200
        for _ in range(3):
            status, _, body = await _login(running.url, "judge1", "guess")
            assert status == 401
            assert body["error"]["code"] == "unauthenticated"
        status, headers, body = await _login(running.url, "judge1", "guess")
        assert status == 429
        assert body["error"]["code"] == "rate_limited"
        assert int(headers["Retry-After"]) >= 1
        # the right password waits too: the guesser must not learn it by a 200
        status, _, _ = await _login(running.url, "JUDGE1", "demo")
        assert status == 429
        # another user at the same address is not affected
        status, _, _ = await _login(running.url, "judge2", "demo")
        assert status == 200
    finally:
        await running.stop()
