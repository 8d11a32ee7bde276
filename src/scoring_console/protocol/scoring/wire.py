"""Scoring results and decisions as they travel: ranked totals and manual tie orders."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from ..base import ClientId, Id, ServerMessage, WireModel


class RankedTotal(WireModel):
    """A contestant's place in a category, computed by :func:`compute_category`.

    ``score_sum`` is the panel score (the method over the kept judge totals) before
    deductions; ``total`` is that minus approved deductions, floored at 0. Both are the
    exact values as JSON numbers; ``display_total`` is ``total`` rounded to the
    category's precision, the value people see. ``score_count`` of ``scores_expected``
    panel scores are in; the row is ``provisional`` until they all are.
    """

    contestant_id: Id
    score_sum: float
    deductions: float
    total: float
    rank: int = Field(ge=1)
    score_count: int = Field(ge=0)
    scores_expected: int = Field(default=0, ge=0)
    provisional: bool = False
    display_total: str = ""
    tie_break: str | None = None
    """The tie-break entry that separated this contestant from an equal total, if any."""
    shared_rank: bool = False
    dropped_judge_ids: list[Id] = Field(default_factory=list)


class TieDecision(ServerMessage):
    """A tally master's manual order for contestants whose totals stay equal.

    ``contestant_ids`` is the order, best first. It breaks a tie of the ``manual``
    tie-break entry when it names every contestant of the tied group; the newest
    decision that does wins.
    """

    id: Id
    client_id: ClientId
    category_id: Id
    contestant_ids: list[Id] = Field(min_length=2)
    reason: str
    decided_by: Id
    decided_at: datetime


class OutlierAction(StrEnum):
    """What a tally master did about a flagged score."""

    CLEAR = "clear"
    """Accepted as it is (with a note); the flag closes for this version of the score."""
    ASK_JUDGE = "ask_judge"
    """The judge is asked to check it (a notification); the flag stays open."""


class OutlierReview(ServerMessage):
    """A tally master's review of a flagged score (``outliers:reviewed``)."""

    id: Id
    client_id: ClientId
    category_id: Id
    contestant_id: Id
    criterion_id: Id
    judge_id: Id
    score_version: int = Field(ge=1)
    action: OutlierAction
    note: str
    reviewed_by: Id
    reviewed_at: datetime
