"""Entities the server sends: in the ``sync`` snapshot, in acks and in events."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from .base import ClientId, Id, Name, ScoreValue, Seq, ServerMessage, WireModel
from .errors import ErrorCode
from .roles import Role
from .scoring.decimals import DecimalValue
from .scoring.rules import ScoringRules
from .scoring.wire import OutlierAction as OutlierAction
from .scoring.wire import OutlierReview as OutlierReview
from .scoring.wire import RankedTotal as RankedTotal  # defined with the scoring rules
from .scoring.wire import TieDecision as TieDecision


class UserInfo(WireModel):
    """The logged-in user, as in the login response and the snapshot."""

    id: Id
    username: Name
    name: Name
    role: Role


class Event(WireModel):
    """A competition event (the top of the hierarchy)."""

    id: Id
    name: Name
    date: str | None = None


class Contest(WireModel):
    """A contest within an event; a locked contest refuses every score edit."""

    id: Id
    event_id: Id
    name: Name
    locked: bool = False


class Criterion(WireModel):
    """One scored criterion of a category."""

    id: Id
    name: Name
    max_score: float = Field(gt=0, allow_inf_nan=False)
    weight: DecimalValue = Field(default=Decimal(1), gt=0, le=1000)
    """A judge's total is the sum over the criteria of ``weight × score``."""


class Category(WireModel):
    """A category: the unit judges score, certify and results are published for."""

    id: Id
    contest_id: Id
    name: Name
    criteria: list[Criterion]
    contestant_ids: list[Id]
    published: bool = False
    scoring: ScoringRules = Field(default_factory=ScoringRules)


class Contestant(WireModel):
    """A contestant, with the number shown on the scoring sheet."""

    id: Id
    number: int
    name: Name


class Assignment(ServerMessage):
    """A user assigned to a category in a role (judge or tally master)."""

    id: Id
    user_id: Id
    category_id: Id
    role: Role
    user_name: Name | None = None
    """The assigned user's display name, so every role can label a judge's column."""


class Score(ServerMessage):
    """One judge's score for one contestant on one criterion.

    ``score`` is ``None`` when masked for the recipient (another judge's value).
    """

    id: Id
    client_id: ClientId
    category_id: Id
    contestant_id: Id
    criterion_id: Id
    judge_id: Id
    score: ScoreValue | None
    comment: str | None = None
    version: int = Field(ge=1)
    updated_at: datetime


class ScoreDeleted(ServerMessage):
    """A score removed after an approved removal request."""

    id: Id
    category_id: Id
    contestant_id: Id
    criterion_id: Id
    judge_id: Id


class CertificationStatus(StrEnum):
    """Where a category stands in the sign-off chain."""

    NOT_STARTED = "NOT_STARTED"
    JUDGES_SIGNING = "JUDGES_SIGNING"
    JUDGES_SIGNED = "JUDGES_SIGNED"
    TALLY_SIGNED = "TALLY_SIGNED"
    AUDITOR_SIGNED = "AUDITOR_SIGNED"
    CERTIFIED = "CERTIFIED"


_NEXT_SIGNER: dict[CertificationStatus, Role | None] = {
    CertificationStatus.NOT_STARTED: Role.JUDGE,
    CertificationStatus.JUDGES_SIGNING: Role.JUDGE,
    CertificationStatus.JUDGES_SIGNED: Role.TALLY_MASTER,
    CertificationStatus.TALLY_SIGNED: Role.AUDITOR,
    CertificationStatus.AUDITOR_SIGNED: Role.BOARD,
    CertificationStatus.CERTIFIED: None,
}


PAST_JUDGES_STEP = frozenset(
    {
        CertificationStatus.TALLY_SIGNED,
        CertificationStatus.AUDITOR_SIGNED,
        CertificationStatus.CERTIFIED,
    }
)
"""Certification states in which the category's scores, deductions and panel are frozen
(the server refuses changes; the console does not offer them)."""


def next_signer_role(status: CertificationStatus) -> Role | None:
    """Whose turn it is to sign a category in ``status`` (``None`` once certified).

    The one rule for "who signs next": the server refuses a step out of order and tells
    the next signers by it; the console shows whose turn it is by it.
    """
    return _NEXT_SIGNER[status]


