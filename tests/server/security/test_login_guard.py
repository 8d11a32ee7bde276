"""Failed-login limits hold under concurrency; accounts lock with a growing delay and an
admin can unlock them (issue 12, item 2)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.helpers.sio_client import SioClient, login
from tests.server.integration.conftest import start_live


async def attempt(
    session: aiohttp.ClientSession, url: str, username: str, password: str
) -> tuple[int, dict[str, str], Any]:
    async with session.post(
        url + "/api/auth/login", json={"username": username, "password": password}
    ) as resp:
        return resp.status, dict(resp.headers), await resp.json()


async def test_a_concurrent_burst_gets_no_more_checks_than_the_limit(tmp_path: Path) -> None:
    live = await start_live(
        tmp_path / "server", login_failures_per_minute=10, lockout_threshold=1000
    )
    try:
        async with aiohttp.ClientSession() as session:
            started = time.monotonic()
            results = await asyncio.gather(
                *(attempt(session, live.url, "judge1", f"guess{i}") for i in range(40))
            )
            elapsed = time.monotonic() - started
            statuses = [status for status, _, _ in results]
            checked = statuses.count(401)
            assert checked <= 10, f"{checked} of 40 concurrent guesses were checked"
            assert statuses.count(429) == 40 - checked
            # the right password, sent after the limit was hit, is not checked either
            status, headers, body = await attempt(session, live.url, "judge1", "demo")
            assert status == 429, body
            assert body["error"]["code"] == "rate_limited"
            assert int(headers["Retry-After"]) >= 1
        print(f"40 concurrent guesses: {checked} checked, {40 - checked} refused in {elapsed:.2f}s")
    finally:
        await live.running.stop()


async def test_an_account_locks_with_a_growing_delay_until_an_admin_unlocks_it(
    tmp_path: Path,
) -> None:
    live = await start_live(
        tmp_path / "server",
        login_failures_per_minute=1000,
        login_failures_per_address_per_minute=1000,
        lockout_threshold=3,
        lockout_base_seconds=1,
    )
    admin: SioClient | None = None
    try:
        async with aiohttp.ClientSession() as session:
            for i in range(3):
                status, _, _ = await attempt(session, live.url, "judge1", f"guess{i}")
                assert status == 401
            status, headers, body = await attempt(session, live.url, "judge1", "demo")
            assert status == 429, "a locked account must refuse even the right password"
            assert "locked" in body["error"]["message"]
            first = int(headers["Retry-After"])
            assert first == 1
            # another account is not affected
            assert (await attempt(session, live.url, "judge2", "demo"))[0] == 200

            await asyncio.sleep(1.2)  # the first lockout ends; one more failure locks longer
            assert (await attempt(session, live.url, "judge1", "guess3"))[0] == 401
            status, headers, _ = await attempt(session, live.url, "judge1", "demo")
            assert status == 429
            assert int(headers["Retry-After"]) >= 2 * first

            tokens = await login(live.url, "admin")
            admin = SioClient(tokens=tokens)
            await admin.connect(live.url, {"token": tokens.access, "protocol": 1})
            judge_tokens = await login(live.url, "judge2")
            judge = SioClient(tokens=judge_tokens)
            await judge.connect(live.url, {"token": judge_tokens.access, "protocol": 1})
            try:
                err = await judge.error("account:unlock", {"username": "judge1"})
                assert err["code"] == "forbidden"
            finally:
                await judge.close()
            data = await admin.ok("account:unlock", {"username": "JUDGE1"})
            assert data == {"username": "JUDGE1", "wasLocked": True}
            status, _, body = await attempt(session, live.url, "judge1", "demo")
            assert status == 200, body
    finally:
        if admin is not None:
            await admin.close()
        await live.running.stop()
