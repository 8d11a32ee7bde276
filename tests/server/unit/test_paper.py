"""Paper sheets: entered by a tally master for a judge, confirmed by a second person."""

from __future__ import annotations

import pytest

from scoring_console.protocol.audit import AuditQuery
from scoring_console.protocol.entities import RequestStatus
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.paper import (
    PaperListRequest,
    PaperScore,
    PaperSheetDecision,
    PaperSheetSubmit,
)
from scoring_console.protocol.payloads import CertificationSign
from scoring_console.server.service import (
    Actor,
    Broadcast,
    Conflict,
    Forbidden,
    Invalid,
    Locked,
    audit,
)

from .conftest import Demo, new_client_id


def paper(demo: Demo, judge: Actor, values: list[float]) -> PaperSheetSubmit:
    cat = demo.cat1
    cells = [(c, k.id) for c in cat.contestant_ids for k in cat.criteria]
    return PaperSheetSubmit(
        client_id=new_client_id(),
        category_id=cat.id,
        judge_id=judge.user_id,
        entries=[
            PaperScore(contestant_id=c, criterion_id=k, score=v)
            for (c, k), v in zip(cells, values, strict=False)
        ],
        note="laptop battery died",
    )


def test_entered_sheet_counts_only_after_a_second_person_confirms(demo: Demo) -> None:
    judge, tally, auditor = demo.actor("judge3"), demo.actor("tally1"), demo.actor("auditor1")
    sheet = demo.service.submit_paper(tally, paper(demo, judge, [6.0, 7.0, 8.0])).result
    assert sheet.status is RequestStatus.PENDING and len(sheet.entries) == 3
    assert (sheet.judge_name, sheet.entered_by_name) == ("Fatima Okafor", "Thomas Becker")
    assert [s for s in demo.service.snapshot(tally).scores if s.judge_id == judge.user_id] == []
    with pytest.raises(Forbidden, match="second person"):
        demo.service.decide_paper(tally, PaperSheetDecision(sheet_id=sheet.id, approve=True))
    decided = demo.service.decide_paper(
        auditor, PaperSheetDecision(sheet_id=sheet.id, approve=True, note="matches the paper")
    )
    assert decided.result.status is RequestStatus.APPROVED
    updates = [
        e
        for e in decided.effects
        if isinstance(e, Broadcast) and e.event is ServerEvent.SCORES_UPDATED
    ]
    assert len(updates) == 3 and all(e.mask_score_for_judges for e in updates)
    scores = [s for s in demo.service.snapshot(tally).scores if s.judge_id == judge.user_id]
    assert sorted(s.score for s in scores) == [6.0, 7.0, 8.0]
    with demo.service.db.reading() as conn:
        log = audit.query(conn, AuditQuery(user_id=judge.user_id)).entries
    entered, *created, confirmed = log
    assert (entered.action, entered.actor_username, entered.reason) == (
        "paper.entered",
        "tally1",
        "laptop battery died",
    )
    assert [c.action for c in created] == ["score.created"] * 3
    assert {c.actor_username for c in created} == {"auditor1"}
    assert all(
        "entered by Thomas Becker, confirmed by Aisha Khan" in (c.reason or "") for c in created
    )
    assert confirmed.action == "paper.confirmed"
    with pytest.raises(Conflict):
        demo.service.decide_paper(auditor, PaperSheetDecision(sheet_id=sheet.id, approve=False))


def test_rejected_sheet_changes_nothing(demo: Demo) -> None:
    judge, tally, admin = demo.actor("judge3"), demo.actor("tally1"), demo.actor("admin")
    sheet = demo.service.submit_paper(tally, paper(demo, judge, [6.0])).result
    demo.service.decide_paper(admin, PaperSheetDecision(sheet_id=sheet.id, approve=False))
    assert [s for s in demo.service.snapshot(tally).scores if s.judge_id == judge.user_id] == []
    listing = demo.service.list_paper(tally, PaperListRequest()).result.sheets
    assert [s.status for s in listing] == [RequestStatus.REJECTED]


def test_entry_follows_the_judges_rules(demo: Demo) -> None:
    tally, judge = demo.actor("tally1"), demo.actor("judge1")
    with pytest.raises(Forbidden):
        demo.service.submit_paper(judge, paper(demo, judge, [6.0]))
    with pytest.raises(Invalid, match="exceeds"):
        demo.service.submit_paper(tally, paper(demo, judge, [60.0]))
    with pytest.raises(Invalid, match="not a judge"):
        demo.service.submit_paper(tally, paper(demo, demo.actor("auditor1"), [6.0]))
    demo.fill_sheet(judge, demo.cat1)
    demo.service.sign_certification(
        judge, CertificationSign(client_id=new_client_id(), category_id=demo.cat1.id)
    )
    with pytest.raises(Locked):
        demo.service.submit_paper(tally, paper(demo, judge, [6.0]))


def test_replay_returns_the_stored_sheet(demo: Demo) -> None:
    tally, judge = demo.actor("tally1"), demo.actor("judge2")
    payload = paper(demo, judge, [5.0, 5.5])
    first = demo.service.submit_paper(tally, payload)
    again = demo.service.submit_paper(tally, payload)
    assert again.result == first.result and again.effects == []
