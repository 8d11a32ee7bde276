"""Per-user write rate limiting (token bucket) with ``retryAfter``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from tests.helpers.sio_client import new_client_id
from tests.server.integration.conftest import CategoryInfo, Live, start_live

LIMIT = 5


@pytest_asyncio.fixture
async def limited(tmp_path: Path) -> AsyncIterator[Live]:
    server = await start_live(tmp_path / "limited", rate_limit_per_minute=LIMIT)
    try:
        yield server
    finally:
        await server.close()
        await server.running.stop()


def submit(category: CategoryInfo, index: int) -> dict[str, Any]:
    contestant, criterion = category.cells[index % len(category.cells)]
    return {
        "clientId": new_client_id(),
        "categoryId": category.id,
        "contestantId": contestant,
        "criterionId": criterion,
        "score": 1,
    }


async def test_burst_beyond_the_limit_is_rate_limited(limited: Live) -> None:
    layout = await limited.layout()
    judge = await limited.connect("judge1")
    acks = [await judge.call("scores:submit", submit(layout.cat1, i)) for i in range(LIMIT + 5)]
    accepted = [a for a in acks if a["ok"]]
    refused = [a for a in acks if not a["ok"]]
    assert len(accepted) == LIMIT, [a.get("error") for a in acks]
    assert acks[:LIMIT] == accepted, "the first writes of a burst pass"
    for ack in refused:
        assert ack["error"]["code"] == "rate_limited", ack
        retry = ack["error"]["details"]["retryAfter"]
        assert isinstance(retry, int | float) and retry > 0, ack
    # reads are not limited; the connection stays up
    for _ in range(LIMIT + 2):
        await judge.sync()
    # per user: a second connection of the same user is limited too ...
    again = await limited.connect("judge1", fresh_login=True)
    err = await again.error("scores:submit", submit(layout.cat1, 0))
    assert err["code"] == "rate_limited", err
    # ... and other writes count against the same bucket
    err = await judge.error(
        "deduction:requested",
        {
            "clientId": new_client_id(),
            "categoryId": layout.cat1.id,
            "contestantId": layout.cat1.contestant_ids[0],
            "amount": 1,
            "reason": "x",
        },
    )
    assert err["code"] == "rate_limited", err
    # another user is not affected
    other = await limited.connect("judge2")
    await other.ok("scores:submit", submit(layout.cat1, 0))


async def test_batch_counts_once(limited: Live) -> None:
    layout = await limited.layout()
    judge = await limited.connect("judge3")
    entries = [submit(layout.cat1, i) for i in range(len(layout.cat1.cells))]
    result = await judge.ok("scores:submit-batch", {"entries": entries})
    assert all(item["ok"] for item in result["results"]), result
    for i in range(LIMIT - 1):
        await judge.ok("scores:submit", submit(layout.cat2, i))
    err = await judge.error("scores:submit-batch", {"entries": [submit(layout.cat2, 9)]})
    assert err["code"] == "rate_limited", err
    assert err["details"]["retryAfter"] > 0


async def test_waiting_retry_after_is_enough(tmp_path: Path) -> None:
    server = await start_live(tmp_path / "fast", rate_limit_per_minute=120)
    try:
        layout = await server.layout()
        judge = await server.connect("judge4")
        err: dict[str, Any] | None = None
        for i in range(400):
            ack = await judge.call("scores:submit", submit(layout.cat1, i))
            if not ack["ok"]:
                err = ack["error"]
                break
        assert err is not None and err["code"] == "rate_limited", err
        retry = err["details"]["retryAfter"]
        assert 0 < retry <= 60 / 120 + 0.01, err
        # the condition is the passage of time itself
        await asyncio.sleep(retry)
        await judge.ok("scores:submit", submit(layout.cat1, 0))
    finally:
        await server.close()
        await server.running.stop()
