"""Assignments: who may change them, room moves for live sockets, notifications."""

from __future__ import annotations

import pytest

from scoring_console.protocol.entities import Certification, CertificationStatus
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import (
    AssignmentChange,
    AssignmentRevoked,
    CertificationSign,
)
from scoring_console.protocol.roles import Role
from scoring_console.server.service import (
    Broadcast,
    Conflict,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    RoomChange,
)

from .conftest import Demo, new_client_id


def test_assigning_a_judge_moves_rooms_and_notifies(demo: Demo) -> None:
    judge = demo.actor("judge1")
    before = demo.service.views.rooms_for(judge)
    change = AssignmentChange(user_id=judge.user_id, category_id=demo.cat3.id)
    outcome = demo.service.assignments.create_assignment(demo.actor("organizer1"), change)
    assert (outcome.result.user_id, outcome.result.category_id, outcome.result.role) == (
        judge.user_id,
        demo.cat3.id,
        Role.JUDGE,
    )
    after = demo.service.views.rooms_for(judge)
    moves = [e for e in outcome.effects if isinstance(e, RoomChange)]
    assert moves == [RoomChange(judge.user_id, join=tuple(sorted(after - before)))]
    assert set(moves[0].join) == {
        f"category:{demo.cat3.id}",
        f"category:{demo.cat3.id}:JUDGE",
        f"contest:{demo.cat3.contest_id}",
    }
    broadcasts = {e.event: e for e in outcome.effects if isinstance(e, Broadcast)}
    assert set(broadcasts[ServerEvent.ASSIGNMENT_NEW].rooms) == {
        f"user:{judge.user_id}",
        "role:ORGANIZER",
        "role:ADMIN",
    }
    assert broadcasts[ServerEvent.NOTIFICATION].rooms == (f"user:{judge.user_id}",)
    snap = demo.service.views.snapshot(judge)
    assert demo.cat3.id in {c.id for c in snap.categories}
    assert [n.category_id for n in snap.notifications] == [demo.cat3.id]


def test_removing_an_assignment_leaves_rooms(demo: Demo) -> None:
    tally = demo.actor("tally1")
    change = AssignmentChange(user_id=tally.user_id, category_id=demo.cat2.id)
    outcome = demo.service.assignments.remove_assignment(demo.actor("admin"), change)
    moves = [e for e in outcome.effects if isinstance(e, RoomChange)]
    # still assigned to cat1 of the same contest: only the category rooms go
    assert moves == [
        RoomChange(
            tally.user_id,
            leave=(f"category:{demo.cat2.id}", f"category:{demo.cat2.id}:TALLY_MASTER"),
        )
    ]
    revoked = next(
        e
        for e in outcome.effects
        if isinstance(e, Broadcast) and e.event is ServerEvent.ASSIGNMENT_REVOKED
    )
    assert isinstance(revoked.payload, AssignmentRevoked)
    assert revoked.payload.category_id == demo.cat2.id
    assert demo.service.views.visible_category_ids(tally) == {demo.cat1.id}
    with pytest.raises(NotFound):
        demo.service.assignments.remove_assignment(demo.actor("admin"), change)


def test_assignment_rules(demo: Demo) -> None:
    judge = demo.actor("judge1")
    existing = AssignmentChange(user_id=judge.user_id, category_id=demo.cat1.id)
    with pytest.raises(Conflict):
        demo.service.assignments.create_assignment(demo.actor("admin"), existing)
    for name in ("judge2", "tally1", "auditor1", "board1"):
        with pytest.raises(Forbidden):
            demo.service.assignments.create_assignment(demo.actor(name), existing)
    auditor = demo.actor("auditor1")
    with pytest.raises(Invalid):
        demo.service.assignments.create_assignment(
            demo.actor("admin"), AssignmentChange(user_id=auditor.user_id, category_id=demo.cat3.id)
        )
    with pytest.raises(NotFound):
        demo.service.assignments.create_assignment(
            demo.actor("admin"), AssignmentChange(user_id=999, category_id=demo.cat3.id)
        )
    with pytest.raises(NotFound):
        demo.service.assignments.create_assignment(
            demo.actor("admin"), AssignmentChange(user_id=judge.user_id, category_id=999)
        )


def test_new_judge_can_score_only_after_assignment(demo: Demo) -> None:
    judge = demo.actor("judge2")
    with pytest.raises(Forbidden):
        demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat3))
    demo.service.assignments.create_assignment(
        demo.actor("admin"), AssignmentChange(user_id=judge.user_id, category_id=demo.cat3.id)
    )
    assert demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat3)).result.score == 5


def test_a_new_judge_reopens_the_judges_step(demo: Demo) -> None:
    judge = demo.actor("judge1")
    admin = demo.actor("admin")
    demo.service.assignments.create_assignment(
        admin, AssignmentChange(user_id=judge.user_id, category_id=demo.cat3.id)
    )
    demo.fill_sheet(judge, demo.cat3)
    signed = demo.service.certification.sign_certification(
        judge, CertificationSign(client_id=new_client_id(), category_id=demo.cat3.id)
    ).result.certification
    assert signed.status is CertificationStatus.JUDGES_SIGNED
    judge2 = demo.actor("judge2")
    outcome = demo.service.assignments.create_assignment(
        admin, AssignmentChange(user_id=judge2.user_id, category_id=demo.cat3.id)
    )
    updates = [
        e.payload
        for e in outcome.effects
        if isinstance(e, Broadcast) and e.event is ServerEvent.CERTIFICATION_UPDATED
    ]
    assert len(updates) == 1 and isinstance(updates[0], Certification)
    assert updates[0].status is CertificationStatus.JUDGES_SIGNING
    assert updates[0].required_judge_ids == sorted([judge.user_id, judge2.user_id])
    assert updates[0].version == signed.version + 1
    seqs = [e.payload.seq for e in outcome.effects if isinstance(e, Broadcast)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_the_judges_panel_is_final_once_the_tally_master_signed(demo: Demo) -> None:
    admin, judge, tally = demo.actor("admin"), demo.actor("judge1"), demo.actor("tally1")
    for user in (judge, tally):
        demo.service.assignments.create_assignment(
            admin, AssignmentChange(user_id=user.user_id, category_id=demo.cat3.id)
        )
    demo.fill_sheet(judge, demo.cat3)
    for signer in (judge, tally):
        demo.service.certification.sign_certification(
            signer, CertificationSign(client_id=new_client_id(), category_id=demo.cat3.id)
        )
    seq_before = demo.service.views.current_seq()
    late = AssignmentChange(user_id=demo.actor("judge2").user_id, category_id=demo.cat3.id)
    with pytest.raises(Locked):
        demo.service.assignments.create_assignment(admin, late)
    signed_judge = AssignmentChange(user_id=judge.user_id, category_id=demo.cat3.id)
    with pytest.raises(Locked):
        demo.service.assignments.remove_assignment(admin, signed_judge)
    assert demo.service.views.current_seq() == seq_before
    # tally masters are not part of the signed panel's scores: they may still change
    tally_change = AssignmentChange(user_id=tally.user_id, category_id=demo.cat3.id)
    demo.service.assignments.remove_assignment(admin, tally_change)
