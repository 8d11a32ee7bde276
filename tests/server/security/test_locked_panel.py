"""Locking a contest freezes its panel too (issue 12, item 5)."""

from __future__ import annotations

from tests.server.integration.conftest import Live
from tests.server.integration.util import submit


async def test_assignment_changes_in_a_locked_contest_are_refused(live: Live) -> None:
    layout = await live.layout()
    cat1 = layout.cat1
    judge = await live.connect("judge1")
    organizer = await live.connect("organizer1")
    board = await live.connect("board1")
    await judge.ok("scores:submit", submit(cat1, cat1.cells[0], 9))
    tally = await live.connect("tally1")
    before = await tally.ok("totals:request", {"categoryId": cat1.id})

    await board.ok("contest:lock", {"contestId": cat1.contest_id, "locked": True})
    change = {"userId": judge.user_id, "categoryId": cat1.id}
    err = await organizer.error("assignment:removed", change)
    assert err["code"] == "locked", err
    newcomer = {"userId": layout.user_ids["judge5"], "categoryId": cat1.id}
    err = await organizer.error("assignment:created", newcomer)
    assert err["code"] == "locked", err
    assert await tally.ok("totals:request", {"categoryId": cat1.id}) == before

    # unlocked, the panel can change again
    await board.ok("contest:lock", {"contestId": cat1.contest_id, "locked": False})
    await organizer.ok("assignment:removed", change)
    await organizer.ok("assignment:created", change)
