"""Paper sheets entered afterwards: a tally master types a judge's paper sheet in, on
the judge's behalf, and a second person confirms it before it counts (enterer/confirmer).

The entry is recorded as such in the audit trail (who entered it, for which judge, from
paper; who confirmed). Confirmed scores become the judge's scores, each change carrying
the reason "paper sheet #N entered by … confirmed by …".
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from .base import ClientId, Comment, Id, InboundModel, ScoreValue, ServerMessage, WireModel
from .entities import RequestStatus

MAX_PAPER_ENTRIES = 2000


class PaperScore(InboundModel):
    """One filled box of a paper sheet."""

    contestant_id: Id
    criterion_id: Id
    score: ScoreValue
    comment: Comment | None = None


class PaperSheetSubmit(InboundModel):
    """``paper:submit`` payload (a tally master of the category)."""

    client_id: ClientId
    category_id: Id
    judge_id: Id
    entries: list[PaperScore] = Field(min_length=1, max_length=MAX_PAPER_ENTRIES)
    note: Comment | None = None


class PaperSheetDecision(InboundModel):
    """``paper:decide`` payload: confirm (the scores count) or reject."""

    sheet_id: Id
    approve: bool
    note: Comment | None = None


class PaperListRequest(InboundModel):
    """``paper:list`` payload: every visible paper sheet, or one category's."""

    category_id: Id | None = None


class PaperEntry(WireModel):
    """One box of a stored paper sheet."""

    contestant_id: Id
    criterion_id: Id
    score: float
    comment: str | None = None


class PaperSheet(ServerMessage):
    """A paper sheet typed in on a judge's behalf, pending confirmation or decided."""

    id: Id
    client_id: ClientId
    category_id: Id
    judge_id: Id
    judge_name: str
    entered_by: Id
    entered_by_name: str
    entries: list[PaperEntry]
    note: str | None = None
    status: RequestStatus
    decided_by: Id | None = None
    decision_note: str | None = None
    created_at: datetime
    decided_at: datetime | None = None


class PaperSheetList(WireModel):
    """``paper:list`` ack data, oldest first."""

    sheets: list[PaperSheet]