class CertificationSignoff(WireModel):
    """One signature in the chain, with the receipt hash of what was signed."""

    role: Role
    user_id: Id
    user_name: Name
    signed_at: datetime
    receipt: str | None = Field(default=None, min_length=64, max_length=64)
    """``None`` for a judge looking at another judge's sign-off: a receipt hashes the
    signer's scores, and from a masked sheet plus the hash a small sheet could be
    brute-forced."""


class Certification(ServerMessage):
    """The certification state of one category."""

    category_id: Id
    status: CertificationStatus
    required_judge_ids: list[Id]
    signoffs: list[CertificationSignoff]
    version: int = Field(ge=0)


class RequestStatus(StrEnum):
    """State of a deduction or removal request."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class Deduction(ServerMessage):
    """A deduction from a contestant's total in a category; counts once approved."""

    id: Id
    client_id: ClientId
    category_id: Id
    contestant_id: Id
    amount: float = Field(gt=0, allow_inf_nan=False)
    reason: str
    requested_by: Id
    status: RequestStatus
    decided_by: Id | None = None
    decision_note: str | None = None
    created_at: datetime
    decided_at: datetime | None = None
    requested_by_name: str = ""
    """The requester's display name (every viewer can name them, not only their peers)."""
    decided_by_name: str | None = None


class RemovalRequest(ServerMessage):
    """A request to remove a score; an admin approves or rejects it."""

    id: Id
    client_id: ClientId
    score_id: Id
    category_id: Id
    contestant_id: Id
    criterion_id: Id
    judge_id: Id
    requested_by: Id
    reason: str
    status: RequestStatus
    decided_by: Id | None = None
    decision_note: str | None = None
    created_at: datetime
    decided_at: datetime | None = None
    requested_by_name: str = ""
    """The requester's display name (every viewer can name them, not only their peers)."""
    decided_by_name: str | None = None
    judge_name: str = ""
    """The display name of the judge whose score it is."""


class NotificationType(StrEnum):
    """Severity of a notification or announcement (the seed's toast types)."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


class Notification(ServerMessage):
    """A persisted notification for one user."""

    id: Id
    user_id: Id
    type: NotificationType
    title: str
    message: str
    category_id: Id | None = None
    read: bool = False
    created_at: datetime


class Announcement(ServerMessage):
    """A system-wide announcement (``system:announcement``)."""

    id: Id
    message: str
    type: NotificationType
    timestamp: datetime
    author_id: Id | None = None
    contest_id: Id | None = None
    """Set when it was addressed to one contest's people (and the venue-wide roles)."""


class Presence(ServerMessage):
    """A user's presence as tally masters see it: online, last seen, unsynced entries."""

    user_id: Id
    username: Name
    name: Name
    role: Role
    online: bool
    last_seen: datetime | None = None
    pending_count: int = Field(default=0, ge=0)
    pending_as_of: datetime | None = None
    """When the heartbeat that reported ``pending_count`` reached the server (server
    time; ``None`` before the first heartbeat). Refreshed at least every few seconds
    while the user is online, so an old stamp means the count is stale."""


class RefusedWrite(ServerMessage):
    """A write the server refused (``scores:refused``): who, what, which cell, why."""

    id: Id
    client_id: ClientId
    judge_id: Id
    judge_name: Name
    category_id: Id
    contestant_id: Id | None = None
    criterion_id: Id | None = None
    score: float | None = None
    code: ErrorCode
    reason: str
    refused_at: datetime


class Snapshot(WireModel):
    """The ``sync`` answer: everything this user may see, as of ``seq``."""

    seq: Seq
    server_time: datetime
    user: UserInfo
    events: list[Event]
    contests: list[Contest]
    categories: list[Category]
    contestants: list[Contestant]
    assignments: list[Assignment]
    scores: list[Score]
    certifications: list[Certification]
    deductions: list[Deduction]
    removal_requests: list[RemovalRequest]
    notifications: list[Notification]
    announcements: list[Announcement]
    presence: list[Presence]
    tie_decisions: list[TieDecision] = Field(default_factory=list)
    outlier_reviews: list[OutlierReview] = Field(default_factory=list)
    refused_writes: list[RefusedWrite] = Field(default_factory=list)
    """Refused writes of the categories the user oversees (tally masters of the
    category, auditors, board, organizers, admins); empty for judges."""
