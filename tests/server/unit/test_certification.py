"""The sign-off chain: completeness, order, idempotency, receipts, board notice, publishing."""

from __future__ import annotations

import pytest

from scoring_console.protocol.entities import CertificationStatus, NotificationType
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import (
    CertificationSign,
    ContestLock,
    DeductionCreate,
    DeductionDecision,
    ResultsPublish,
    ScoresRequest,
    SignResult,
    TotalsRequest,
)
from scoring_console.protocol.ranking import rank_totals
from scoring_console.protocol.receipt import compute_receipt
from scoring_console.protocol.roles import Role
from scoring_console.server.service import (
    Actor,
    Broadcast,
    Conflict,
    Forbidden,
    Locked,
    Outcome,
    PreconditionFailed,
)

from .conftest import Demo, new_client_id


def sign(
    demo: Demo, actor: Actor, category_id: int, client_id: str | None = None
) -> Outcome[SignResult]:
    payload = CertificationSign(client_id=client_id or new_client_id(), category_id=category_id)
    return demo.service.sign_certification(actor, payload)


def all_judges_sign(demo: Demo) -> None:
    for judge in demo.judges:
        demo.fill_sheet(judge, demo.cat1, base=judge.user_id)
        sign(demo, judge, demo.cat1.id)


def test_judge_cannot_sign_an_incomplete_sheet(demo: Demo) -> None:
    judge = demo.actor("judge1")
    with pytest.raises(PreconditionFailed) as info:
        sign(demo, judge, demo.cat1.id)
    assert info.value.details["missing"] == 18  # 6 contestants x 3 criteria
    demo.service.submit_score(judge, demo.submit(judge, demo.cat1, 0, 0))
    with pytest.raises(PreconditionFailed) as info:
        sign(demo, judge, demo.cat1.id)
    assert info.value.details["missing"] == 17
    demo.fill_sheet(judge, demo.cat1)
    result = sign(demo, judge, demo.cat1.id).result
    assert result.signed_score_count == 18
    assert result.certification.status is CertificationStatus.JUDGES_SIGNING


def test_judge_receipt_covers_own_scores_and_sheet_locks(demo: Demo) -> None:
    j1, j2 = demo.actor("judge1"), demo.actor("judge2")
    demo.fill_sheet(j1, demo.cat1)
    demo.service.submit_score(j2, demo.submit(j2, demo.cat1, value=1))
    outcome = sign(demo, j1, demo.cat1.id)
    own = [
        s
        for s in demo.service.request_scores(
            j1, ScoresRequest(category_id=demo.cat1.id)
        ).result.scores
        if s.judge_id == j1.user_id
    ]
    assert outcome.result.receipt == compute_receipt(demo.cat1.id, j1.user_id, "JUDGE", own)
    signoff = outcome.result.certification.signoffs[0]
    assert (signoff.role, signoff.user_id, signoff.receipt) == (
        Role.JUDGE,
        j1.user_id,
        outcome.result.receipt,
    )
    (effect,) = outcome.effects
    assert isinstance(effect, Broadcast) and effect.event is ServerEvent.CERTIFICATION_UPDATED
    assert f"category:{demo.cat1.id}" in effect.rooms
    with pytest.raises(Locked):
        demo.service.submit_score(j1, demo.submit(j1, demo.cat1, value=2))
    # the other category of the same judge is still open
    assert demo.service.submit_score(j1, demo.submit(j1, demo.cat2, value=2)).result
    # another judge's sheet in the same category is still open
    assert demo.service.submit_score(j2, demo.submit(j2, demo.cat1, 0, 1, value=2)).result


