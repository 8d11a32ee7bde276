"""Corrections after sign-off: reopen requests, decisions, superseded receipts, reasons."""

from __future__ import annotations

import pytest

from scoring_console.protocol.audit import AuditAction, AuditQuery
from scoring_console.protocol.entities import CertificationStatus, RequestStatus
from scoring_console.protocol.payloads import CertificationSign, ResultsPublish, ScoreSubmit
from scoring_console.protocol.reopen import ReopenDecision, ReopenListRequest, ReopenRequestCreate
from scoring_console.server.service import (
    Actor,
    Conflict,
    Forbidden,
    Invalid,
    Locked,
    PreconditionFailed,
    audit,
)

from .conftest import Demo, new_client_id
from .test_audit import certify


def ask(demo: Demo, judge: Actor, reason: str = "typo in row 2") -> int:
    payload = ReopenRequestCreate(
        client_id=new_client_id(), category_id=demo.cat1.id, reason=reason
    )
    return demo.service.request_reopen(judge, payload).result.id


def sign(demo: Demo, actor: Actor) -> str:
    payload = CertificationSign(client_id=new_client_id(), category_id=demo.cat1.id)
    return demo.service.sign_certification(actor, payload).result.receipt


def notes_of(demo: Demo, actor: Actor) -> list[str]:
    return [n.title for n in demo.service.snapshot(actor).notifications]


def test_only_a_judge_who_signed_may_ask(demo: Demo) -> None:
    judge = demo.actor("judge1")
    with pytest.raises(PreconditionFailed):
        ask(demo, judge)
    with pytest.raises(Forbidden):
        ask(demo, demo.actor("tally1"))


def test_approval_reopens_the_sheet_supersedes_the_receipt_and_needs_reasons(
    demo: Demo,
) -> None:
    judge, tally = demo.actor("judge1"), demo.actor("tally1")
    demo.fill_sheet(judge, demo.cat1)
    old_receipt = sign(demo, judge)
    request_id = ask(demo, judge)
    with pytest.raises(Conflict):
        ask(demo, judge, "again")
    assert "Reopen requested" in notes_of(demo, tally)
    decided = demo.service.decide_reopen(tally, ReopenDecision(request_id=request_id, approve=True))
    assert decided.result.status is RequestStatus.APPROVED
    assert decided.result.superseded_receipt == old_receipt
    assert "Sheet reopened" in notes_of(demo, judge)
    cert = demo.service.snapshot(tally).certifications
    (state,) = [c for c in cert if c.category_id == demo.cat1.id]
    assert state.status is CertificationStatus.NOT_STARTED and state.signoffs == []
    # the sheet is open again, but every change now needs a reason
    change = demo.submit(judge, demo.cat1, value=9.0)
    with pytest.raises(Invalid, match="needs a reason") as refused:
        demo.service.submit_score(judge, change)
    assert refused.value.details["reasonRequired"] is True
    with_reason = ScoreSubmit.model_validate(
        {**change.model_dump(), "client_id": new_client_id(), "reason": "misread 8 as 9"}
    )
    demo.service.submit_score(judge, with_reason)
    new_receipt = sign(demo, judge)
    assert new_receipt != old_receipt
    with demo.service.db.reading() as conn:
        log = audit.query(conn, AuditQuery(category_id=demo.cat1.id)).entries
    superseded = [e for e in log if e.action == AuditAction.SIGNOFF_SUPERSEDED]
    assert superseded[0].old is not None and superseded[0].old["receipt"] == old_receipt
    assert [e.reason for e in log if e.action == AuditAction.SCORE_UPDATED] == ["misread 8 as 9"]


def test_before_sign_off_no_reason_is_needed(demo: Demo) -> None:
    judge = demo.actor("judge2")
    demo.service.submit_score(judge, demo.submit(judge, demo.cat1, value=3))
    demo.service.submit_score(judge, demo.submit(judge, demo.cat1, value=4))


def test_rejection_tells_the_judge_and_keeps_the_sheet_signed(demo: Demo) -> None:
    judge, tally = demo.actor("judge1"), demo.actor("tally1")
    demo.fill_sheet(judge, demo.cat1)
    sign(demo, judge)
    request_id = ask(demo, judge)
    demo.service.decide_reopen(
        tally, ReopenDecision(request_id=request_id, approve=False, note="fine as is")
    )
    assert "Reopen refused" in notes_of(demo, judge)
    with pytest.raises(Locked):
        demo.service.submit_score(judge, demo.submit(judge, demo.cat1, value=1))
    with pytest.raises(Conflict):
        demo.service.decide_reopen(tally, ReopenDecision(request_id=request_id, approve=True))


