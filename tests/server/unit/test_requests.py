"""Deductions and score removals: who may ask, who decides, idempotency, effects."""

from __future__ import annotations

import pytest

from scoring_console.protocol.entities import Notification, RequestStatus, ScoreDeleted
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import (
    ContestLock,
    DeductionCreate,
    DeductionDecision,
    RemovalDecision,
    RemovalRequestCreate,
    ScoresRequest,
)
from scoring_console.server.service import (
    Actor,
    Broadcast,
    Conflict,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
)

from .conftest import Demo, new_client_id


def deduction(demo: Demo, contestant_index: int = 0, amount: float = 2.5) -> DeductionCreate:
    return DeductionCreate(
        client_id=new_client_id(),
        category_id=demo.cat1.id,
        contestant_id=demo.cat1.contestant_ids[contestant_index],
        amount=amount,
        reason="costume malfunction",
    )


def removal(score_id: int) -> RemovalRequestCreate:
    return RemovalRequestCreate(client_id=new_client_id(), score_id=score_id, reason="typo")


def test_deduction_request_goes_to_tally_masters_auditors_and_requester(demo: Demo) -> None:
    judge = demo.actor("judge1")
    outcome = demo.service.request_deduction(judge, deduction(demo))
    assert outcome.result.status is RequestStatus.PENDING
    (effect,) = outcome.effects
    assert isinstance(effect, Broadcast) and effect.event is ServerEvent.DEDUCTION_PENDING
    assert set(effect.rooms) == {
        f"category:{demo.cat1.id}:TALLY_MASTER",
        "role:AUDITOR",
        f"user:{judge.user_id}",
    }


def test_deduction_replay_and_conflict(demo: Demo) -> None:
    judge = demo.actor("judge1")
    payload = deduction(demo)
    first = demo.service.request_deduction(judge, payload)
    replay = demo.service.request_deduction(judge, payload)
    assert replay.result.id == first.result.id and replay.effects == []
    with pytest.raises(Conflict):
        demo.service.request_deduction(judge, payload.model_copy(update={"amount": 3.0}))


def test_who_may_request_deductions(demo: Demo) -> None:
    payload = deduction(demo)
    for name in ("auditor1", "board1"):
        with pytest.raises(Forbidden):
            demo.service.request_deduction(demo.actor(name), deduction(demo))
    outside = payload.model_copy(
        update={"category_id": demo.cat3.id, "contestant_id": demo.cat3.contestant_ids[0]}
    )
    for name in ("judge1", "tally1"):
        with pytest.raises(Forbidden):
            demo.service.request_deduction(demo.actor(name), outside)
    for name in ("organizer1", "admin"):
        assert demo.service.request_deduction(
            demo.actor(name), outside.model_copy(update={"client_id": new_client_id()})
        ).result
    wrong = payload.model_copy(update={"contestant_id": demo.cat3.contestant_ids[0]})
    with pytest.raises(Invalid):
        demo.service.request_deduction(demo.actor("tally1"), wrong)


def test_deduction_decision_rules(demo: Demo) -> None:
    created = demo.service.request_deduction(demo.actor("judge1"), deduction(demo)).result
    decision = DeductionDecision(deduction_id=created.id, approve=True, note="agreed")
    for name in ("judge1", "board1", "organizer1"):
        with pytest.raises(Forbidden):
            demo.service.decide_deduction(demo.actor(name), decision)
    with pytest.raises(NotFound):
        demo.service.decide_deduction(
            demo.actor("admin"), DeductionDecision(deduction_id=999, approve=True)
        )
    outcome = demo.service.decide_deduction(demo.actor("tally1"), decision)
    assert outcome.result.status is RequestStatus.APPROVED
    assert outcome.result.decided_by == demo.actor("tally1").user_id
    effect, note = outcome.effects
    assert isinstance(effect, Broadcast) and effect.event is ServerEvent.DEDUCTION_DECIDED
    assert f"user:{demo.actor('judge1').user_id}" in effect.rooms
    # the judge who asked is told the decision, in words
    assert isinstance(note, Broadcast) and note.event is ServerEvent.NOTIFICATION
    assert note.rooms == (f"user:{demo.actor('judge1').user_id}",)
    assert isinstance(note.payload, Notification)
    assert note.payload.message.endswith(
        "in Vocal Performance (Senior Showcase) was approved. Note: agreed"
    )
    with pytest.raises(Conflict):
        demo.service.decide_deduction(demo.actor("auditor1"), decision)


