"""StateStore: idempotent application by id and version, snapshots, helpers, totals."""

from __future__ import annotations

from scoring_console.client.state import ChangeKind, StateChange, StateStore
from scoring_console.protocol import ServerEvent
from scoring_console.protocol.entities import (
    Assignment,
    RequestStatus,
    ScoreDeleted,
)
from scoring_console.protocol.payloads import AssignmentRevoked, ContestLocked, ResultsPublished
from scoring_console.protocol.roles import Role

from .factories import NOW, certification, deduction, notification, score, snapshot


def recorder(store: StateStore) -> list[StateChange]:
    changes: list[StateChange] = []
    store.on_change.connect(changes.append)
    return changes


def test_snapshot_fills_dicts_and_emits_one_change() -> None:
    store = StateStore()
    changes = recorder(store)
    store.apply_snapshot(snapshot(seq=7, scores=[score(1), score(2, contestant=2)]))
    assert store.seq == 7
    assert set(store.scores) == {1, 2}
    assert store.user is not None and store.user.username == "judge1"
    assert [c.kind for c in changes] == [ChangeKind.SNAPSHOT]


def test_same_version_twice_is_a_noop() -> None:
    store = StateStore()
    changes = recorder(store)
    assert store.apply(ServerEvent.SCORES_UPDATED, score(1, version=1))
    assert not store.apply(ServerEvent.SCORES_UPDATED, score(1, version=1, seq=9))
    assert len(changes) == 1


def test_older_version_never_overwrites_newer() -> None:
    store = StateStore()
    store.apply(ServerEvent.SCORES_UPDATED, score(1, value=9.0, version=3, seq=30))
    assert not store.apply(ServerEvent.SCORES_UPDATED, score(1, value=2.0, version=2, seq=20))
    assert store.scores[1].score == 9.0
    assert store.apply(ServerEvent.SCORES_UPDATED, score(1, value=4.0, version=4, seq=40))
    assert store.scores[1].score == 4.0
    assert store.seq == 40


def test_version_beats_seq_for_versioned_entities() -> None:
    store = StateStore()
    store.apply(ServerEvent.CERTIFICATION_UPDATED, certification(version=2, seq=5))
    assert not store.apply(ServerEvent.CERTIFICATION_UPDATED, certification(version=1, seq=50))
    assert store.certifications[1].version == 2


def test_unversioned_entities_order_by_seq_and_decisions_stick() -> None:
    store = StateStore()
    store.apply(ServerEvent.DEDUCTION_DECIDED, deduction(1, status=RequestStatus.APPROVED, seq=9))
    # a late "pending" event for the same deduction must not undo the decision
    assert not store.apply(
        ServerEvent.DEDUCTION_PENDING, deduction(1, status=RequestStatus.PENDING, seq=10)
    )
    store.apply(ServerEvent.NOTIFICATION, notification(2, seq=5))
    assert not store.apply(ServerEvent.NOTIFICATION, notification(2, seq=4, read=True))


def test_score_lookup_helpers() -> None:
    store = StateStore()
    store.apply_snapshot(
        snapshot(
            scores=[
                score(1, contestant=1, criterion=1, judge=10),
                score(2, contestant=1, criterion=2, judge=11, value=None),
                score(3, category=2, judge=12),
            ],
            assignments=[
                Assignment(id=1, user_id=10, category_id=1, role=Role.JUDGE),
                Assignment(id=2, user_id=13, category_id=1, role=Role.JUDGE),
                Assignment(id=3, user_id=20, category_id=1, role=Role.TALLY_MASTER),
            ],
        )
    )
    found = store.score_for(1, 1, 1, 10)
    assert found is not None and found.id == 1
    assert store.score_for(1, 2, 1, 10) is None
    assert [s.id for s in store.scores_in(1)] == [1, 2]
    assert store.judges_of(1) == [10, 11, 13]
    assert [c.id for c in store.contestants_in(1)] == [3, 1, 2]


