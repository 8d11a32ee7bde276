"""The client core's "now" comes from its injected clock: pending ages, the lock check
and the cache's timestamp do not depend on today's date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from scoring_console.client.clock import ManualClock
from scoring_console.client.core import ClientCore
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.protocol import ServerEvent
from scoring_console.protocol.entities import Assignment, Presence
from scoring_console.protocol.roles import Role

from .factories import score, snapshot

FAR = datetime(2041, 3, 4, 12, 0, tzinfo=UTC)


def judge_presence(pending: int, as_of: datetime, online: bool = True) -> Presence:
    return Presence(
        user_id=10,
        username="judge1",
        name="Judge One",
        role=Role.JUDGE,
        online=online,
        pending_count=pending,
        pending_as_of=as_of,
        seq=9,
    )


async def test_ages_and_cache_stamps_follow_the_injected_clock(tmp_path: Path) -> None:
    clock = ManualClock(FAR)
    core = ClientCore(
        "http://127.0.0.1:9",
        "tally1",
        data_dir=tmp_path,
        keyring_backend=MemoryKeyring(),
        clock=clock,
    )
    try:
        core.state.apply_snapshot(
            snapshot(
                assignments=[Assignment(id=1, user_id=10, category_id=1, role=Role.JUDGE)],
                presence=[judge_presence(4, FAR - timedelta(seconds=12))],
            )
        )
        status = core.pending_status(10)
        assert status is not None and status.describe() == "4, as of 12 s ago"
        clock.advance(120)
        status = core.pending_status(10)
        assert status is not None and status.describe() == (
            "unknown (no recent heartbeat; last: 4, 2 min ago)"
        )
        check = core.lock_check(1)
        assert [c.name for c in check.concerns] == ["Judge One"]

        core.state.apply(ServerEvent.SCORES_UPDATED, score(5, seq=50))
        assert core.cache_writer.flush()
        assert core.store.cache.saved_at() == clock().timestamp()
    finally:
        await core.stop(flush_timeout=0)
