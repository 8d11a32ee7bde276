"""Account administration over the wire ends sessions: an organizer deactivates a connected
judge with ``account:set-active`` and the judge's socket is closed at once."""

from __future__ import annotations

import asyncio

import pytest

from tests.server.integration.conftest import Live

pytestmark = pytest.mark.asyncio


async def test_deactivating_a_connected_judge_closes_the_socket(live: Live) -> None:
    layout = await live.layout()
    judge = await live.connect("judge3")
    organizer = await live.connect("organizer1")
    watcher = await live.connect("tally1")
    data = await organizer.ok(
        "account:set-active", {"userId": layout.user_ids["judge3"], "active": False}
    )
    assert data["account"]["active"] is False
    await asyncio.wait_for(judge.disconnected.wait(), 5)
    assert watcher.connected
    # the others heard that the set-up changed
    changed = await watcher.events.wait_for("setup:changed", timeout=5)
    assert changed["changes"] == ["account judge3 deactivated"]
