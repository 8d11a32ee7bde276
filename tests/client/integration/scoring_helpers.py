"""Fill judges' sheets on a real server with raw Socket.IO calls (not the core under test)."""

from __future__ import annotations

import uuid
from typing import Any

import socketio

from scoring_console.protocol import PROTOCOL_VERSION, ClientEvent
from tests.client.integration.conftest import login_tokens


async def call_as(url: str, username: str, calls: list[tuple[ClientEvent, Any]]) -> list[Any]:
    """Log ``username`` in, make the calls in order, return their raw acks."""
    tokens = await login_tokens(url, username)
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(
        url,
        auth={"token": tokens.access_token, "protocol": PROTOCOL_VERSION},
        transports=["websocket"],
        wait_timeout=10,
    )
    try:
        return [await sio.call(str(event), payload, timeout=10) for event, payload in calls]
    finally:
        await sio.disconnect()


async def score_rows(
    url: str, judge: str, category: int, criteria: list[int], rows: dict[int, list[float]]
) -> None:
    """``judge`` scores contestant ``c`` with ``rows[c]`` (one value per criterion)."""
    entries = [
        {
            "clientId": str(uuid.uuid4()),
            "categoryId": category,
            "contestantId": contestant,
            "criterionId": criterion,
            "score": value,
        }
        for contestant, values in rows.items()
        for criterion, value in zip(criteria, values, strict=True)
    ]
    (ack,) = await call_as(url, judge, [(ClientEvent.SCORES_SUBMIT_BATCH, {"entries": entries})])
    assert ack["ok"] and all(item["ok"] for item in ack["data"]["results"]), ack
