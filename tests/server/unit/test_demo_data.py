"""Demo seeding: the promised world, loaded once per data dir."""

from __future__ import annotations

from pathlib import Path

from scoring_console.protocol.roles import Role
from scoring_console.server.db import open_database
from scoring_console.server.demo_data import DEMO_ACCOUNTS, seed_demo
from scoring_console.server.service import Actor, ScoringService
from tests.helpers import postgres

COUNTED = ("users", "events", "contests", "categories", "criteria", "contestants", "assignments")


def _counts(service: ScoringService) -> dict[str, int]:
    conn = service.db.conn
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in COUNTED}


def test_seed_is_idempotent_across_restarts(tmp_path: Path) -> None:
    target = postgres.database_target(tmp_path / "data")
    db = open_database(target)
    assert seed_demo(db) is True
    first = _counts(ScoringService(db))
    db.close()
    db = open_database(target)
    assert seed_demo(db) is False
    assert _counts(ScoringService(db)) == first
    assert first == {
        "users": 10,
        "events": 1,
        "contests": 2,
        "categories": 3,
        "criteria": 9,
        "contestants": 10,
        "assignments": 12,  # 5 judges + 1 tally master on each category of contest 1
    }
    db.close()


def test_demo_world_shape(tmp_path: Path) -> None:
    db = open_database(postgres.database_target(tmp_path))
    seed_demo(db)
    service = ScoringService(db)
    accounts = dict(DEMO_ACCOUNTS)
    assert accounts == {
        "judge1": Role.JUDGE,
        "judge2": Role.JUDGE,
        "judge3": Role.JUDGE,
        "judge4": Role.JUDGE,
        "judge5": Role.JUDGE,
        "tally1": Role.TALLY_MASTER,
        "auditor1": Role.AUDITOR,
        "board1": Role.BOARD,
        "organizer1": Role.ORGANIZER,
        "admin": Role.ADMIN,
    }
    for username, role in DEMO_ACCOUNTS:
        user = service.accounts.authenticate(username, "demo")
        assert user is not None and user.role is role
    admin = service.accounts.get_user_by_username("admin")
    assert admin is not None
    snap = service.views.snapshot(Actor(admin.id, admin.role, admin.username))
    first, second = snap.contests
    first_cats = [c for c in snap.categories if c.contest_id == first.id]
    second_cats = [c for c in snap.categories if c.contest_id == second.id]
    assert len(first_cats) == 2 and len(second_cats) == 1
    assert all(len(c.criteria) == 3 for c in snap.categories)
    assert all(k.max_score == 10 for c in snap.categories for k in c.criteria)
    assert [len(c.contestant_ids) for c in first_cats] == [6, 6]
    assert len(second_cats[0].contestant_ids) == 4
    assigned = {(a.user_id, a.category_id, a.role) for a in snap.assignments}
    assert all(a[1] in {c.id for c in first_cats} for a in assigned)
    assert {a[2] for a in assigned} == {Role.JUDGE, Role.TALLY_MASTER}
    db.close()
