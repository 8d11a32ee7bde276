"""The audit trail on the wire: action names, one entry, and the history query.

Every write on the server is recorded once, append-only, as an :class:`AuditEntry`:
who (``actorId``/``actorUsername``/``actorRole``), when (``at``), what (``action`` on
``entityKind`` + ``entityId``, with a human-readable ``label``), old → new (JSON
objects, ``null`` when there is none), the ``reason`` given and the write's
``clientId`` (the device's id for that write). ``action`` is ``<entity>.<verb>``;
the names this module lists are the ones the scoring flow writes, setup writes add
their own in the same form (``user.created``, ``category.updated``...).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from .base import Id, InboundModel, WireModel


class AuditAction(StrEnum):
    """Actions of the scoring flow (setup writes use the same ``entity.verb`` form)."""

    SCORE_CREATED = "score.created"
    SCORE_UPDATED = "score.updated"
    SCORE_DELETED = "score.deleted"
    DEDUCTION_REQUESTED = "deduction.requested"
    DEDUCTION_APPROVED = "deduction.approved"
    DEDUCTION_REJECTED = "deduction.rejected"
    REMOVAL_REQUESTED = "removal.requested"
    REMOVAL_APPROVED = "removal.approved"
    REMOVAL_REJECTED = "removal.rejected"
    ASSIGNMENT_CREATED = "assignment.created"
    ASSIGNMENT_REMOVED = "assignment.removed"
    CONTEST_LOCKED = "contest.locked"
    CONTEST_UNLOCKED = "contest.unlocked"
    RESULTS_PUBLISHED = "results.published"
    SIGNOFF_SIGNED = "signoff.signed"
    SIGNOFF_SUPERSEDED = "signoff.superseded"
    REOPEN_REQUESTED = "reopen.requested"
    REOPEN_APPROVED = "reopen.approved"
    REOPEN_REJECTED = "reopen.rejected"
    CATEGORY_REOPENED = "category.reopened"
    ANNOUNCEMENT_SENT = "announcement.sent"
    PAPER_ENTERED = "paper.entered"
    PAPER_CONFIRMED = "paper.confirmed"
    PAPER_REJECTED = "paper.rejected"


class AuditEntity(StrEnum):
    """Kinds of entity the scoring flow records (setup writes add their own)."""

    SCORE = "score"
    DEDUCTION = "deduction"
    REMOVAL = "removal"
    ASSIGNMENT = "assignment"
    CONTEST = "contest"
    CATEGORY = "category"
    SIGNOFF = "signoff"
    REOPEN = "reopen"
    ANNOUNCEMENT = "announcement"
    PAPER = "paper"


class AuditEntry(WireModel):
    """One recorded write; never changed once written."""

    id: Id
    at: datetime
    actor_id: int | None = None
    actor_username: str
    actor_role: str | None = None
    action: str
    entity_kind: str
    entity_id: str | None = None
    label: str
    category_id: int | None = None
    contest_id: int | None = None
    subject_user_id: int | None = None
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    reason: str | None = None
    client_id: str | None = None


class AuditQuery(InboundModel):
    """``audit:history`` payload: filters, all optional, combined with AND.

    ``userId`` matches entries a user wrote or that concern them (their scores, their
    sheet). ``entityKind`` + ``entityId`` give one entity's history (one score).
    ``beforeId`` pages backwards; ``limit`` caps one page.
    """

    category_id: Id | None = None
    contest_id: Id | None = None
    user_id: Id | None = None
    entity_kind: str | None = Field(default=None, max_length=40)
    entity_id: str | None = Field(default=None, max_length=80)
    action: str | None = Field(default=None, max_length=60)
    before_id: Id | None = None
    limit: int = Field(default=500, ge=1, le=5000)


class AuditPage(WireModel):
    """``audit:history`` ack data: entries oldest first, and whether older ones remain."""

    entries: list[AuditEntry]
    more: bool = False
