"""What the tally master sees of each judge: pending entries with their age (unknown
when offline or stale), refused writes (live and after a sync, never shown to other
judges), and the warning before a contest is locked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from scoring_console.client.clock import ManualClock
from scoring_console.client.judges import STALE_AFTER
from scoring_console.protocol import ErrorCode
from scoring_console.store.outbox import EntryState
from tests.client.integration.conftest import judge_cells, online_core, wait_until
from tests.helpers.sio_client import connect_user


async def test_pending_count_carries_its_age_and_turns_unknown_when_offline_or_stale(
    server: Any, core_factory: Any
) -> None:
    judge_id, _ = await judge_cells(server.url)
    clock = ManualClock()
    tally = await online_core(core_factory, server.url, "tally1", clock=clock)
    judge = await connect_user(server.url, "judge1")
    try:
        await judge.ok("user:active", {"pendingCount": 4})
        await wait_until(
            lambda: (
                tally.state.presence.get(judge_id) is not None
                and tally.state.presence[judge_id].pending_count == 4
            ),
            10,
            "the heartbeat reached the tally master",
        )
        status = tally.pending_status(judge_id)
        assert status is not None and status.online
        assert status.count == 4 and status.as_of is not None
        assert status.describe() == "4, as of just now"

        clock.advance(90)  # no heartbeat for 90 s while "online": the count is stale
        stale = tally.pending_status(judge_id)
        assert stale is not None and stale.count is None and stale.last_count == 4
        assert stale.age is not None and stale.age > STALE_AFTER
        assert stale.describe() == "unknown (no recent heartbeat; last: 4, 1 min ago)"
    finally:
        await judge.close()
    await wait_until(
        lambda: not tally.state.presence[judge_id].online, 10, "the judge shown offline"
    )
    offline = tally.pending_status(judge_id)
    assert offline is not None and offline.count is None and not offline.known
    assert offline.describe().startswith("unknown (offline; last: 4, ")


async def test_refused_writes_reach_the_tally_master_live_and_in_sync_not_other_judges(
    server: Any, core_factory: Any
) -> None:
    judge_id, cells = await judge_cells(server.url)
    category_id = cells[0][0]
    tally = await online_core(core_factory, server.url, "tally1")
    judge = await online_core(core_factory, server.url, "judge1")
    other = await online_core(core_factory, server.url, "judge2")
    contest_id = tally.state.categories[category_id].contest_id
    board = await connect_user(server.url, "board1")
    try:
        await board.ok("contest:lock", {"contestId": contest_id, "locked": True})
    finally:
        await board.close()
    await wait_until(lambda: judge.state.contests[contest_id].locked, 10, "lock reached judge")

    entry = await judge.submit_score(*cells[0], 6.5)
    await wait_until(
        lambda: {e.id: e for e in judge.outbox_entries()}[entry.id].state is EntryState.REJECTED,
        10,
        "the judge's score refused",
    )
    await wait_until(lambda: bool(tally.state.refused_in(category_id)), 10, "tally master told")
    (refused,) = tally.state.refused_in(category_id, judge_id)
    assert (refused.contestant_id, refused.criterion_id, refused.score) == (
        cells[0][1],
        cells[0][2],
        6.5,
    )
    assert refused.code is ErrorCode.LOCKED and refused.reason
    assert refused.judge_name == tally.state.presence[judge_id].name
    assert refused.client_id == entry.client_id

    again = await online_core(core_factory, server.url, "tally1")
    assert [w.id for w in again.state.refused_in(category_id, judge_id)] == [refused.id]
    await other.sync_now()
    assert other.state.refused_writes == {}  # another judge never sees it
    assert judge.state.refused_writes == {}  # the judge has it in the outbox already


async def test_lock_check_names_offline_and_pending_judges(server: Any, core_factory: Any) -> None:
    judge_id, cells = await judge_cells(server.url)
    category_id = cells[0][0]
    board = await online_core(core_factory, server.url, "board1")
    contest_id = board.state.categories[category_id].contest_id
    judges = {p.user_id: p.name for p in board.state.presence.values() if p.user_id != judge_id}
    online = [await connect_user(server.url, f"judge{n}") for n in range(1, 6)]
    try:
        for client in online:
            await client.ok("user:active", {"pendingCount": 0})
        await online[0].ok("user:active", {"pendingCount": 3})  # judge1 still has 3 unsent
        await wait_until(
            lambda: (
                all(p.online for p in board.state.presence.values())
                and board.state.presence[judge_id].pending_count == 3
            ),
            10,
            "every judge online, judge1 with 3 pending",
        )
        check = board.lock_check(contest_id)
        assert [c.user_id for c in check.concerns] == [judge_id]
        (concern,) = check.concerns
        assert concern.pending is not None and concern.pending.count == 3
        contest_name = board.state.contests[contest_id].name
        assert check.describe().startswith(f"Before locking {contest_name}:")
        assert "pending 3, as of" in check.describe()
    finally:
        await online[1].close()  # judge2 leaves
    await wait_until(
        lambda: not board.state.presence[online[1].user_id].online, 10, "judge2 offline"
    )
    check = board.lock_check(contest_id)
    names = {c.name for c in check.concerns}
    assert names == {board.state.presence[judge_id].name, judges[online[1].user_id]}
    assert "offline" in check.describe()
    for client in online:
        await client.close()
    assert abs(board.server_now() - board.clock()) < timedelta(seconds=5)
