"""The one masking rule, used for every path a score takes to a client.

A judge sees their own scores and nothing of another judge's: not the value, and not
the masked row either (its ``version`` and ``updatedAt`` would tell when and how often
a colleague changed a cell, and a judge's console has no use for it). Every other role
sees scores whole. ``sync``, ``scores:request`` and broadcasts all go through
:func:`scores_for` / :func:`view_for`.

Receipts follow the same rule: a receipt is a hash over scores, and for a small panel
the values behind it can be found by trying them all. A judge therefore sees only their
own receipt; the tally master's, auditor's and board's receipts (over every panel
score) never reach a judge (docs/protocol.md, "Receipts and masking").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from scoring_console.protocol.base import ServerMessage
from scoring_console.protocol.entities import Certification, Score, ScoreDeleted
from scoring_console.protocol.roles import Role

from .types import Broadcast

M = TypeVar("M", bound=ServerMessage)


def mask_score(score: Score) -> Score:
    """The score with its value hidden: ``score=None`` and no comment.

    A judge's comment is free text that often states or implies the value ("9.5 -
    superb"), so it is hidden with the value.
    """
    if score.score is None and score.comment is None:
        return score
    return score.model_copy(update={"score": None, "comment": None})


def may_see_score(judge_id: int, viewer_id: int, viewer_role: Role) -> bool:
    """Whether a viewer gets a score by ``judge_id`` at all: judges only their own."""
    return viewer_role is not Role.JUDGE or judge_id == viewer_id


def mask_for(score: Score, viewer_id: int, viewer_role: Role) -> Score:
    """The score as ``viewer`` may see it: masked for judges other than its author.

    Delivery paths drop such scores (:func:`scores_for`); this is the last line.
    """
    if not may_see_score(score.judge_id, viewer_id, viewer_role):
        return mask_score(score)
    return score


def scores_for(scores: Iterable[Score], viewer_id: int, viewer_role: Role) -> list[Score]:
    """The scores ``viewer`` gets: every score, or a judge's own only."""
    return [s for s in scores if may_see_score(s.judge_id, viewer_id, viewer_role)]


def certification_for(cert: Certification, viewer_id: int, viewer_role: Role) -> Certification:
    """The certification as ``viewer`` may see it: a judge sees only their own receipt.

    Every sign-off stays listed (who signed and when is not secret); the receipt of any
    sign-off but the judge's own is ``None``.
    """
    if viewer_role is not Role.JUDGE:
        return cert
    hidden = [
        s.model_copy(update={"receipt": None})
        if s.receipt is not None and not (s.role is Role.JUDGE and s.user_id == viewer_id)
        else s
        for s in cert.signoffs
    ]
    if hidden == cert.signoffs:
        return cert
    return cert.model_copy(update={"signoffs": hidden})


def view_for(broadcast: Broadcast, viewer_id: int, viewer_role: Role) -> ServerMessage | None:
    """The payload of ``broadcast`` one recipient gets, or ``None``: send them nothing."""
    payload = broadcast.payload
    if isinstance(payload, Score | ScoreDeleted):
        if not may_see_score(payload.judge_id, viewer_id, viewer_role):
            return None
        return payload
    if isinstance(payload, Certification):
        return certification_for(payload, viewer_id, viewer_role)
    return payload
