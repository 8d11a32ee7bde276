"""Small builders of protocol models for client unit tests (no server needed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from scoring_console.protocol.entities import (
    Category,
    Certification,
    CertificationStatus,
    Contest,
    Contestant,
    Criterion,
    Deduction,
    Event,
    Notification,
    NotificationType,
    RequestStatus,
    Score,
    Snapshot,
    UserInfo,
)
from scoring_console.protocol.roles import Role

NOW = datetime(2026, 1, 1, tzinfo=UTC)
JUDGE = UserInfo(id=10, username="judge1", name="Judge One", role=Role.JUDGE)


def score(
    id: int = 1,
    *,
    value: float | None = 7.0,
    version: int = 1,
    seq: int = 1,
    category: int = 1,
    contestant: int = 1,
    criterion: int = 1,
    judge: int = 10,
) -> Score:
    """A score for one cell."""
    return Score(
        id=id,
        client_id=str(uuid.UUID(int=id)),
        category_id=category,
        contestant_id=contestant,
        criterion_id=criterion,
        judge_id=judge,
        score=value,
        version=version,
        updated_at=NOW,
        seq=seq,
    )


def deduction(
    id: int = 1,
    *,
    amount: float = 1.0,
    status: RequestStatus = RequestStatus.APPROVED,
    seq: int = 1,
) -> Deduction:
    """A deduction against contestant 1 of category 1."""
    return Deduction(
        id=id,
        client_id=str(uuid.UUID(int=1000 + id)),
        category_id=1,
        contestant_id=1,
        amount=amount,
        reason="late",
        requested_by=10,
        status=status,
        created_at=NOW,
        seq=seq,
    )


def notification(id: int = 1, *, read: bool = False, seq: int = 1) -> Notification:
    """A notification for the judge."""
    return Notification(
        id=id,
        user_id=10,
        type=NotificationType.INFO,
        title="t",
        message="m",
        read=read,
        created_at=NOW,
        seq=seq,
    )


def certification(version: int = 0, *, seq: int = 1) -> Certification:
    """The certification of category 1."""
    return Certification(
        category_id=1,
        status=CertificationStatus.NOT_STARTED
        if version == 0
        else CertificationStatus.JUDGES_SIGNING,
        required_judge_ids=[10, 11],
        signoffs=[],
        version=version,
        seq=seq,
    )


def snapshot(seq: int = 5, **overrides: Any) -> Snapshot:
    """A small snapshot: one event, contest, category (2 criteria, 3 contestants)."""
    fields: dict[str, Any] = {
        "seq": seq,
        "server_time": NOW,
        "user": JUDGE,
        "events": [Event(id=1, name="Gala")],
        "contests": [Contest(id=1, event_id=1, name="Talent")],
        "categories": [
            Category(
                id=1,
                contest_id=1,
                name="Solo",
                criteria=[
                    Criterion(id=1, name="Skill", max_score=10),
                    Criterion(id=2, name="Style", max_score=10),
                ],
                contestant_ids=[1, 2, 3],
            )
        ],
        "contestants": [
            Contestant(id=3, number=1, name="C"),
            Contestant(id=1, number=2, name="A"),
            Contestant(id=2, number=3, name="B"),
        ],
        "assignments": [],
        "scores": [],
        "certifications": [],
        "deductions": [],
        "removal_requests": [],
        "notifications": [],
        "announcements": [],
        "presence": [],
    }
    fields.update(overrides)
    return Snapshot(**fields)
