"""``auth:renew``: a live connection takes a new access token and outlives the old one.

The server runs with a 2 s access token and a 2 s renewal grace window, so expiry is
real (no clock tricks); waits are for the passage of time itself (a token's ``exp``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import jwt
import pytest_asyncio

from tests.helpers.sio_client import (
    SioClient,
    Tokens,
    access_claims,
    forge_token,
    login,
    new_client_id,
    post_json,
    signing_key,
)
from tests.server.integration.conftest import Live, start_live

TTL = 2
GRACE = 2


@pytest_asyncio.fixture
async def short(tmp_path: Path) -> AsyncIterator[Live]:
    """A demo server whose access tokens live TTL s, renewable GRACE s after expiry."""
    server = await start_live(
        tmp_path / "server",
        access_token_ttl=TTL,
        token_renew_grace=GRACE,
        session_sweep_interval=0.5,
    )
    try:
        yield server
    finally:
        await server.close()
        await server.running.stop()


def exp_of(token: str) -> int:
    """The ``exp`` claim of a token (no signature check: the test reads its own tokens)."""
    return int(jwt.decode(token, options={"verify_signature": False})["exp"])


async def wait_past(exp: int, extra: float = 0.15) -> None:
    """Sleep until the server's clock (whole seconds) sees ``exp`` as passed."""
    await asyncio.sleep(max(0.0, exp + extra - time.time()))


async def refreshed(live: Live, tokens: Tokens) -> Tokens:
    """New tokens over ``POST /api/auth/refresh``, issued in a later second than ``tokens``."""
    await asyncio.sleep(max(0.0, exp_of(tokens.access) - TTL + 1.05 - time.time()))
    status, body = await post_json(live.url, "/api/auth/refresh", {"refreshToken": tokens.refresh})
    assert status == 200, body
    fresh = Tokens(body["accessToken"], body["refreshToken"], tokens.user, body)
    assert exp_of(fresh.access) > exp_of(tokens.access)
    return fresh


async def connected(live: Live, tokens: Tokens) -> SioClient:
    client = SioClient(tokens=tokens)
    await client.connect(live.url, {"token": tokens.access, "protocol": 1})
    live.clients.append(client)
    return client


def session_expiry(live: Live, client: SioClient) -> int:
    """The token expiry the server holds for this client's connection."""
    connection = live.running.parts.index.get(client.sio.get_sid("/"))
    assert connection is not None, "the server does not know this connection"
    return int(connection.token_expires_at)


def score(live_cat: Any, value: float) -> dict[str, Any]:
    contestant, criterion = live_cat.cells[0]
    return {
        "clientId": new_client_id(),
        "categoryId": live_cat.id,
        "contestantId": contestant,
        "criterionId": criterion,
        "score": value,
    }


async def test_renewal_keeps_the_connection_usable_past_the_old_tokens_expiry(
    short: Live,
) -> None:
    cat1 = (await short.layout()).cat1
    tokens = await login(short.url, "judge1")
    judge = await connected(short, tokens)
    control = await connected(short, tokens)  # same token, never renewed
    await judge.ok("scores:submit", score(cat1, 1))

    fresh = await refreshed(short, tokens)
    data = await judge.ok("auth:renew", {"token": fresh.access})
    assert datetime.fromisoformat(data["expiresAt"]).timestamp() == exp_of(fresh.access)
    assert session_expiry(short, judge) == exp_of(fresh.access)
    assert session_expiry(short, control) == exp_of(tokens.access)

    await wait_past(exp_of(tokens.access))
    assert time.time() < exp_of(fresh.access), "the test itself was too slow"
    stored = await judge.ok("scores:submit", score(cat1, 2))
    assert stored["score"] == 2
    assert (await judge.sync())["user"]["username"] == "judge1"
    err = await control.error("sync", {})
    assert err["code"] == "unauthenticated", err
    assert judge.connected and control.connected


async def test_refused_tokens_leave_the_connection_as_it_was(short: Live) -> None:
    tokens = await login(short.url, "judge1")
    other = await login(short.url, "judge2")
    judge = await connected(short, tokens)
    key = signing_key(short.data_dir, tokens.access)
    now = int(time.time())
    user = tokens.user
    refused = {
        "another user's token": other.access,
        "a refresh token": tokens.refresh,
        "garbage": "not-a-jwt",
        "an expired token": forge_token(key, access_claims(user, iat=now - 60, exp=now - 30)),
        "the same user with another role": forge_token(
            key, access_claims(user, ttl=600, role="ADMIN")
        ),
        "a token signed with another key": forge_token("x" * 64, access_claims(user, ttl=600)),
    }
    before = session_expiry(short, judge)
    for what, token in refused.items():
        err = await judge.error("auth:renew", {"token": token})
        assert err["code"] == "unauthenticated", (what, err)
        assert session_expiry(short, judge) == before, what
    for bad in ({"token": ""}, {"token": 5}, {}, {"token": "a", "extra": 1}):
        err = await judge.error("auth:renew", bad)
        assert err["code"] == "validation_error", (bad, err)
    assert session_expiry(short, judge) == before
    await judge.sync()  # still usable until the token it connected with expires

    await wait_past(exp_of(tokens.access))
    err = await judge.error("sync", {})
    assert err["code"] == "unauthenticated", err
    assert judge.connected


async def test_a_deactivated_user_cannot_renew(short: Live) -> None:
    tokens = await login(short.url, "judge3")
    judge = await connected(short, tokens)
    fresh = await refreshed(short, tokens)
    short.running.service.set_user_active(tokens.user_id, False)
    before = session_expiry(short, judge)
    err = await judge.error("auth:renew", {"token": fresh.access})
    assert err["code"] == "unauthenticated", err
    assert session_expiry(short, judge) == before


async def test_renewal_within_the_grace_window_after_expiry(short: Live) -> None:
    cat1 = (await short.layout()).cat1
    tokens = await login(short.url, "judge1")
    judge = await connected(short, tokens)
    fresh = await refreshed(short, tokens)

    await wait_past(exp_of(tokens.access))
    assert time.time() < exp_of(tokens.access) + GRACE, "the test itself was too slow"
    err = await judge.error("scores:submit", score(cat1, 3))
    assert err["code"] == "unauthenticated", err  # only auth:renew gets the grace
    await judge.ok("auth:renew", {"token": fresh.access})
    stored = await judge.ok("scores:submit", score(cat1, 4))
    assert stored["score"] == 4


async def test_renewal_after_the_grace_window_is_refused(short: Live) -> None:
    tokens = await login(short.url, "judge1")
    judge = await connected(short, tokens)
    await wait_past(exp_of(tokens.access) + GRACE)
    fresh = await login(short.url, "judge1")  # valid, but too late for this connection
    # past the grace the session is over: the server closes the connection
    await asyncio.wait_for(judge.disconnected.wait(), 5)
    assert not judge.connected
    # the way back is the handshake, with the fresh token
    again = await connected(short, fresh)
    assert (await again.sync())["user"]["username"] == "judge1"
