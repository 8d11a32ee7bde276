"""Refused score writes are recorded once, sent to staff, and carried in their sync."""

from __future__ import annotations

import pytest

from scoring_console.protocol.entities import RefusedWrite
from scoring_console.protocol.errors import ErrorCode
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import ContestLock, ScoreBatchSubmit, ScoreSubmit
from scoring_console.server.service import Broadcast, Invalid, Locked, NotFound

from .conftest import Demo, new_client_id


def _submit(demo: Demo, value: float, category_id: int | None = None) -> ScoreSubmit:
    category = demo.cat1
    return ScoreSubmit(
        client_id=new_client_id(),
        category_id=category_id or category.id,
        contestant_id=category.contestant_ids[0],
        criterion_id=category.criteria[0].id,
        score=value,
    )


def test_single_refusal_is_recorded_and_broadcast_to_staff(demo: Demo) -> None:
    judge = demo.actor("judge1")
    payload = _submit(demo, 50.0)  # above maxScore
    with pytest.raises(Invalid) as caught:
        demo.service.submit_score(judge, payload)
    (effect,) = caught.value.effects
    assert isinstance(effect, Broadcast) and effect.event is ServerEvent.SCORES_REFUSED
    refusal = effect.payload
    assert isinstance(refusal, RefusedWrite)
    assert (refusal.judge_id, refusal.category_id, refusal.score) == (
        judge.user_id,
        demo.cat1.id,
        50.0,
    )
    assert refusal.code is ErrorCode.VALIDATION_ERROR and "maximum" in refusal.reason
    assert refusal.refused_at == demo.clock.now
    assert set(effect.rooms) == {
        f"category:{demo.cat1.id}:TALLY_MASTER",
        "role:AUDITOR",
        "role:BOARD",
        "role:ORGANIZER",
        "role:ADMIN",
    }
    # a replay of the same refused write is refused again but recorded once
    with pytest.raises(Invalid) as again:
        demo.service.submit_score(judge, payload)
    assert again.value.effects == []
    assert [w.id for w in demo.service.snapshot(demo.actor("tally1")).refused_writes] == [
        refusal.id
    ]


def test_batch_refusals_are_recorded_per_entry_and_visible_to_staff_only(demo: Demo) -> None:
    demo.service.lock_contest(
        demo.actor("admin"), ContestLock(contest_id=demo.cat1.contest_id, locked=True)
    )
    judge = demo.actor("judge1")
    outcome = demo.service.submit_batch(
        judge, ScoreBatchSubmit(entries=[_submit(demo, 4.0), _submit(demo, 5.0)])
    )
    assert [item.ok for item in outcome.result.results] == [False, False]
    refused = [e for e in outcome.effects if isinstance(e, Broadcast)]
    assert [e.event for e in refused] == [ServerEvent.SCORES_REFUSED] * 2
    for name in ("tally1", "auditor1", "board1", "organizer1", "admin"):
        seen = demo.service.snapshot(demo.actor(name)).refused_writes
        assert [(w.score, w.code) for w in seen] == [
            (4.0, ErrorCode.LOCKED),
            (5.0, ErrorCode.LOCKED),
        ], name
    for name in ("judge1", "judge2"):
        assert demo.service.snapshot(demo.actor(name)).refused_writes == []


def test_unknown_category_is_refused_without_a_record(demo: Demo) -> None:
    with pytest.raises(NotFound) as caught:
        demo.service.submit_score(demo.actor("judge1"), _submit(demo, 1.0, category_id=9999))
    assert caught.value.effects == []
    assert demo.service.snapshot(demo.actor("admin")).refused_writes == []


def test_locked_refusal_names_the_contest_not_its_id(demo: Demo) -> None:
    demo.service.lock_contest(
        demo.actor("admin"), ContestLock(contest_id=demo.cat1.contest_id, locked=True)
    )
    with pytest.raises(Locked) as caught:
        demo.service.submit_score(demo.actor("judge1"), _submit(demo, 1.0))
    contest = next(
        c
        for c in demo.service.snapshot(demo.actor("admin")).contests
        if c.id == demo.cat1.contest_id
    )
    assert caught.value.message == f"{demo.cat1.name} ({contest.name}) is locked"
