"""Corrections after sign-off: a judge asks to reopen a signed sheet, with a reason.

The tally master of the category (or an admin) approves or rejects; the judge is told
by a notification. Approval reopens the sheet, supersedes the judge's receipt (it stays
in the audit trail) and removes the sign-offs after the judges' step. Once the category
is CERTIFIED only an admin may approve, and must give a reason (``note``). After a
reopen every score change of that judge in the category carries a ``reason``.
"""

from __future__ import annotations

from datetime import datetime

from .base import ClientId, Comment, Id, InboundModel, Reason, ServerMessage, WireModel
from .entities import RequestStatus

REOPEN_REQUESTED_TITLE = "Reopen requested"
REOPEN_APPROVED_TITLE = "Sheet reopened"
REOPEN_REJECTED_TITLE = "Reopen refused"
"""Titles of the notifications of the reopen flow (the console keys on the second)."""


class ReopenRequestCreate(InboundModel):
    """``sheet:reopen-request`` payload (the judge who signed)."""

    client_id: ClientId
    category_id: Id
    reason: Reason


class ReopenDecision(InboundModel):
    """``sheet:reopen-decide`` payload; ``note`` is required for an admin's reopen of a
    certified category (it is the recorded reason)."""

    request_id: Id
    approve: bool
    note: Comment | None = None


class ReopenListRequest(InboundModel):
    """``sheet:reopen-list`` payload: all visible requests, or one category's."""

    category_id: Id | None = None


class ReopenRequest(ServerMessage):
    """A request to reopen one judge's signed sheet of one category."""

    id: Id
    client_id: ClientId
    category_id: Id
    judge_id: Id
    judge_name: str
    reason: str
    status: RequestStatus
    superseded_receipt: str | None = None
    decided_by: Id | None = None
    decision_note: str | None = None
    created_at: datetime
    decided_at: datetime | None = None


class ReopenList(WireModel):
    """``sheet:reopen-list`` ack data, oldest first."""

    requests: list[ReopenRequest]
