"""Score submission: rules, idempotency, audit, batch, masking on every read path."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring_console.protocol.entities import Score
from scoring_console.protocol.errors import ErrorCode
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import (
    ContestLock,
    ScoreBatchSubmit,
    ScoresRequest,
    ScoreSubmit,
)
from scoring_console.server.db import open_database
from scoring_console.server.service import (
    Broadcast,
    Conflict,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    ScoringService,
)
from tests.helpers import postgres

from .conftest import Demo, new_client_id


def test_submit_stores_the_score_and_broadcasts_it_masked_for_judges(demo: Demo) -> None:
    judge = demo.actor("judge1")
    outcome = demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1, value=7.5))
    score = outcome.result
    assert (score.score, score.judge_id, score.version) == (7.5, judge.user_id, 1)
    assert score.seq == demo.service.views.current_seq() > 0
    (effect,) = outcome.effects
    assert isinstance(effect, Broadcast)
    assert effect.event is ServerEvent.SCORES_UPDATED
    assert effect.mask_score_for_judges is True
    assert effect.payload == score  # the full payload; masking happens per recipient
    assert f"category:{demo.cat1.id}" in effect.rooms
    assert "role:TALLY_MASTER" not in effect.rooms  # not every tally master, only assigned


def test_replay_with_same_content_returns_stored_result_without_effects(demo: Demo) -> None:
    judge = demo.actor("judge1")
    payload = demo.submit(judge, demo.cat1, value=6)
    first = demo.service.scores.submit_score(judge, payload)
    seq = demo.service.views.current_seq()
    replay = demo.service.scores.submit_score(judge, payload)
    assert replay.result == first.result
    assert replay.effects == []
    assert demo.service.views.current_seq() == seq
    count = demo.service.db.conn.execute("SELECT COUNT(*) FROM scores").fetchone()[0]
    assert count == 1


def test_hundred_replays_make_hundred_scores_not_two_hundred(demo: Demo) -> None:
    judge = demo.actor("judge2")
    payloads = [
        demo.submit(judge, cat, ci, ki, value=3)
        for cat in (demo.cat1, demo.cat2)
        for ci in range(6)
        for ki in range(3)
    ]
    for payload in payloads + payloads:
        demo.service.scores.submit_score(judge, payload)
    count = demo.service.db.conn.execute("SELECT COUNT(*) FROM scores").fetchone()[0]
    assert count == len(payloads) == 36


def test_same_client_id_with_other_content_is_a_conflict(demo: Demo) -> None:
    judge = demo.actor("judge1")
    payload = demo.submit(judge, demo.cat1, value=6)
    demo.service.scores.submit_score(judge, payload)
    changed = payload.model_copy(update={"score": 7.0})
    with pytest.raises(Conflict) as info:
        demo.service.scores.submit_score(judge, changed)
    assert info.value.code is ErrorCode.CONFLICT
    other_judge = demo.actor("judge2")
    with pytest.raises(Conflict):
        demo.service.scores.submit_score(other_judge, payload)


def test_resubmitting_a_cell_updates_version_and_audits_old_and_new(demo: Demo) -> None:
    judge = demo.actor("judge1")
    first = demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1, value=4)).result
    second_payload = demo.submit(judge, demo.cat1, value=8, comment="better look")
    second = demo.service.scores.submit_score(judge, second_payload).result
    assert second.id == first.id
    assert second.version == 2 and second.score == 8 and second.comment == "better look"
    assert second.client_id == second_payload.client_id
    assert second.seq > first.seq
    audit = demo.service.db.conn.execute(
        "SELECT action, old_score, new_score, old_comment, new_comment, changed_by, client_id "
        "FROM score_audit WHERE score_id = ? ORDER BY id",
        (first.id,),
    ).fetchall()
    assert [tuple(row) for row in audit] == [
        ("create", None, 4.0, None, None, judge.user_id, first.client_id),
        ("update", 4.0, 8.0, None, "better look", judge.user_id, second_payload.client_id),
    ]


def test_only_assigned_judges_may_submit(demo: Demo) -> None:
    judge = demo.actor("judge1")
    with pytest.raises(Forbidden):  # contest 2's category has no assignments
        demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat3))
    for name in ("tally1", "auditor1", "board1", "organizer1", "admin"):
        other = demo.actor(name)
        with pytest.raises(Forbidden):
            demo.service.scores.submit_score(other, demo.submit(judge, demo.cat1))


def test_value_above_max_score_is_invalid(demo: Demo) -> None:
    judge = demo.actor("judge1")
    with pytest.raises(Invalid) as info:
        demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1, value=10.5))
    assert info.value.details["maxScore"] == 10
    assert demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1, value=10)).result


def test_cells_must_belong_to_the_category(demo: Demo) -> None:
    judge = demo.actor("judge1")
    base = demo.submit(judge, demo.cat1)
    foreign_criterion = base.model_copy(update={"criterion_id": demo.cat2.criteria[0].id})
    with pytest.raises(Invalid):
        demo.service.scores.submit_score(judge, foreign_criterion)
    foreign_contestant = base.model_copy(update={"contestant_id": demo.cat3.contestant_ids[0]})
    with pytest.raises(Invalid):
        demo.service.scores.submit_score(judge, foreign_contestant)
    with pytest.raises(NotFound):
        demo.service.scores.submit_score(judge, base.model_copy(update={"criterion_id": 9999}))
    with pytest.raises(NotFound):
        demo.service.submit_score(judge, base.model_copy(update={"category_id": 9999}))
    # nothing refused changed a score; the refusal was recorded for the tally master
    # once per clientId (these variants all reuse one), spending one seq
    refused = demo.service.snapshot(demo.actor("tally1")).refused_writes
    assert [(w.client_id, w.code) for w in refused] == [
        (base.client_id, ErrorCode.VALIDATION_ERROR)
    ]
    assert demo.service.current_seq() == 1
    assert demo.service.snapshot(judge).scores == []


def test_locked_contest_refuses_scores_until_unlocked(demo: Demo) -> None:
    judge = demo.actor("judge1")
    board = demo.actor("board1")
    demo.service.admin.lock_contest(
        board, ContestLock(contest_id=demo.cat1.contest_id, locked=True)
    )
    with pytest.raises(Locked):
        demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat2))
    demo.service.admin.lock_contest(
        board, ContestLock(contest_id=demo.cat1.contest_id, locked=False)
    )
    assert demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat2)).result.score == 5


def test_replay_of_an_acked_write_still_succeeds_after_lock(demo: Demo) -> None:
    # an outbox that lost the ack must get the stored result, not a refusal
    judge = demo.actor("judge1")
    payload = demo.submit(judge, demo.cat1, value=2)
    stored = demo.service.scores.submit_score(judge, payload).result
    demo.service.admin.lock_contest(
        demo.actor("admin"), ContestLock(contest_id=demo.cat1.contest_id, locked=True)
    )
    assert demo.service.scores.submit_score(judge, payload).result == stored


def test_batch_entries_are_independent(demo: Demo) -> None:
    judge = demo.actor("judge1")
    good = demo.submit(judge, demo.cat1, 0, 0, 5)
    too_high = demo.submit(judge, demo.cat1, 0, 1, 11)
    forbidden = demo.submit(judge, demo.cat3, 0, 0, 5)
    good2 = demo.submit(judge, demo.cat1, 1, 0, 6)
    outcome = demo.service.scores.submit_batch(
        judge, ScoreBatchSubmit(entries=[good, too_high, forbidden, good2])
    )
    results = outcome.result.results
    assert [r.ok for r in results] == [True, False, False, True]
    assert [r.client_id for r in results] == [
        good.client_id,
        too_high.client_id,
        forbidden.client_id,
        good2.client_id,
    ]
    assert results[1].error is not None and results[1].error.code is ErrorCode.VALIDATION_ERROR
    assert results[2].error is not None and results[2].error.code is ErrorCode.FORBIDDEN
    events = [e.event for e in outcome.effects if isinstance(e, Broadcast)]
    assert events.count(ServerEvent.SCORES_UPDATED) == 2
    # refused entries are rolled back to their savepoint; only their record spends a seq
    assert events.count(ServerEvent.SCORES_REFUSED) == 2
    seqs = [e.payload.seq for e in outcome.effects if isinstance(e, Broadcast)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    assert demo.service.current_seq() == seqs[-1]
    # replaying the whole batch yields the same answers and no new effects
    again = demo.service.scores.submit_batch(
        judge, ScoreBatchSubmit(entries=[good, too_high, forbidden, good2])
    )
    assert [r.ok for r in again.result.results] == [True, False, False, True]
    assert again.result.results[0].data == results[0].data
    assert again.effects == []


def test_request_scores_gives_a_judge_only_their_own(demo: Demo) -> None:
    j1, j2 = demo.actor("judge1"), demo.actor("judge2")
    demo.service.scores.submit_score(j1, demo.submit(j1, demo.cat1, value=9))
    demo.service.scores.submit_score(j2, demo.submit(j2, demo.cat1, value=3))
    seen = demo.service.scores.request_scores(j1, ScoresRequest(category_id=demo.cat1.id)).result
    values = {s.judge_id: s.score for s in seen.scores}
    assert values == {j1.user_id: 9}
    assert seen.seq == demo.service.views.current_seq()
    for name in ("tally1", "auditor1", "board1", "organizer1", "admin"):
        full = demo.service.scores.request_scores(
            demo.actor(name), ScoresRequest(category_id=demo.cat1.id)
        )
        assert {s.judge_id: s.score for s in full.result.scores} == {
            j1.user_id: 9,
            j2.user_id: 3,
        }


def test_request_scores_of_an_invisible_category_is_not_found(demo: Demo) -> None:
    with pytest.raises(NotFound):
        demo.service.scores.request_scores(
            demo.actor("judge1"), ScoresRequest(category_id=demo.cat3.id)
        )
    with pytest.raises(NotFound):
        demo.service.scores.request_scores(
            demo.actor("tally1"), ScoresRequest(category_id=demo.cat3.id)
        )
    data = demo.service.scores.request_scores(
        demo.actor("auditor1"), ScoresRequest(category_id=demo.cat3.id)
    )
    assert data.result.scores == []


def test_acked_scores_survive_reopening_the_database(demo: Demo, db_path: Path) -> None:
    judge = demo.actor("judge1")
    acked = [
        demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1, ci, 0, 1 + ci)).result
        for ci in range(6)
    ]
    seq = demo.service.views.current_seq()
    demo.service.db.close()
    reopened = ScoringService(open_database(postgres.database_target(db_path.parent)))
    assert reopened.current_seq() == seq
    stored = reopened.request_scores(judge, ScoresRequest(category_id=demo.cat1.id)).result.scores
    assert sorted(stored, key=lambda s: s.id) == sorted(acked, key=lambda s: s.id)
    # the persisted seq keeps counting upward after a restart
    later = reopened.submit_score(judge, demo.submit(judge, demo.cat1, 0, 1, 4)).result
    assert later.seq == seq + 1
    reopened.db.close()


def test_score_model_round_trips_through_the_stored_replay(demo: Demo) -> None:
    judge = demo.actor("judge1")
    payload: ScoreSubmit = demo.submit(judge, demo.cat1, value=7.25, comment="crisp")
    stored = demo.service.scores.submit_score(judge, payload).result
    replayed = demo.service.scores.submit_score(judge, payload).result
    assert isinstance(replayed, Score)
    assert replayed.to_wire() == stored.to_wire()
    assert new_client_id() != payload.client_id


def test_concurrent_submissions_from_threads_all_commit_with_unique_seqs(demo: Demo) -> None:
    import threading

    judges = demo.judges[:4]
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        judge = judges[index]
        try:
            for cat in (demo.cat1, demo.cat2):
                for ci in range(6):
                    for ki in range(3):
                        payload = demo.submit(judge, cat, ci, ki, value=ki + 1)
                        seq = demo.service.scores.submit_score(judge, payload).result.seq
                        with lock:
                            results.append(seq)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(results) == len(set(results)) == 4 * 36
    assert max(results) == demo.service.views.current_seq()
