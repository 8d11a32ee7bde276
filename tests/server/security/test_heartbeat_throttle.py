"""Heartbeats are throttled by time per user, whatever they carry (issue 12, item 8)."""

from __future__ import annotations

import time
from pathlib import Path

from tests.server.integration.conftest import start_live

INTERVAL = 1.0


async def test_alternating_counts_do_not_bypass_the_throttle(tmp_path: Path) -> None:
    live = await start_live(tmp_path / "server", heartbeat_interval=INTERVAL)
    try:
        tally = await live.connect("tally1")
        judge = await live.connect("judge1")
        judge_id = judge.user_id
        await tally.events.wait_for("presence:updated", lambda p: p["userId"] == judge_id)
        mark = len(tally.events.get("presence:updated"))
        seq_before = live.running.service.current_seq()

        beats = 1000
        started = time.monotonic()
        for i in range(beats):
            await judge.ok("user:active", {"pendingCount": i % 2})
        await judge.ok("user:active", {"pendingCount": 7})  # the latest value
        elapsed = time.monotonic() - started

        final = await tally.events.wait_for(
            "presence:updated",
            lambda p: p["userId"] == judge_id and p["pendingCount"] == 7,
            timeout=4 * INTERVAL + 2,
            start=mark,
        )
        assert final["pendingCount"] == 7, "the latest value must win at the next slot"
        updates = tally.events.get("presence:updated")[mark:]
        writes = live.running.service.current_seq() - seq_before
        allowed = elapsed / INTERVAL + 3
        assert len(updates) <= allowed, f"{len(updates)} updates in {elapsed:.1f}s"
        assert writes <= allowed, f"{writes} writes in {elapsed:.1f}s"
        print(f"{beats + 1} beats in {elapsed:.2f}s: {writes} writes, {len(updates)} updates")
    finally:
        await live.close()
        await live.running.stop()
