"""A small synthetic competition as a protocol ``Snapshot``, for model tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from scoring_console.protocol.entities import (
    Assignment,
    Category,
    Contest,
    Contestant,
    Criterion,
    Event,
    Presence,
    Score,
    Snapshot,
    UserInfo,
)
from scoring_console.protocol.roles import Role

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CATEGORY_ID = 1
JUDGES = (11, 12, 13)
CRITERIA = (
    Criterion(id=1, name="Poise", max_score=10),
    Criterion(id=2, name="Talent", max_score=20),
)
CONTESTANTS = tuple(Contestant(id=100 + n, number=n, name=f"Contestant {n}") for n in range(1, 5))


def make_snapshot(user_id: int = 99, role: Role = Role.TALLY_MASTER, seq: int = 1) -> Snapshot:
    """Four contestants, two criteria, three judges, no scores yet."""
    return Snapshot(
        seq=seq,
        server_time=NOW,
        user=UserInfo(id=user_id, username="tally1", name="Tally One", role=role),
        events=[Event(id=1, name="Gala")],
        contests=[Contest(id=1, event_id=1, name="Finals")],
        categories=[
            Category(
                id=CATEGORY_ID,
                contest_id=1,
                name="Evening Gown",
                criteria=list(CRITERIA),
                contestant_ids=[c.id for c in CONTESTANTS],
            )
        ],
        contestants=list(CONTESTANTS),
        assignments=[
            Assignment(id=n, user_id=j, category_id=CATEGORY_ID, role=Role.JUDGE)
            for n, j in enumerate(JUDGES, start=1)
        ],
        scores=[],
        certifications=[],
        deductions=[],
        removal_requests=[],
        notifications=[],
        announcements=[],
        presence=[
            Presence(
                user_id=j,
                username=f"judge{j}",
                name=f"Judge {j - 10}",
                role=Role.JUDGE,
                online=j != 13,
                last_seen=NOW,
                pending_count=j - 11,
            )
            for j in JUDGES
        ],
    )


_ids = iter(range(1, 10**9))


def make_score(
    contestant_id: int,
    criterion_id: int,
    judge_id: int,
    value: float | None,
    version: int = 1,
    seq: int = 0,
    score_id: int | None = None,
) -> Score:
    """A score for the synthetic category."""
    return Score(
        id=score_id if score_id is not None else next(_ids) + 1000,
        client_id=str(uuid.uuid4()),
        category_id=CATEGORY_ID,
        contestant_id=contestant_id,
        criterion_id=criterion_id,
        judge_id=judge_id,
        score=value,
        version=version,
        updated_at=NOW,
        seq=seq,
    )