def test_unassigned_tally_master_cannot_decide(demo: Demo) -> None:
    other = demo.service.create_user("tally2", "Second Tally", demo.actor("tally1").role, "pw")
    tally2 = Actor(other.id, other.role, other.username)
    created = demo.service.request_deduction(demo.actor("admin"), deduction(demo)).result
    with pytest.raises(Forbidden):
        demo.service.decide_deduction(
            tally2, DeductionDecision(deduction_id=created.id, approve=True)
        )


def test_locked_contest_refuses_deductions_and_decisions(demo: Demo) -> None:
    created = demo.service.request_deduction(demo.actor("judge1"), deduction(demo)).result
    demo.service.lock_contest(
        demo.actor("board1"), ContestLock(contest_id=demo.cat1.contest_id, locked=True)
    )
    with pytest.raises(Locked):
        demo.service.request_deduction(demo.actor("judge1"), deduction(demo))
    with pytest.raises(Locked):
        demo.service.decide_deduction(
            demo.actor("auditor1"), DeductionDecision(deduction_id=created.id, approve=True)
        )


def test_removal_approved_deletes_the_score_with_audit(demo: Demo) -> None:
    judge = demo.actor("judge1")
    score = demo.service.submit_score(judge, demo.submit(judge, demo.cat1, value=6)).result
    keep = demo.service.submit_score(judge, demo.submit(judge, demo.cat1, 1, 0, 7)).result
    requested = demo.service.request_removal(judge, removal(score.id))
    assert requested.result.status is RequestStatus.PENDING
    (pending,) = requested.effects
    assert isinstance(pending, Broadcast) and pending.event is ServerEvent.SCORE_REMOVAL_PENDING
    assert set(pending.rooms) == {"role:ADMIN", f"user:{judge.user_id}"}
    admin = demo.actor("admin")
    decided = demo.service.decide_removal(
        admin, RemovalDecision(request_id=requested.result.id, approve=True)
    )
    assert decided.result.status is RequestStatus.APPROVED
    events = [e.event for e in decided.effects if isinstance(e, Broadcast)]
    assert events == [
        ServerEvent.SCORE_REMOVAL_DECIDED,
        ServerEvent.SCORES_DELETED,
        ServerEvent.NOTIFICATION,  # the requester is told
    ]
    deleted = decided.effects[1]
    assert isinstance(deleted, Broadcast) and isinstance(deleted.payload, ScoreDeleted)
    assert deleted.payload.id == score.id and f"category:{demo.cat1.id}" in deleted.rooms
    remaining = demo.service.request_scores(admin, ScoresRequest(category_id=demo.cat1.id))
    assert [s.id for s in remaining.result.scores] == [keep.id]
    audit = demo.service.db.conn.execute(
        "SELECT action, old_score, new_score, changed_by FROM score_audit "
        "WHERE score_id = ? ORDER BY id",
        (score.id,),
    ).fetchall()
    assert [tuple(row) for row in audit] == [
        ("create", None, 6.0, judge.user_id),
        ("delete", 6.0, None, admin.user_id),
    ]
    with pytest.raises(Conflict):
        demo.service.decide_removal(
            admin, RemovalDecision(request_id=requested.result.id, approve=False)
        )


def test_removal_request_rules(demo: Demo) -> None:
    j1, j2 = demo.actor("judge1"), demo.actor("judge2")
    score = demo.service.submit_score(j1, demo.submit(j1, demo.cat1)).result
    with pytest.raises(Forbidden):
        demo.service.request_removal(j2, removal(score.id))  # not their score
    with pytest.raises(Forbidden):
        demo.service.request_removal(demo.actor("admin"), removal(score.id))
    with pytest.raises(NotFound):
        demo.service.request_removal(j1, removal(9999))
    by_tally = demo.service.request_removal(demo.actor("tally1"), removal(score.id)).result
    with pytest.raises(Conflict):  # one pending request per score
        demo.service.request_removal(j1, removal(score.id))
    with pytest.raises(Forbidden):
        demo.service.decide_removal(
            demo.actor("tally1"), RemovalDecision(request_id=by_tally.id, approve=True)
        )
    rejected = demo.service.decide_removal(
        demo.actor("admin"), RemovalDecision(request_id=by_tally.id, approve=False)
    )
    assert rejected.result.status is RequestStatus.REJECTED
    assert [e.event for e in rejected.effects if isinstance(e, Broadcast)] == [
        ServerEvent.SCORE_REMOVAL_DECIDED,
        ServerEvent.NOTIFICATION,
    ]
    still = demo.service.request_scores(j1, ScoresRequest(category_id=demo.cat1.id))
    assert [s.id for s in still.result.scores] == [score.id]
