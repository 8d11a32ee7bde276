"""Client → server payloads, their ack data, and server events that are not entities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from .base import (
    Amount,
    ClientId,
    Comment,
    Id,
    InboundModel,
    Message,
    Reason,
    ScoreValue,
    Seq,
    ServerMessage,
    WireModel,
)
from .entities import Certification, NotificationType, OutlierAction, RankedTotal, Score
from .errors import ErrorCode

MAX_BATCH = 200
"""Most entries in one ``scores:submit-batch`` call."""

RENEW_GRACE = 60
"""Seconds after the session's access token expired during which ``auth:renew`` is
still accepted (the server's default; every other call is refused at once)."""


# --- client → server -------------------------------------------------------------


class SyncRequest(InboundModel):
    """``sync`` takes no fields; ``null`` or ``{}`` both mean "everything I may see"."""


class ScoreSubmit(InboundModel):
    """``scores:submit``: create or replace the sender's score for one sheet cell."""

    client_id: ClientId
    category_id: Id
    contestant_id: Id
    criterion_id: Id
    score: ScoreValue
    comment: Comment | None = None
    reason: Reason | None = None
    """Why the score changed; required once the judge's signed sheet was reopened."""


class ScoreBatchSubmit(InboundModel):
    """``scores:submit-batch``: several submissions, applied and answered one by one."""

    entries: list[ScoreSubmit] = Field(min_length=1, max_length=MAX_BATCH)


class CategoryRef(InboundModel):
    """A payload naming one category; a bare id (the seed's ``emit(ev, id)``) is accepted."""

    category_id: Id

    @model_validator(mode="before")
    @classmethod
    def _accept_bare_id(cls, data: Any) -> Any:
        if isinstance(data, int) and not isinstance(data, bool):
            return {"categoryId": data}
        return data


class ScoresRequest(CategoryRef):
    """``scores:request``: the scores of one category, masked for the caller."""


class TotalsRequest(CategoryRef):
    """``totals:request``: ranked totals of one category."""


class ResultsPublish(CategoryRef):
    """``results:publish``: publish the ranked results of a certified category."""


class RemovalRequestCreate(InboundModel):
    """``score:removal-requested``: ask an admin to remove a score."""

    client_id: ClientId
    score_id: Id
    reason: Reason


class RemovalDecision(InboundModel):
    """``score:removal-decide``: an admin approves or rejects a removal request."""

    request_id: Id
    approve: bool
    note: Comment | None = None


class DeductionCreate(InboundModel):
    """``deduction:requested``: propose a deduction from a contestant's total."""

    client_id: ClientId
    category_id: Id
    contestant_id: Id
    amount: Amount
    reason: Reason


class TieDecisionCreate(InboundModel):
    """``ties:decide``: a tally master's order for contestants with equal totals.

    ``contestantIds`` best first, each once; ``reason`` is shown with the results.
    """

    client_id: ClientId
    category_id: Id
    contestant_ids: list[Id] = Field(min_length=2, max_length=500)
    reason: Reason

    @model_validator(mode="after")
    def _distinct(self) -> TieDecisionCreate:
        if len(set(self.contestant_ids)) != len(self.contestant_ids):
            raise ValueError("contestantIds must name each contestant once")
        return self


class OutlierReviewCreate(InboundModel):
    """``outliers:review``: clear a flagged score (with a note) or ask its judge to check."""

    client_id: ClientId
    category_id: Id
    contestant_id: Id
    criterion_id: Id
    judge_id: Id
    # strict=False: JSON carries the enum as its string value ("clear", "ask_judge")
    action: OutlierAction = Field(strict=False)
    note: Reason


class DeductionDecision(InboundModel):
    """``deduction:decide``: approve or reject a pending deduction."""

    deduction_id: Id
    approve: bool
    note: Comment | None = None


class AssignmentChange(InboundModel):
    """``assignment:created`` / ``assignment:removed``: assign a judge or tally master."""

    user_id: Id
    category_id: Id


class CertificationSign(InboundModel):
    """``certification:sign``: sign the caller's step of a category's certification."""

    client_id: ClientId
    category_id: Id


class ContestLock(InboundModel):
    """``contest:lock``: lock (or unlock) a contest against score edits."""

    contest_id: Id
    locked: bool = True


class AnnouncementCreate(InboundModel):
    """``system:announcement`` from a client: broadcast a message to everyone."""

    message: Message
    # strict=False: JSON carries the enum as its string value ("info", "warning", ...)
    type: NotificationType = Field(default=NotificationType.INFO, strict=False)
    contest_id: Id | None = None
    """Only the people of this contest (and the venue-wide roles); ``None``: everyone."""


class NotificationRead(InboundModel):
    """``notification:read``: mark the caller's notifications as read."""

    ids: list[Id] = Field(min_length=1, max_length=500)


class Heartbeat(InboundModel):
    """``user:active``: presence heartbeat with the sender's unsynced outbox count.

    ``userId`` (what the seed's clients send) is accepted and ignored: identity comes
    from the token.
    """

    pending_count: int = Field(default=0, ge=0, le=1_000_000)
    user_id: Id | None = None


class AuthRenew(InboundModel):
    """``auth:renew``: hand a freshly refreshed access token to the live session."""

    token: str = Field(min_length=1, max_length=4000)


class AccountUnlock(InboundModel):
    """``account:unlock``: clear an account's failed-login lockout (admin)."""

    username: str = Field(min_length=1, max_length=200)


# --- ack data ------------------------------------------------------------------------


class AckErrorBody(WireModel):
    """``error`` of a failed ack."""

    code: ErrorCode
    message: str
    details: dict[str, Any] | None = None


class BatchItemResult(WireModel):
    """One entry's outcome in a batch answer."""

    client_id: str
    ok: bool
    data: Score | None = None
    error: AckErrorBody | None = None


class BatchResult(WireModel):
    """Ack data of ``scores:submit-batch``: one result per entry, in order."""

    results: list[BatchItemResult]


class ScoresData(ServerMessage):
    """``scores:data`` event and ``scores:request`` ack data."""

    category_id: Id
    scores: list[Score]


class TotalsData(WireModel):
    """Ack data of ``totals:request``."""

    category_id: Id
    totals: list[RankedTotal]


class SignResult(WireModel):
    """Ack data of ``certification:sign``: the new state and the receipt of what was signed."""

    certification: Certification
    receipt: str = Field(min_length=64, max_length=64)
    signed_score_count: int = Field(ge=0)


class NotificationReadResult(WireModel):
    """Ack data of ``notification:read``."""

    updated: int = Field(ge=0)


class HeartbeatResult(WireModel):
    """Ack data of ``user:active``."""

    server_time: datetime
    seq: Seq


class AuthRenewed(WireModel):
    """Ack data of ``auth:renew``: when the session's new access token expires."""

    expires_at: datetime


class AccountUnlocked(WireModel):
    """Ack data of ``account:unlock``: whether the account was locked."""

    username: str
    was_locked: bool


# --- server → client events that are not entities ------------------------------------


class ContestLocked(ServerMessage):
    """``contest:locked``: a contest was locked or unlocked."""

    contest_id: Id
    locked: bool


class ResultsPublished(ServerMessage):
    """``results:published``: the ranked results of a certified category."""

    category_id: Id
    totals: list[RankedTotal]
    published_at: datetime


class AssignmentRevoked(ServerMessage):
    """``assignment:revoked``: the recipient lost an assignment."""

    user_id: Id
    category_id: Id
    role: str


class ErrorEvent(WireModel):
    """``error``: the seed's out-of-band error, e.g. ``Invalid event type``."""

    message: str
    code: ErrorCode | None = None
    event: str | None = None
