"""Who is told what: the next signers, judges of a locked or published contest, the
requester of a decision; every text names things, never a database id; and unlocking a
contest whose results are public is refused."""

from __future__ import annotations

import re

import pytest

from scoring_console.protocol.entities import Notification
from scoring_console.protocol.payloads import (
    ContestLock,
    DeductionCreate,
    DeductionDecision,
    ResultsPublish,
)
from scoring_console.server.service import Broadcast, Locked

from .conftest import Demo, new_client_id
from .test_certification import _certify, all_judges_sign, sign

LABEL = "Vocal Performance (Senior Showcase)"
ID_IN_TEXT = re.compile(r"\b(category|contest|judge|user|score|deduction|request)\s+#?\d+", re.I)


def notes(demo: Demo, username: str) -> list[Notification]:
    return demo.service.snapshot(demo.actor(username)).notifications


def test_each_next_signer_is_told_once_the_step_before_is_done(demo: Demo) -> None:
    judges = demo.judges
    for judge in judges[:-1]:
        demo.fill_sheet(judge, demo.cat1, base=judge.user_id)
        sign(demo, judge, demo.cat1.id)
    assert notes(demo, "tally1") == []  # one judge has not signed yet
    demo.fill_sheet(judges[-1], demo.cat1, base=1)
    sign(demo, judges[-1], demo.cat1.id)
    (tally_note,) = notes(demo, "tally1")
    assert tally_note.message == (
        f"All judges have signed {LABEL}: it is your turn to sign as tally master."
    )
    assert notes(demo, "auditor1") == []
    sign(demo, demo.actor("tally1"), demo.cat1.id)
    (auditor_note,) = notes(demo, "auditor1")
    assert auditor_note.message.startswith(f"The tally master has signed {LABEL}")
    assert notes(demo, "board1") == []
    sign(demo, demo.actor("auditor1"), demo.cat1.id)
    (board_note,) = notes(demo, "board1")
    assert board_note.message.endswith("it is your turn to sign as board.")


def test_judges_are_told_of_lock_and_publication_by_name(demo: Demo) -> None:
    _certify(demo)
    admin = demo.actor("admin")
    contest = demo.cat1.contest_id
    demo.service.lock_contest(admin, ContestLock(contest_id=contest, locked=True))
    again = demo.service.lock_contest(admin, ContestLock(contest_id=contest, locked=True))
    assert len(again.effects) == 1  # locking a locked contest tells nobody again
    demo.service.publish_results(admin, ResultsPublish(category_id=demo.cat1.id))
    demo.service.publish_results(admin, ResultsPublish(category_id=demo.cat1.id))
    for judge in demo.judges:
        messages = [n.message for n in notes(demo, judge.username)]
        locked = [m for m in messages if "locked" in m]
        assert len(locked) == 1, messages
        assert "(Senior Showcase) are locked" in locked[0] or f"{LABEL} is locked" in locked[0]
        assert "Vocal Performance" in locked[0]
        assert messages.count(f"Results of {LABEL} are public.") == 1


def test_unlocking_after_publication_is_refused_because_results_are_public(demo: Demo) -> None:
    _certify(demo)
    admin = demo.actor("admin")
    contest = demo.cat1.contest_id
    demo.service.lock_contest(admin, ContestLock(contest_id=contest, locked=True))
    demo.service.publish_results(admin, ResultsPublish(category_id=demo.cat1.id))
    with pytest.raises(Locked) as refused:
        demo.service.lock_contest(
            demo.actor("board1"), ContestLock(contest_id=contest, locked=False)
        )
    assert refused.value.message == (
        "The results of Vocal Performance (Senior Showcase) are already public; "
        "Senior Showcase cannot be unlocked."
    )
    snap = demo.service.snapshot(admin)
    assert [c.locked for c in snap.contests if c.id == contest] == [True]


def test_unlocking_before_publication_still_works_and_tells_judges(demo: Demo) -> None:
    admin = demo.actor("admin")
    contest = demo.cat1.contest_id
    demo.service.lock_contest(admin, ContestLock(contest_id=contest, locked=True))
    outcome = demo.service.lock_contest(admin, ContestLock(contest_id=contest, locked=False))
    assert outcome.result.locked is False
    unlocked = [n.message for n in notes(demo, "judge1") if "unlocked" in n.message]
    assert len(unlocked) == 1 and "(Senior Showcase)" in unlocked[0]


def test_the_requester_hears_the_decision_and_no_text_carries_an_id(demo: Demo) -> None:
    judge = demo.actor("judge1")
    created = demo.service.request_deduction(
        judge,
        DeductionCreate(
            client_id=new_client_id(),
            category_id=demo.cat1.id,
            contestant_id=demo.cat1.contestant_ids[0],
            amount=2,
            reason="late",
        ),
    ).result
    outcome = demo.service.decide_deduction(
        demo.actor("auditor1"),
        DeductionDecision(deduction_id=created.id, approve=False, note="no evidence"),
    )
    told = [
        e
        for e in outcome.effects
        if isinstance(e, Broadcast) and e.rooms == (f"user:{judge.user_id}",)
    ]
    assert len(told) == 1
    (note,) = notes(demo, "judge1")
    assert note.title == "Deduction rejected"
    assert re.fullmatch(
        rf"Your deduction of 2 for #\d+ .+ in {re.escape(LABEL)} was rejected\. "
        r"Note: no evidence",
        note.message,
    ), note.message
    all_judges_sign(demo)  # more notifications of every kind
    for name in ("judge1", "tally1", "auditor1", "board1"):
        for n in notes(demo, name):
            assert not ID_IN_TEXT.search(n.title + " " + n.message), n