def test_sign_is_idempotent_by_client_id_and_conflicts_otherwise(demo: Demo) -> None:
    judge = demo.actor("judge1")
    demo.fill_sheet(judge, demo.cat1)
    client_id = new_client_id()
    first = sign(demo, judge, demo.cat1.id, client_id)
    seq = demo.service.current_seq()
    replay = sign(demo, judge, demo.cat1.id, client_id)
    assert replay.result == first.result and replay.effects == []
    assert demo.service.current_seq() == seq
    with pytest.raises(Conflict):
        sign(demo, judge, demo.cat1.id)  # a second, different signature
    with pytest.raises(Conflict):
        sign(demo, demo.actor("judge2"), demo.cat1.id, client_id)  # someone else's clientId


def test_chain_order_is_enforced(demo: Demo) -> None:
    tally, auditor, board = demo.actor("tally1"), demo.actor("auditor1"), demo.actor("board1")
    for early in (tally, auditor, board):
        with pytest.raises(PreconditionFailed):
            sign(demo, early, demo.cat1.id)
    for judge in demo.judges[:4]:
        demo.fill_sheet(judge, demo.cat1)
        sign(demo, judge, demo.cat1.id)
    with pytest.raises(PreconditionFailed):  # judge5 has not signed yet
        sign(demo, tally, demo.cat1.id)
    demo.fill_sheet(demo.judges[4], demo.cat1)
    last = sign(demo, demo.judges[4], demo.cat1.id).result
    assert last.certification.status is CertificationStatus.JUDGES_SIGNED
    with pytest.raises(PreconditionFailed):
        sign(demo, board, demo.cat1.id)
    with pytest.raises(PreconditionFailed):
        sign(demo, auditor, demo.cat1.id)
    expected = [
        (tally, CertificationStatus.TALLY_SIGNED),
        (auditor, CertificationStatus.AUDITOR_SIGNED),
        (board, CertificationStatus.CERTIFIED),
    ]
    for signer, status in expected:
        assert sign(demo, signer, demo.cat1.id).result.certification.status is status
    with pytest.raises(Conflict):
        sign(demo, auditor, demo.cat1.id)


def test_roles_outside_the_chain_or_unassigned_are_forbidden(demo: Demo) -> None:
    for name in ("organizer1", "admin"):
        with pytest.raises(Forbidden):
            sign(demo, demo.actor(name), demo.cat1.id)
    with pytest.raises(Forbidden):
        sign(demo, demo.actor("judge1"), demo.cat3.id)
    with pytest.raises(Forbidden):
        sign(demo, demo.actor("tally1"), demo.cat3.id)


def test_later_receipts_cover_every_score_of_the_category(demo: Demo) -> None:
    all_judges_sign(demo)
    tally = demo.actor("tally1")
    result = sign(demo, tally, demo.cat1.id).result
    scores = demo.service.request_scores(tally, ScoresRequest(category_id=demo.cat1.id)).result
    assert result.signed_score_count == 5 * 18 == len(scores.scores)
    expected = compute_receipt(demo.cat1.id, tally.user_id, "TALLY_MASTER", scores.scores)
    assert result.receipt == expected