def test_totals_use_unmasked_panel_scores_and_approved_deductions_only() -> None:
    store = StateStore()
    panel = [
        Assignment(id=i, user_id=judge, category_id=1, role=Role.JUDGE)
        for i, judge in enumerate((10, 11), start=1)
    ]
    store.apply_snapshot(
        snapshot(
            assignments=panel,
            scores=[
                score(1, contestant=1, criterion=1, value=8.0),
                score(2, contestant=1, criterion=2, value=7.0),
                score(3, contestant=2, criterion=1, value=None, judge=11),  # masked
                score(4, contestant=2, criterion=1, value=9.0),
                score(5, contestant=3, criterion=1, value=6.0, judge=12),  # off the panel
            ],
            deductions=[
                deduction(1, amount=2.0, status=RequestStatus.APPROVED),
                deduction(2, amount=5.0, status=RequestStatus.PENDING),
            ],
        )
    )
    totals = {t.contestant_id: t for t in store.totals(1)}
    # judge 10's complete total 8 + 7 = 15, scaled to the panel of 2 (judge 11 missing)
    assert totals[1].total == 28.0 and totals[1].deductions == 2.0
    assert totals[1].provisional and (totals[1].score_count, totals[1].scores_expected) == (2, 4)
    # an incomplete judge total (one of two criteria) does not count yet
    assert totals[2].total == 0.0 and totals[2].score_count == 1
    assert totals[3].total == 0.0
    assert totals[3].score_count == 0
    assert [t.contestant_id for t in store.totals(1)] == [1, 2, 3]


def test_deleted_score_does_not_come_back() -> None:
    store = StateStore()
    store.apply(ServerEvent.SCORES_UPDATED, score(1, version=1, seq=1))
    deleted = ScoreDeleted(id=1, category_id=1, contestant_id=1, criterion_id=1, judge_id=10, seq=3)
    assert store.apply(ServerEvent.SCORES_DELETED, deleted)
    assert not store.apply(ServerEvent.SCORES_DELETED, deleted)
    assert not store.apply(ServerEvent.SCORES_UPDATED, score(1, version=2, seq=2))
    assert store.score_for(1, 1, 1, 10) is None


def test_new_score_id_replaces_stale_cell() -> None:
    store = StateStore()
    store.apply(ServerEvent.SCORES_UPDATED, score(1, seq=1))
    store.apply(ServerEvent.SCORES_UPDATED, score(2, seq=5))
    found = store.score_for(1, 1, 1, 10)
    assert found is not None and found.id == 2
    assert list(store.scores) == [2]


def test_snapshot_keeps_events_newer_than_itself() -> None:
    store = StateStore()
    store.apply_snapshot(snapshot(seq=5, scores=[score(1, version=1, seq=3)]))
    # an event newer than the snapshot that is being fetched arrives first
    store.apply(ServerEvent.SCORES_UPDATED, score(1, value=9.0, version=2, seq=12))
    store.apply_snapshot(snapshot(seq=10, scores=[score(1, version=1, seq=3)]))
    assert store.scores[1].version == 2
    assert store.seq == 12


def test_snapshot_from_a_reset_server_replaces_everything() -> None:
    store = StateStore()
    store.apply_snapshot(snapshot(seq=500, scores=[score(1, seq=400)]))
    store.apply_snapshot(snapshot(seq=3, scores=[]))
    assert store.scores == {}
    assert store.score_for(1, 1, 1, 10) is None


def test_contest_lock_results_and_assignments() -> None:
    store = StateStore()
    store.apply_snapshot(
        snapshot(assignments=[Assignment(id=1, user_id=10, category_id=1, role=Role.JUDGE)])
    )
    changes = recorder(store)
    assert store.apply(ServerEvent.CONTEST_LOCKED, ContestLocked(contest_id=1, locked=True, seq=6))
    assert store.contests[1].locked
    assert not store.apply(
        ServerEvent.CONTEST_LOCKED, ContestLocked(contest_id=1, locked=False, seq=5)
    )
    assert store.contests[1].locked
    published = ResultsPublished(category_id=1, totals=[], published_at=NOW, seq=8)
    assert store.apply(ServerEvent.RESULTS_PUBLISHED, published)
    assert store.categories[1].published
    assert store.apply(
        ServerEvent.ASSIGNMENT_REVOKED,
        AssignmentRevoked(user_id=10, category_id=1, role="JUDGE", seq=9),
    )
    assert store.assignments == {}
    kinds = [c.kind for c in changes]
    assert kinds == [
        ChangeKind.CONTEST,
        ChangeKind.CATEGORY,
        ChangeKind.RESULTS,
        ChangeKind.ASSIGNMENT,
    ]
    assert changes[-1].value is None


def test_unread_count_and_local_mark_read() -> None:
    store = StateStore()
    store.apply_snapshot(snapshot(notifications=[notification(1), notification(2, read=True)]))
    assert store.unread_count() == 1
    assert store.mark_read([1, 2, 99]) == 1
    assert store.unread_count() == 0


def test_failing_listener_does_not_break_apply() -> None:
    store = StateStore()

    def boom(_: StateChange) -> None:
        raise RuntimeError("listener bug")

    store.on_change.connect(boom)
    seen = recorder(store)
    assert store.apply(ServerEvent.SCORES_UPDATED, score(1))
    assert len(seen) == 1
