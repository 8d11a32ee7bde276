"""Manual tie decisions and outlier flags on the service: stored, checked, blocking sign-off."""

from __future__ import annotations

import pytest

from scoring_console.protocol.entities import Category, NotificationType, OutlierAction
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import (
    CertificationSign,
    OutlierReviewCreate,
    TieDecisionCreate,
    TotalsRequest,
)
from scoring_console.protocol.scoring import ScoringRules
from scoring_console.server.service import Actor
from scoring_console.server.service.types import (
    Broadcast,
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
)

from .conftest import Demo, new_client_id


def set_rules(demo: Demo, category: Category, rules: ScoringRules) -> None:
    with demo.service.db.transaction() as conn:
        conn.execute(
            "UPDATE categories SET scoring = ? WHERE id = ?", (rules.to_json_text(), category.id)
        )


def fill(demo: Demo, rows: dict[int, float], judges: list[Actor] | None = None) -> None:
    """Every panel judge scores every criterion of contestant index ``i`` as ``rows[i]``."""
    for judge in judges or demo.judges:
        for index, value in rows.items():
            for k in range(len(demo.cat1.criteria)):
                demo.service.submit_score(judge, demo.submit(judge, demo.cat1, index, k, value))


def decide(demo: Demo, order: list[int], client_id: str | None = None, actor: str = "tally1"):  # type: ignore[no-untyped-def]
    payload = TieDecisionCreate(
        client_id=client_id or new_client_id(),
        category_id=demo.cat1.id,
        contestant_ids=order,
        reason="Higher talent round by consensus",
    )
    return demo.service.decide_tie(demo.actor(actor), payload)


def ranks(demo: Demo) -> dict[int, int]:
    totals = demo.service.totals(demo.actor("tally1"), TotalsRequest(category_id=demo.cat1.id))
    return {t.contestant_id: t.rank for t in totals.result.totals}


def test_a_manual_decision_orders_a_tie_and_reaches_sync_for_tally_not_judges(demo: Demo) -> None:
    set_rules(demo, demo.cat1, ScoringRules(tie_break=["manual"]))
    fill(demo, {0: 7, 1: 7, 2: 9, 3: 1, 4: 1, 5: 1})
    a, b, c = demo.cat1.contestant_ids[:3]
    assert ranks(demo)[a] == ranks(demo)[b] == 2
    outcome = decide(demo, [b, a])
    (effect,) = outcome.effects
    assert isinstance(effect, Broadcast) and effect.event is ServerEvent.TIES_DECIDED
    assert (ranks(demo)[c], ranks(demo)[b], ranks(demo)[a]) == (1, 2, 3)
    totals = demo.service.totals(demo.actor("tally1"), TotalsRequest(category_id=demo.cat1.id))
    assert {t.contestant_id: t.tie_break for t in totals.result.totals}[b] == "manual"
    tally_snap = demo.service.snapshot(demo.actor("tally1"))
    assert [d.contestant_ids for d in tally_snap.tie_decisions] == [[b, a]]
    assert tally_snap.tie_decisions[0].reason == "Higher talent round by consensus"
    assert demo.service.snapshot(demo.actor("judge1")).tie_decisions == []


def test_a_decision_replays_by_client_id_and_conflicts_on_other_content(demo: Demo) -> None:
    set_rules(demo, demo.cat1, ScoringRules(tie_break=["manual"]))
    fill(demo, {0: 5, 1: 5})
    a, b = demo.cat1.contestant_ids[:2]
    first = decide(demo, [a, b], client_id="00000000-0000-4000-8000-000000000001")
    again = decide(demo, [a, b], client_id="00000000-0000-4000-8000-000000000001")
    assert again.result == first.result and again.effects == []
    with pytest.raises(Conflict):
        decide(demo, [b, a], client_id="00000000-0000-4000-8000-000000000001")


def test_a_decision_needs_manual_in_the_rules_and_equal_totals(demo: Demo) -> None:
    fill(demo, {0: 5, 1: 5, 2: 6})
    a, b, c = demo.cat1.contestant_ids[:3]
    with pytest.raises(PreconditionFailed, match="no manual tie-break"):
        decide(demo, [a, b])
    set_rules(demo, demo.cat1, ScoringRules(tie_break=["manual"]))
    with pytest.raises(PreconditionFailed, match="equal totals"):
        decide(demo, [a, c])
    with pytest.raises(Forbidden):
        decide(demo, [a, b], actor="judge1")
    with pytest.raises(Forbidden):
        decide(demo, [a, b], actor="auditor1")


