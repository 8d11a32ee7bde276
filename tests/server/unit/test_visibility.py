"""Who sees what: rooms per role, snapshots (masked), presence lists, totals access."""

from __future__ import annotations

import pytest

from scoring_console.protocol.payloads import Heartbeat, TotalsRequest
from scoring_console.protocol.roles import Role
from scoring_console.server.service import Actor, Forbidden, NotFound

from .conftest import Demo


def test_rooms_for_a_judge_are_their_assignments(demo: Demo) -> None:
    judge = demo.actor("judge1")
    c1, c2 = demo.cat1, demo.cat2
    assert demo.service.views.rooms_for(judge) == {
        "all",
        f"user:{judge.user_id}",
        "role:JUDGE",
        f"category:{c1.id}",
        f"category:{c1.id}:JUDGE",
        f"category:{c2.id}",
        f"category:{c2.id}:JUDGE",
        f"contest:{c1.contest_id}",
        "event:1",
    }


def test_rooms_for_tally_and_venue_roles(demo: Demo) -> None:
    tally_rooms = demo.service.views.rooms_for(demo.actor("tally1"))
    assert f"category:{demo.cat1.id}:TALLY_MASTER" in tally_rooms
    assert f"category:{demo.cat3.id}" not in tally_rooms
    assert f"contest:{demo.cat3.contest_id}" not in tally_rooms
    for name in ("auditor1", "board1", "organizer1", "admin"):
        actor = demo.actor(name)
        rooms = demo.service.views.rooms_for(actor)
        assert {f"category:{c.id}" for c in (demo.cat1, demo.cat2, demo.cat3)} <= rooms
        assert {f"role:{actor.role.value}", f"user:{actor.user_id}", "all"} <= rooms
        assert demo.service.views.visible_category_ids(actor) == {
            demo.cat1.id,
            demo.cat2.id,
            demo.cat3.id,
        }


def test_snapshot_leaves_out_other_judges_and_scopes_to_assignments(demo: Demo) -> None:
    j1, j2 = demo.actor("judge1"), demo.actor("judge2")
    demo.service.scores.submit_score(j1, demo.submit(j1, demo.cat1, value=9))
    demo.service.scores.submit_score(j2, demo.submit(j2, demo.cat1, value=2))
    snap = demo.service.views.snapshot(j1)
    assert snap.seq == demo.service.views.current_seq()
    assert snap.user.username == "judge1"
    assert {c.id for c in snap.categories} == {demo.cat1.id, demo.cat2.id}
    assert len(snap.contests) == 1 and len(snap.contestants) == 6
    assert {s.judge_id: s.score for s in snap.scores} == {j1.user_id: 9}
    assert snap.presence == []
    assert all(c.max_score == 10 for cat in snap.categories for c in cat.criteria)
    full = demo.service.views.snapshot(demo.actor("tally1"))
    assert {s.judge_id: s.score for s in full.scores} == {j1.user_id: 9, j2.user_id: 2}
    venue = demo.service.views.snapshot(demo.actor("auditor1"))
    assert len(venue.categories) == 3 and len(venue.contests) == 2
    assert len(venue.contestants) == 10


def test_snapshot_presence_lists(demo: Demo) -> None:
    judge = demo.actor("judge3")
    demo.service.presence.set_online(judge, True)
    demo.service.presence.heartbeat(judge, Heartbeat(pending_count=4))
    tally_view = demo.service.views.snapshot(demo.actor("tally1")).presence
    assert sorted(p.username for p in tally_view) == [f"judge{i}" for i in range(1, 6)]
    mine = next(p for p in tally_view if p.user_id == judge.user_id)
    assert (mine.online, mine.pending_count, mine.last_seen) == (True, 4, demo.clock.now)
    others = [p for p in tally_view if p.user_id != judge.user_id]
    assert not any(p.online for p in others)
    admin_view = demo.service.views.snapshot(demo.actor("admin")).presence
    assert {p.role.value for p in admin_view} == {"JUDGE"} and len(admin_view) == 5


def test_totals_are_for_tally_masters_of_the_category_and_venue_roles(demo: Demo) -> None:
    request = TotalsRequest(category_id=demo.cat1.id)
    with pytest.raises(Forbidden):
        demo.service.scores.totals(demo.actor("judge1"), request)
    with pytest.raises(Forbidden):
        demo.service.scores.totals(demo.actor("tally1"), TotalsRequest(category_id=demo.cat3.id))
    with pytest.raises(NotFound):
        demo.service.scores.totals(demo.actor("admin"), TotalsRequest(category_id=999))
    for name in ("tally1", "auditor1", "board1", "organizer1", "admin"):
        totals = demo.service.scores.totals(demo.actor(name), request).result.totals
        assert [t.total for t in totals] == [0.0] * 6
        assert {t.rank for t in totals} == {1}  # all tied at zero share rank 1


def test_snapshot_of_a_deactivated_user_is_not_found(demo: Demo) -> None:
    judge = demo.actor("judge4")
    demo.service.accounts.set_user_active(judge.user_id, False)
    with pytest.raises(NotFound):
        demo.service.views.snapshot(judge)


def test_snapshot_and_rooms_of_an_unassigned_judge(demo: Demo) -> None:
    user = demo.service.accounts.create_user("judge6", "New Judge", Role.JUDGE, "pw")
    actor = Actor(user.id, user.role, user.username)
    assert demo.service.views.rooms_for(actor) == {"all", f"user:{user.id}", "role:JUDGE"}
    snap = demo.service.views.snapshot(actor)
    assert (snap.categories, snap.scores, snap.contests, snap.events) == ([], [], [], [])
    assert snap.user == user