def test_a_superseded_sign_off_cannot_be_replayed(demo: Demo) -> None:
    judge, tally = demo.actor("judge1"), demo.actor("tally1")
    demo.fill_sheet(judge, demo.cat1)
    payload = CertificationSign(client_id=new_client_id(), category_id=demo.cat1.id)
    demo.service.sign_certification(judge, payload)
    demo.service.decide_reopen(tally, ReopenDecision(request_id=ask(demo, judge), approve=True))
    with pytest.raises(Conflict, match="superseded"):
        demo.service.sign_certification(judge, payload)


def test_certified_category_only_an_admin_reopens_with_a_reason(demo: Demo) -> None:
    certify(demo, demo.cat1)
    demo.service.publish_results(demo.actor("admin"), ResultsPublish(category_id=demo.cat1.id))
    judge, tally, admin = demo.actor("judge1"), demo.actor("tally1"), demo.actor("admin")
    request_id = ask(demo, judge)
    assert "Reopen requested" in notes_of(demo, admin)
    with pytest.raises(Locked, match="only an admin"):
        demo.service.decide_reopen(tally, ReopenDecision(request_id=request_id, approve=True))
    with pytest.raises(Invalid, match="reason"):
        demo.service.decide_reopen(admin, ReopenDecision(request_id=request_id, approve=True))
    demo.service.decide_reopen(
        admin, ReopenDecision(request_id=request_id, approve=True, note="protest upheld")
    )
    snap = demo.service.snapshot(admin)
    (state,) = [c for c in snap.certifications if c.category_id == demo.cat1.id]
    assert state.status is CertificationStatus.JUDGES_SIGNING
    assert {s.role.value for s in state.signoffs} == {"JUDGE"}  # the other judges stay
    assert len(state.signoffs) == 4
    (category,) = [c for c in snap.categories if c.id == demo.cat1.id]
    assert category.published is False
    with demo.service.db.reading() as conn:
        log = audit.query(conn, AuditQuery(action="category.reopened")).entries
    assert [(e.reason, e.actor_username) for e in log] == [("protest upheld", "admin")]
    superseded = audit.query(demo.service.db.conn, AuditQuery(action="signoff.superseded")).entries
    assert [e.old["role"] for e in superseded if e.old] == [
        "JUDGE",
        "TALLY_MASTER",
        "AUDITOR",
        "BOARD",
    ]


def test_list_shows_each_role_what_it_may_see(demo: Demo) -> None:
    j1, j2 = demo.actor("judge1"), demo.actor("judge2")
    for judge in (j1, j2):
        demo.fill_sheet(judge, demo.cat1)
        sign(demo, judge)
        ask(demo, judge)
    listing = demo.service.list_reopens
    assert [q.judge_id for q in listing(j1, ReopenListRequest()).result.requests] == [j1.user_id]
    assert len(listing(demo.actor("tally1"), ReopenListRequest()).result.requests) == 2
    assert listing(demo.actor("admin"), ReopenListRequest(category_id=demo.cat3.id)).result == (
        listing(j1, ReopenListRequest(category_id=demo.cat3.id)).result
    )


def test_history_judges_see_only_their_own(demo: Demo) -> None:
    j1, j2 = demo.actor("judge1"), demo.actor("judge2")
    demo.service.submit_score(j1, demo.submit(j1, demo.cat1))
    demo.service.submit_score(j2, demo.submit(j2, demo.cat1))
    mine = demo.service.audit_history(j1, AuditQuery()).result.entries
    assert {e.subject_user_id for e in mine} == {j1.user_id}
    asked_for_other = demo.service.audit_history(j1, AuditQuery(user_id=j2.user_id)).result
    assert asked_for_other.entries == []
    assert len(demo.service.audit_history(demo.actor("tally1"), AuditQuery()).result.entries) == 2
    assert len(demo.service.audit_history(demo.actor("auditor1"), AuditQuery()).result.entries) == 2
