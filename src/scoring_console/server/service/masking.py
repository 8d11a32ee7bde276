"""The one masking rule, used for every path a score takes to a client.

A judge sees their own score values; other judges' scores reach a judge with
``score: null``. Every other role sees values whole. ``sync``, ``scores:request`` and
broadcasts all go through :func:`mask_for` / :func:`view_for`.
"""

from __future__ import annotations

from typing import TypeVar

from scoring_console.protocol.base import ServerMessage
from scoring_console.protocol.entities import Certification, Score
from scoring_console.protocol.roles import Role

from .types import Broadcast

M = TypeVar("M", bound=ServerMessage)


def mask_score(score: Score) -> Score:
    """The score with its value hidden: ``score=None`` and no comment.

    A judge's comment is free text that often states or implies the value ("9.5 -
    superb"), so it is hidden from other judges with the value.
    """
    if score.score is None and score.comment is None:
        return score
    return score.model_copy(update={"score": None, "comment": None})


def mask_for(score: Score, viewer_id: int, viewer_role: Role) -> Score:
    """The score as ``viewer`` may see it: masked for judges other than its author."""
    if viewer_role is Role.JUDGE and score.judge_id != viewer_id:
        return mask_score(score)
    return score


def certification_for(cert: Certification, viewer_id: int, viewer_role: Role) -> Certification:
    """The certification as ``viewer`` may see it: a judge sees no other judge's receipt.

    A receipt is a hash over the signer's scores; a judge knows every other field of
    another judge's (masked) scores, so for a small sheet the values could be found by
    trying them all against the hash.
    """
    if viewer_role is not Role.JUDGE:
        return cert
    hidden = [
        s.model_copy(update={"receipt": None})
        if s.role is Role.JUDGE and s.user_id != viewer_id and s.receipt is not None
        else s
        for s in cert.signoffs
    ]
    if hidden == cert.signoffs:
        return cert
    return cert.model_copy(update={"signoffs": hidden})


def view_for(broadcast: Broadcast, viewer_id: int, viewer_role: Role) -> ServerMessage:
    """The payload of ``broadcast`` one recipient gets (masked when the rule says so)."""
    payload = broadcast.payload
    if broadcast.mask_score_for_judges and isinstance(payload, Score):
        return mask_for(payload, viewer_id, viewer_role)
    if isinstance(payload, Certification):
        return certification_for(payload, viewer_id, viewer_role)
    return payload