def test_certified_notifies_every_board_member_persistently(demo: Demo) -> None:
    all_judges_sign(demo)
    sign(demo, demo.actor("tally1"), demo.cat1.id)
    sign(demo, demo.actor("auditor1"), demo.cat1.id)
    outcome = sign(demo, demo.actor("board1"), demo.cat1.id)
    board = demo.actor("board1")
    notes = [
        e
        for e in outcome.effects
        if isinstance(e, Broadcast) and e.event is ServerEvent.NOTIFICATION
    ]
    assert len(notes) == 1
    assert notes[0].rooms == (f"user:{board.user_id}",)
    payload = notes[0].payload
    assert payload.model_dump(include={"type", "message", "category_id"}) == {
        "type": NotificationType.SUCCESS,
        "message": "Vocal Performance (Senior Showcase) is certified; its results can be "
        "published.",
        "category_id": demo.cat1.id,
    }
    # seq strictly increases across the effects of one call
    seqs = [e.payload.seq for e in outcome.effects if isinstance(e, Broadcast)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    snap = demo.service.snapshot(board)
    assert [n.message for n in snap.notifications] == [
        "The auditor has signed Vocal Performance (Senior Showcase): it is your turn to sign "
        "as board.",
        "Vocal Performance (Senior Showcase) is certified; its results can be published.",
    ]
    assert [c.status for c in snap.certifications if c.category_id == demo.cat1.id] == [
        CertificationStatus.CERTIFIED
    ]


def test_a_locked_contest_still_certifies_but_refuses_edits(demo: Demo) -> None:
    judge = demo.actor("judge1")
    demo.fill_sheet(judge, demo.cat1)
    demo.service.lock_contest(
        demo.actor("admin"), ContestLock(contest_id=demo.cat1.contest_id, locked=True)
    )
    result = sign(demo, judge, demo.cat1.id)
    assert len(result.result.receipt) == 64
    with pytest.raises(Locked):
        demo.fill_sheet(judge, demo.cat1)


def test_publish_only_certified_and_totals_are_ranked(demo: Demo) -> None:
    organizer = demo.actor("organizer1")
    with pytest.raises(PreconditionFailed):
        demo.service.publish_results(organizer, ResultsPublish(category_id=demo.cat1.id))
    all_judges_sign(demo)
    # an approved and a rejected deduction: only the approved one counts
    tally = demo.actor("tally1")
    target = demo.cat1.contestant_ids[5]
    approved = demo.service.request_deduction(
        tally,
        DeductionCreate(
            client_id=new_client_id(),
            category_id=demo.cat1.id,
            contestant_id=target,
            amount=3,
            reason="late entry",
        ),
    ).result
    rejected = demo.service.request_deduction(
        tally,
        DeductionCreate(
            client_id=new_client_id(),
            category_id=demo.cat1.id,
            contestant_id=target,
            amount=50,
            reason="prop left on stage",
        ),
    ).result
    auditor = demo.actor("auditor1")
    demo.service.decide_deduction(
        auditor, DeductionDecision(deduction_id=approved.id, approve=True)
    )
    demo.service.decide_deduction(
        auditor, DeductionDecision(deduction_id=rejected.id, approve=False)
    )
    for signer in ("tally1", "auditor1", "board1"):
        sign(demo, demo.actor(signer), demo.cat1.id)
    outcome = demo.service.publish_results(organizer, ResultsPublish(category_id=demo.cat1.id))
    scores = demo.service.request_scores(tally, ScoresRequest(category_id=demo.cat1.id)).result
    expected = rank_totals(
        demo.cat1.contestant_ids,
        [(s.contestant_id, s.score or 0.0) for s in scores.scores],
        [(target, 3.0)],
    )
    assert outcome.result.totals == expected
    assert outcome.result.totals[0].rank == 1
    row = next(t for t in outcome.result.totals if t.contestant_id == target)
    assert row.deductions == 3 and row.total == row.score_sum - 3
    effect, *told = outcome.effects
    assert isinstance(effect, Broadcast) and effect.event is ServerEvent.RESULTS_PUBLISHED
    assert {e.rooms for e in told if isinstance(e, Broadcast)} == {
        (f"user:{demo.actor(f'judge{n}').user_id}",) for n in range(1, 6)
    }  # every judge of the category is told the results are public
    assert (
        demo.service.totals(tally, TotalsRequest(category_id=demo.cat1.id)).result == outcome.result
    )
    snap = demo.service.snapshot(demo.actor("judge1"))
    assert [c.published for c in snap.categories if c.id == demo.cat1.id] == [True]


def _certify(demo: Demo) -> None:
    all_judges_sign(demo)
    for signer in ("tally1", "auditor1", "board1"):
        sign(demo, demo.actor(signer), demo.cat1.id)


def test_certified_results_no_longer_change(demo: Demo) -> None:
    """A deduction after the tally master signed would alter signed, published totals."""
    tally, admin = demo.actor("tally1"), demo.actor("admin")
    target = demo.cat1.contestant_ids[0]
    # a deduction filed while the judges' step was open, decided too late
    all_judges_sign(demo)
    early = demo.service.request_deduction(
        tally,
        DeductionCreate(
            client_id=new_client_id(),
            category_id=demo.cat1.id,
            contestant_id=target,
            amount=2,
            reason="costume rule",
        ),
    ).result
    for signer in ("tally1", "auditor1", "board1"):
        sign(demo, demo.actor(signer), demo.cat1.id)
    organizer = demo.actor("organizer1")
    published = demo.service.publish_results(
        organizer, ResultsPublish(category_id=demo.cat1.id)
    ).result
    seq = demo.service.current_seq()
    with pytest.raises(Locked):
        demo.service.request_deduction(
            admin,
            DeductionCreate(
                client_id=new_client_id(),
                category_id=demo.cat1.id,
                contestant_id=target,
                amount=5,
                reason="after the fact",
            ),
        )
    with pytest.raises(Locked):
        demo.service.decide_deduction(admin, DeductionDecision(deduction_id=early.id, approve=True))
    assert demo.service.current_seq() == seq
    again = demo.service.publish_results(organizer, ResultsPublish(category_id=demo.cat1.id))
    assert again.result.totals == published.totals


def test_scores_of_a_judge_taken_off_the_panel_do_not_count(demo: Demo) -> None:
    from scoring_console.protocol.payloads import AssignmentChange

    admin, tally = demo.actor("admin"), demo.actor("tally1")
    leaving = demo.judges[-1]
    demo.service.submit_score(leaving, demo.submit(leaving, demo.cat1, 0, 0, 10))
    demo.service.remove_assignment(
        admin, AssignmentChange(user_id=leaving.user_id, category_id=demo.cat1.id)
    )
    staying = [j for j in demo.judges if j.user_id != leaving.user_id]
    for judge in staying:
        demo.fill_sheet(judge, demo.cat1, base=judge.user_id)
        sign(demo, judge, demo.cat1.id)
    for signer in ("tally1", "auditor1", "board1"):
        sign(demo, demo.actor(signer), demo.cat1.id)
    totals = demo.service.totals(tally, TotalsRequest(category_id=demo.cat1.id)).result.totals
    criteria = len(demo.cat1.criteria)
    assert {t.score_count for t in totals} == {len(staying) * criteria}


def test_judges_never_see_another_judges_receipt(demo: Demo) -> None:
    """A receipt hashes the signer's scores: with a masked sheet it could be brute-forced."""
    from scoring_console.server.service.masking import view_for

    j1, j2 = demo.judges[0], demo.judges[1]
    demo.fill_sheet(j1, demo.cat1)
    first = sign(demo, j1, demo.cat1.id)
    demo.fill_sheet(j2, demo.cat1)
    second = sign(demo, j2, demo.cat1.id)

    def receipts(cert_signoffs: list) -> dict[int, str | None]:  # type: ignore[type-arg]
        return {s.user_id: s.receipt for s in cert_signoffs}

    # the sign ack: own receipt kept, the other judge's hidden
    assert receipts(second.result.certification.signoffs) == {
        j1.user_id: None,
        j2.user_id: second.result.receipt,
    }
    # the broadcast, per recipient
    update = next(e for e in second.effects if isinstance(e, Broadcast))
    for viewer in (j1, j2, demo.judges[2]):
        seen = receipts(view_for(update, viewer.user_id, viewer.role).signoffs)  # type: ignore[attr-defined]
        for signer, receipt in seen.items():
            assert (receipt is not None) == (signer == viewer.user_id)
    tally = demo.actor("tally1")
    full = receipts(view_for(update, tally.user_id, tally.role).signoffs)  # type: ignore[attr-defined]
    assert full == {j1.user_id: first.result.receipt, j2.user_id: second.result.receipt}
    # the snapshot
    snap = demo.service.snapshot(j2)
    cert = next(c for c in snap.certifications if c.category_id == demo.cat1.id)
    assert receipts(cert.signoffs)[j1.user_id] is None
    assert receipts(cert.signoffs)[j2.user_id] == second.result.receipt
