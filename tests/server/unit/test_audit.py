"""The audit trail: every kind of write is recorded once, append-only, with the clock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from scoring_console.protocol.audit import AuditAction, AuditEntry, AuditQuery
from scoring_console.protocol.entities import Category
from scoring_console.protocol.payloads import (
    AnnouncementCreate,
    AssignmentChange,
    CertificationSign,
    ContestLock,
    DeductionCreate,
    DeductionDecision,
    RemovalDecision,
    RemovalRequestCreate,
    ResultsPublish,
)
from scoring_console.server.db import open_database
from scoring_console.server.db.migrations import MIGRATIONS
from scoring_console.server.service import Invalid, audit

from .conftest import Demo, new_client_id


def entries(demo: Demo, **filters: object) -> list[AuditEntry]:
    with demo.service.db.reading() as conn:
        return audit.query(conn, AuditQuery.model_validate(filters)).entries


def last(demo: Demo) -> AuditEntry:
    return entries(demo)[-1]


def certify(demo: Demo, category: Category) -> None:
    """Every judge fills and signs, then tally master, auditor and board sign."""
    for judge in demo.judges:
        demo.fill_sheet(judge, category, base=judge.user_id)
        demo.service.certification.sign_certification(
            judge, CertificationSign(client_id=new_client_id(), category_id=category.id)
        )
    for name in ("tally1", "auditor1", "board1"):
        demo.service.certification.sign_certification(
            demo.actor(name), CertificationSign(client_id=new_client_id(), category_id=category.id)
        )


def test_score_create_and_update_record_old_new_who_when_and_device(demo: Demo) -> None:
    judge = demo.actor("judge1")
    first = demo.submit(judge, demo.cat1, value=6.0, comment="steady")
    score = demo.service.scores.submit_score(judge, first).result
    demo.clock.advance(90)
    second = demo.submit(judge, demo.cat1, value=7.5)
    demo.service.scores.submit_score(judge, second)
    created, updated = entries(demo, entity_kind="score", entity_id=str(score.id))
    assert created.action == AuditAction.SCORE_CREATED
    assert (created.old, created.new) == (None, {"score": 6.0, "comment": "steady"})
    assert updated.action == AuditAction.SCORE_UPDATED
    assert updated.old == {"score": 6.0, "comment": "steady"}
    assert updated.new == {"score": 7.5, "comment": None}
    assert (updated.actor_id, updated.actor_username, updated.actor_role) == (
        judge.user_id,
        "judge1",
        "JUDGE",
    )
    assert updated.at == demo.clock.now  # the injected clock, not today's date
    assert (created.client_id, updated.client_id) == (first.client_id, second.client_id)
    assert updated.category_id == demo.cat1.id
    assert updated.subject_user_id == judge.user_id
    assert "Maria Alvarez" in updated.label and demo.cat1.criteria[0].name in updated.label


def test_a_replayed_write_is_not_recorded_twice(demo: Demo) -> None:
    judge = demo.actor("judge1")
    payload = demo.submit(judge, demo.cat1)
    demo.service.scores.submit_score(judge, payload)
    demo.service.scores.submit_score(judge, payload)
    assert len(entries(demo, action="score.created")) == 1


def test_a_refused_write_leaves_no_entry(demo: Demo) -> None:
    judge = demo.actor("judge1")
    with pytest.raises(Invalid):
        demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1, value=9999))
    assert entries(demo) == []


def test_removal_request_decision_and_the_deleted_score(demo: Demo) -> None:
    judge, admin = demo.actor("judge1"), demo.actor("admin")
    score = demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1, value=4)).result
    request = demo.service.removals.request_removal(
        judge,
        RemovalRequestCreate(client_id=new_client_id(), score_id=score.id, reason="wrong cell"),
    ).result
    requested = last(demo)
    assert requested.action == AuditAction.REMOVAL_REQUESTED
    assert requested.reason == "wrong cell"
    demo.service.removals.decide_removal(
        admin, RemovalDecision(request_id=request.id, approve=True, note="ok")
    )
    decided, deleted = entries(demo)[-2:]
    assert decided.action == AuditAction.REMOVAL_APPROVED
    assert (decided.old, decided.new) == (
        {"status": "PENDING"},
        {"status": "APPROVED", "note": "ok"},
    )
    assert deleted.action == AuditAction.SCORE_DELETED
    assert deleted.entity_id == str(score.id)
    assert (deleted.old, deleted.new) == ({"score": 4.0, "comment": None}, None)
    assert deleted.reason == "wrong cell"
    assert deleted.actor_username == "admin"
    # the score's own history tells the whole story, oldest first
    actions = [e.action for e in entries(demo, entity_kind="score", entity_id=str(score.id))]
    assert actions == ["score.created", "score.deleted"]


def test_removal_rejected_is_recorded(demo: Demo) -> None:
    judge, admin = demo.actor("judge1"), demo.actor("admin")
    score = demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1)).result
    request = demo.service.removals.request_removal(
        judge, RemovalRequestCreate(client_id=new_client_id(), score_id=score.id, reason="oops")
    ).result
    demo.service.removals.decide_removal(
        admin, RemovalDecision(request_id=request.id, approve=False, note="keep it")
    )
    assert last(demo).action == AuditAction.REMOVAL_REJECTED
    assert last(demo).reason == "keep it"


def test_deductions_requested_approved_and_rejected(demo: Demo) -> None:
    tally = demo.actor("tally1")
    contestant = demo.cat1.contestant_ids[0]
    ids = [
        demo.service.deductions.request_deduction(
            tally,
            DeductionCreate(
                client_id=new_client_id(),
                category_id=demo.cat1.id,
                contestant_id=contestant,
                amount=1.5,
                reason=f"late {i}",
            ),
        ).result.id
        for i in range(2)
    ]
    requested = entries(demo, action="deduction.requested")
    assert [e.reason for e in requested] == ["late 0", "late 1"]
    assert requested[0].new == {"amount": 1.5, "status": "PENDING"}
    auditor = demo.actor("auditor1")  # two-person rule: not the tally master who asked
    demo.service.deductions.decide_deduction(
        auditor, DeductionDecision(deduction_id=ids[0], approve=True)
    )
    demo.service.deductions.decide_deduction(
        auditor, DeductionDecision(deduction_id=ids[1], approve=False, note="on time")
    )
    approved, rejected = entries(demo)[-2:]
    assert approved.action == AuditAction.DEDUCTION_APPROVED
    assert approved.new is not None and approved.new["status"] == "APPROVED"
    assert rejected.action == AuditAction.DEDUCTION_REJECTED
    assert rejected.reason == "on time"
    assert "#" in rejected.label  # the contestant's number, not an id


def test_assignments_created_and_removed(demo: Demo) -> None:
    organizer, judge = demo.actor("organizer1"), demo.actor("judge1")
    demo.service.assignments.create_assignment(
        organizer, AssignmentChange(user_id=judge.user_id, category_id=demo.cat3.id)
    )
    created = last(demo)
    assert created.action == AuditAction.ASSIGNMENT_CREATED
    assert created.new == {"userId": judge.user_id, "categoryId": demo.cat3.id, "role": "JUDGE"}
    assert demo.cat3.name in created.label and "Maria Alvarez" in created.label
    demo.service.assignments.remove_assignment(
        organizer, AssignmentChange(user_id=judge.user_id, category_id=demo.cat3.id)
    )
    removed = last(demo)
    assert removed.action == AuditAction.ASSIGNMENT_REMOVED
    assert removed.old == created.new and removed.new is None


def test_lock_and_unlock(demo: Demo) -> None:
    board = demo.actor("board1")
    demo.service.admin.lock_contest(
        board, ContestLock(contest_id=demo.cat1.contest_id, locked=True)
    )
    demo.service.admin.lock_contest(
        board, ContestLock(contest_id=demo.cat1.contest_id, locked=False)
    )
    locked, unlocked = entries(demo, contest_id=demo.cat1.contest_id)
    assert (locked.action, locked.old, locked.new) == (
        AuditAction.CONTEST_LOCKED,
        {"locked": False},
        {"locked": True},
    )
    assert unlocked.action == AuditAction.CONTEST_UNLOCKED


def test_signoffs_and_publish(demo: Demo) -> None:
    certify(demo, demo.cat1)
    signed = entries(demo, action="signoff.signed")
    assert [e.actor_role for e in signed] == ["JUDGE"] * 5 + ["TALLY_MASTER", "AUDITOR", "BOARD"]
    assert signed[-1].new is not None and signed[-1].new["status"] == "CERTIFIED"
    assert all(len(e.new["receipt"]) == 64 for e in signed if e.new is not None)
    demo.service.admin.publish_results(
        demo.actor("admin"), ResultsPublish(category_id=demo.cat1.id)
    )
    published = last(demo)
    assert published.action == AuditAction.RESULTS_PUBLISHED
    assert published.new is not None and len(published.new["totals"]) == len(
        demo.cat1.contestant_ids
    )


def test_announcements(demo: Demo) -> None:
    demo.service.admin.announce(
        demo.actor("admin"), AnnouncementCreate(message="Break: 15 minutes")
    )
    entry = last(demo)
    assert entry.action == AuditAction.ANNOUNCEMENT_SENT
    assert entry.new == {"message": "Break: 15 minutes", "type": "info"}


def test_the_log_refuses_updates_and_deletes(demo: Demo) -> None:
    judge = demo.actor("judge1")
    demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1))
    conn = demo.service.db.conn
    with pytest.raises((sqlite3.DatabaseError, psycopg.Error), match="append-only"):
        conn.execute("UPDATE audit_log SET reason = 'x'")
    with pytest.raises((sqlite3.DatabaseError, psycopg.Error), match="append-only"):
        conn.execute("DELETE FROM audit_log")


def test_record_without_an_actor_is_the_system(demo: Demo) -> None:
    with demo.service.db.transaction() as conn:
        entry_id = audit.record(
            conn,
            at=demo.clock(),
            actor=None,
            action="user.created",
            entity="user",
            entity_id=7,
            label="user anna",
            new={"role": "JUDGE"},
        )
    (entry,) = entries(demo)
    assert (entry.id, entry.actor_username, entry.actor_id, entry.entity_id) == (
        entry_id,
        "system",
        None,
        "7",
    )


def test_query_filters_by_user_and_pages(demo: Demo) -> None:
    j1, j2 = demo.actor("judge1"), demo.actor("judge2")
    for i in range(3):
        demo.service.scores.submit_score(j1, demo.submit(j1, demo.cat1, i, 0))
        demo.service.scores.submit_score(j2, demo.submit(j2, demo.cat1, i, 0))
    mine = entries(demo, user_id=j1.user_id)
    assert len(mine) == 3 and {e.actor_id for e in mine} == {j1.user_id}
    with demo.service.db.reading() as conn:
        page = audit.query(conn, AuditQuery(limit=4))
        older = audit.query(conn, AuditQuery(limit=4, before_id=page.entries[0].id))
    assert page.more and not older.more
    assert [e.id for e in older.entries + page.entries] == sorted(e.id for e in entries(demo))


@pytest.mark.sqlite_only  # the legacy migration chain
def test_score_history_from_before_the_audit_table_is_carried_over(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for version, step in enumerate(MIGRATIONS[:2]):
        conn.executescript(f"BEGIN;\n{step}\nPRAGMA user_version = {version + 1};\nCOMMIT;")
    conn.executescript(
        "INSERT INTO users VALUES (1, 'judge1', 'Maria', 'JUDGE', 'x', 1, '2026-01-01');"
        "INSERT INTO score_audit (score_id, action, category_id, contestant_id, criterion_id,"
        " judge_id, old_score, new_score, changed_by, changed_at, client_id, seq)"
        " VALUES (5, 'create', 1, 2, 3, 1, NULL, 7.0, 1, '2026-01-01T10:00:00+00:00', 'c1', 1),"
        " (5, 'update', 1, 2, 3, 1, 7.0, 8.0, 1, '2026-01-01T10:01:00+00:00', 'c2', 2);"
    )
    conn.close()
    db = open_database(path)
    try:
        with db.reading() as read:
            old = audit.query(read, AuditQuery()).entries
    finally:
        db.close()
    assert [(e.action, e.old, e.new, e.actor_username) for e in old] == [
        ("score.created", None, {"score": 7.0, "comment": None}, "judge1"),
        (
            "score.updated",
            {"score": 7.0, "comment": None},
            {"score": 8.0, "comment": None},
            "judge1",
        ),
    ]
