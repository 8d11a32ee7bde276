"""Decided in docs/security.md and implemented (issue 12): refresh-token reuse detection,
logout revoking the refresh token, the two-person rule for deductions, and /metrics
open to loopback or to a token only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp

from scoring_console.client.auth import Session
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.server.rest import _is_loopback
from tests.helpers.sio_client import login, new_client_id, post_json
from tests.server.integration.conftest import Live, start_live


async def refresh(live: Live, token: str) -> tuple[int, dict[str, str]]:
    status, body = await post_json(live.url, "/api/auth/refresh", {"refreshToken": token})
    return status, body


async def test_a_reused_rotated_refresh_token_revokes_its_family(live: Live) -> None:
    first = (await login(live.url, "judge1")).refresh
    status, body = await refresh(live, first)
    assert status == 200
    second = body["refreshToken"]
    # a race between two processes of one user: refused, nothing revoked
    assert (await refresh(live, first))[0] == 401
    status, body = await refresh(live, second)
    assert status == 200, "a reuse within the grace must not revoke the family"
    third = body["refreshToken"]
    other = (await login(live.url, "judge1")).refresh  # another login: another family

    service = live.running.service
    real = service.clock
    service.clock = lambda: real() + timedelta(minutes=5)
    try:
        assert (await refresh(live, second))[0] == 401  # reused long after: theft
        status, body = await refresh(live, third)
        assert status == 401, "the family of a reused token must be revoked"
        assert (await refresh(live, other))[0] == 200, "other logins are not affected"
    finally:
        service.clock = real


async def test_logout_revokes_the_refresh_token_and_its_family(live: Live) -> None:
    first = (await login(live.url, "judge2")).refresh
    status, body = await refresh(live, first)
    current = body["refreshToken"]
    status, _ = await post_json(live.url, "/api/auth/logout", {"refreshToken": current})
    assert status == 204
    assert (await refresh(live, current))[0] == 401
    status, _ = await post_json(live.url, "/api/auth/logout", {"refreshToken": "garbage"})
    assert status == 401

    # the console's logout (Session.forget) revokes it on the server too
    session = Session(live.url, "judge3", keyring_backend=MemoryKeyring)
    try:
        await session.login("demo")
        token = session._refresh_token
        assert token is not None
        await session.forget()
        assert (await refresh(live, token))[0] == 401
    finally:
        await session.aclose()


async def test_the_requester_cannot_approve_their_own_deduction(live: Live) -> None:
    layout = await live.layout()
    cat1 = layout.cat1
    tally = await live.connect("tally1")
    auditor = await live.connect("auditor1")

    async def request() -> int:
        deduction = await tally.ok(
            "deduction:requested",
            {
                "clientId": new_client_id(),
                "categoryId": cat1.id,
                "contestantId": cat1.contestant_ids[0],
                "amount": 1,
                "reason": "late",
            },
        )
        return int(deduction["id"])

    own = await request()
    err = await tally.error("deduction:decide", {"deductionId": own, "approve": True})
    assert err["code"] == "forbidden", err
    approved = await auditor.ok("deduction:decide", {"deductionId": own, "approve": True})
    assert approved["status"] == "APPROVED"
    withdrawn = await tally.ok(
        "deduction:decide", {"deductionId": await request(), "approve": False}
    )
    assert withdrawn["status"] == "REJECTED"


async def test_metrics_need_the_token_when_one_is_set(tmp_path: Path) -> None:
    token = "m" * 32
    live = await start_live(tmp_path / "server", metrics_token=token)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(live.url + "/metrics") as resp:
                assert resp.status == 401
            headers = {"Authorization": f"Bearer {token}"}
            async with http.get(live.url + "/metrics", headers=headers) as resp:
                assert resp.status == 200
                assert "scoring_socket_connections" in await resp.text()
    finally:
        await live.running.stop()


def test_metrics_without_a_token_are_for_loopback_clients_only() -> None:
    assert _is_loopback("127.0.0.1") and _is_loopback("::1")
    assert not _is_loopback("10.0.0.5") and not _is_loopback("192.168.1.20")
    assert not _is_loopback(None) and not _is_loopback("not-an-address")
