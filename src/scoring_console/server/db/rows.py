"""Row → protocol model mapping, and the timestamp format stored in the database.

Timestamps are stored as ISO 8601 strings in UTC; models get aware datetimes back.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from scoring_console.protocol.entities import (
    Announcement,
    Assignment,
    Contest,
    Contestant,
    Deduction,
    Event,
    Notification,
    NotificationType,
    OutlierAction,
    OutlierReview,
    RemovalRequest,
    RequestStatus,
    Score,
    TieDecision,
    UserInfo,
)
from scoring_console.protocol.roles import Role

from .dbapi import Connection, Row


def to_iso(moment: datetime) -> str:
    """The stored form of a timestamp (UTC, ISO 8601)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def from_iso(text: str) -> datetime:
    """An aware datetime from its stored form."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def opt_iso(text: str | None) -> datetime | None:
    """:func:`from_iso` for nullable columns."""
    return None if text is None else from_iso(text)


def user_info(row: Row) -> UserInfo:
    """A ``users`` row."""
    return UserInfo(
        id=row["id"], username=row["username"], name=row["name"], role=Role(row["role"])
    )


def event(row: Row) -> Event:
    """An ``events`` row."""
    return Event(id=row["id"], name=row["name"], date=row["date"])


def contest(row: Row) -> Contest:
    """A ``contests`` row."""
    return Contest(
        id=row["id"], event_id=row["event_id"], name=row["name"], locked=bool(row["locked"])
    )


def contestant(row: Row) -> Contestant:
    """A ``contestants`` row."""
    return Contestant(id=row["id"], number=row["number"], name=row["name"])


def assignment(row: Row) -> Assignment:
    """An ``assignments`` row."""
    return Assignment(
        id=row["id"],
        user_id=row["user_id"],
        category_id=row["category_id"],
        role=Role(row["role"]),
        user_name=row["user_name"] if "user_name" in row.keys() else None,  # noqa: SIM118
        seq=row["seq"],
    )


def score(row: Row) -> Score:
    """A ``scores`` row, unmasked."""
    return Score(
        id=row["id"],
        client_id=row["client_id"],
        category_id=row["category_id"],
        contestant_id=row["contestant_id"],
        criterion_id=row["criterion_id"],
        judge_id=row["judge_id"],
        score=row["score"],
        comment=row["comment"],
        version=row["version"],
        updated_at=from_iso(row["updated_at"]),
        seq=row["seq"],
    )


def _user_name(conn: Connection, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    found = conn.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchone()
    return str(found["name"]) if found is not None else None


def deduction(row: Row, conn: Connection) -> Deduction:
    """A ``deductions`` row, with the requester's and the decider's names."""
    return Deduction(
        requested_by_name=_user_name(conn, row["requested_by"]) or "",
        decided_by_name=_user_name(conn, row["decided_by"]),
        id=row["id"],
        client_id=row["client_id"],
        category_id=row["category_id"],
        contestant_id=row["contestant_id"],
        amount=row["amount"],
        reason=row["reason"],
        requested_by=row["requested_by"],
        status=RequestStatus(row["status"]),
        decided_by=row["decided_by"],
        decision_note=row["decision_note"],
        created_at=from_iso(row["created_at"]),
        decided_at=opt_iso(row["decided_at"]),
        seq=row["seq"],
    )


def removal_request(row: Row, conn: Connection) -> RemovalRequest:
    """A ``removal_requests`` row, with the requester's and the decider's names."""
    return RemovalRequest(
        judge_name=_user_name(conn, row["judge_id"]) or "",
        requested_by_name=_user_name(conn, row["requested_by"]) or "",
        decided_by_name=_user_name(conn, row["decided_by"]),
        id=row["id"],
        client_id=row["client_id"],
        score_id=row["score_id"],
        category_id=row["category_id"],
        contestant_id=row["contestant_id"],
        criterion_id=row["criterion_id"],
        judge_id=row["judge_id"],
        requested_by=row["requested_by"],
        reason=row["reason"],
        status=RequestStatus(row["status"]),
        decided_by=row["decided_by"],
        decision_note=row["decision_note"],
        created_at=from_iso(row["created_at"]),
        decided_at=opt_iso(row["decided_at"]),
        seq=row["seq"],
    )


def notification(row: Row) -> Notification:
    """A ``notifications`` row."""
    return Notification(
        id=row["id"],
        user_id=row["user_id"],
        type=NotificationType(row["type"]),
        title=row["title"],
        message=row["message"],
        category_id=row["category_id"],
        read=bool(row["read"]),
        created_at=from_iso(row["created_at"]),
        seq=row["seq"],
    )


def announcement(row: Row) -> Announcement:
    """An ``announcements`` row."""
    return Announcement(
        id=row["id"],
        message=row["message"],
        type=NotificationType(row["type"]),
        timestamp=from_iso(row["timestamp"]),
        author_id=row["author_id"],
        contest_id=row["contest_id"],
        seq=row["seq"],
    )


def tie_decision(row: Row) -> TieDecision:
    """A ``tie_decisions`` row."""
    return TieDecision(
        id=row["id"],
        client_id=row["client_id"],
        category_id=row["category_id"],
        contestant_ids=json.loads(row["contestant_ids"]),
        reason=row["reason"],
        decided_by=row["decided_by"],
        decided_at=from_iso(row["decided_at"]),
        seq=row["seq"],
    )


def outlier_review(row: Row) -> OutlierReview:
    """An ``outlier_reviews`` row."""
    return OutlierReview(
        id=row["id"],
        client_id=row["client_id"],
        category_id=row["category_id"],
        contestant_id=row["contestant_id"],
        criterion_id=row["criterion_id"],
        judge_id=row["judge_id"],
        score_version=row["score_version"],
        action=OutlierAction(row["action"]),
        note=row["note"],
        reviewed_by=row["reviewed_by"],
        reviewed_at=from_iso(row["reviewed_at"]),
        seq=row["seq"],
    )