def _flag_one(demo: Demo) -> tuple[int, int, int]:
    """Judges 1-4 give 8 everywhere; judge 5 gives 1 for contestant 0, criterion 0."""
    fill(demo, dict.fromkeys(range(6), 8.0), demo.judges[:4])
    fill(demo, dict.fromkeys(range(6), 8.0), demo.judges[4:])
    odd = demo.judges[4]
    demo.service.submit_score(odd, demo.submit(odd, demo.cat1, 0, 0, 1.0))
    return (demo.cat1.contestant_ids[0], demo.cat1.criteria[0].id, odd.user_id)


def _judges_sign(demo: Demo) -> None:
    for judge in demo.judges:
        demo.service.sign_certification(
            judge, CertificationSign(client_id=new_client_id(), category_id=demo.cat1.id)
        )


def review(demo: Demo, cell: tuple[int, int, int], action: OutlierAction, note: str):  # type: ignore[no-untyped-def]
    return demo.service.review_outlier(
        demo.actor("tally1"),
        OutlierReviewCreate(
            client_id=new_client_id(),
            category_id=demo.cat1.id,
            contestant_id=cell[0],
            criterion_id=cell[1],
            judge_id=cell[2],
            action=action,
            note=note,
        ),
    )


def test_an_open_outlier_flag_blocks_the_tally_signature_until_cleared(demo: Demo) -> None:
    cell = _flag_one(demo)
    _judges_sign(demo)
    sign = CertificationSign(client_id=new_client_id(), category_id=demo.cat1.id)
    with pytest.raises(PreconditionFailed) as refused:
        demo.service.sign_certification(demo.actor("tally1"), sign)
    message = str(refused.value)
    contestant = demo.service.snapshot(demo.actor("admin")).contestants
    name = next(c.name for c in contestant if c.id == cell[0])
    assert name in message and demo.cat1.criteria[0].name in message and "Sofia Rossi" in message
    assert refused.value.details["openFlags"] == [
        {"contestantId": cell[0], "criterionId": cell[1], "judgeId": cell[2]}
    ]
    outcome = review(demo, cell, OutlierAction.CLEAR, "Confirmed with the judge: stumble on stage")
    assert outcome.effects[0].event is ServerEvent.OUTLIERS_REVIEWED  # type: ignore[union-attr]
    signed = demo.service.sign_certification(demo.actor("tally1"), sign)
    assert signed.result.certification.status.value == "TALLY_SIGNED"


def test_asking_the_judge_notifies_them_and_keeps_the_flag_open(demo: Demo) -> None:
    cell = _flag_one(demo)
    outcome = review(demo, cell, OutlierAction.ASK_JUDGE, "Typo? 1 vs 8 from the rest")
    notes = [e for e in outcome.effects if e.event is ServerEvent.NOTIFICATION]  # type: ignore[union-attr]
    assert len(notes) == 1 and notes[0].rooms == (f"user:{cell[2]}",)  # type: ignore[union-attr]
    judge_snap = demo.service.snapshot(demo.judges[4])
    (note,) = [n for n in judge_snap.notifications if n.title == "Please check a score"]
    assert note.type is NotificationType.WARNING and "Typo? 1 vs 8" in note.message
    assert demo.cat1.criteria[0].name in note.message
    # still open: the judge corrects the score, and the flag disappears with it
    odd = demo.judges[4]
    demo.service.submit_score(odd, demo.submit(odd, demo.cat1, 0, 0, 7.5))
    _judges_sign(demo)
    sign = CertificationSign(client_id=new_client_id(), category_id=demo.cat1.id)
    assert demo.service.sign_certification(demo.actor("tally1"), sign).result.receipt


def test_a_cleared_flag_reopens_when_the_score_changes_to_another_outlier(demo: Demo) -> None:
    cell = _flag_one(demo)
    review(demo, cell, OutlierAction.CLEAR, "ok")
    odd = demo.judges[4]
    demo.service.submit_score(odd, demo.submit(odd, demo.cat1, 0, 0, 2.0))
    _judges_sign(demo)
    sign = CertificationSign(client_id=new_client_id(), category_id=demo.cat1.id)
    with pytest.raises(PreconditionFailed, match="outlier"):
        demo.service.sign_certification(demo.actor("tally1"), sign)


def test_reviewing_a_cell_without_a_score_is_not_found(demo: Demo) -> None:
    cell = (demo.cat1.contestant_ids[0], demo.cat1.criteria[0].id, demo.judges[0].user_id)
    with pytest.raises(NotFound):
        review(demo, cell, OutlierAction.CLEAR, "nothing there")


def test_disabled_outlier_rule_flags_nothing(demo: Demo) -> None:
    set_rules(demo, demo.cat1, ScoringRules.model_validate({"outliers": {"enabled": False}}))
    _flag_one(demo)
    _judges_sign(demo)
    sign = CertificationSign(client_id=new_client_id(), category_id=demo.cat1.id)
    assert demo.service.sign_certification(demo.actor("tally1"), sign).result.receipt
