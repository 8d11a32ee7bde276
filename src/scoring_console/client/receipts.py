"""Checking a sign-off's receipt against our own copy of the signed scores.

The server returns a receipt (SHA-256, :mod:`scoring_console.protocol.receipt`) for each
signature. The console and ``scoring-cli verify-receipt`` recompute it from the scores
in the local state: a judge's receipt covers their own scores in the category; the
tally master's, auditor's and board's cover every score of the panel (the judges the
category's certification requires). A match says "what was signed is what we have".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from scoring_console.protocol.entities import CertificationSignoff, Score
from scoring_console.protocol.receipt import compute_receipt
from scoring_console.protocol.roles import Role

from .state import StateStore


class ReceiptStatus(StrEnum):
    """The outcome of a check."""

    MATCHES = "matches"
    MISMATCH = "mismatch"
    UNKNOWN = "unknown"
    """We cannot recompute it: some covered values are hidden from us, or no receipt."""


@dataclass(frozen=True)
class ReceiptCheck:
    """A receipt as the server gave it and as we recompute it."""

    category_id: int
    role: Role
    signer_id: int
    signer_name: str
    server_receipt: str | None
    computed: str | None
    status: ReceiptStatus
    score_count: int

    @property
    def message(self) -> str:
        """One line for people."""
        if self.status is ReceiptStatus.MATCHES:
            return f"matches the server ({self.score_count} scores)"
        if self.status is ReceiptStatus.MISMATCH:
            return (
                f"MISMATCH: the server's receipt {self.server_receipt} differs from "
                f"{self.computed}, recomputed from our {self.score_count} scores"
            )
        return "cannot be checked here: some signed scores are hidden from this account"


def covered_scores(state: StateStore, category_id: int, role: Role, signer_id: int) -> list[Score]:
    """The scores a signature by ``signer_id`` in ``role`` covers, from our state."""
    scores = state.scores_in(category_id)
    if role is Role.JUDGE:
        return [s for s in scores if s.judge_id == signer_id]
    cert = state.certifications.get(category_id)
    panel = set(cert.required_judge_ids) if cert is not None else set(state.judges_of(category_id))
    return [s for s in scores if s.judge_id in panel]


def check_signoff(
    state: StateStore, category_id: int, signoff: CertificationSignoff
) -> ReceiptCheck:
    """Recompute one sign-off's receipt and compare it with the server's."""
    scores = covered_scores(state, category_id, signoff.role, signoff.user_id)
    hidden = any(s.score is None for s in scores)
    computed = (
        None
        if hidden
        else compute_receipt(category_id, signoff.user_id, signoff.role.value, scores)
    )
    if computed is None or signoff.receipt is None:
        status = ReceiptStatus.UNKNOWN
    elif computed == signoff.receipt:
        status = ReceiptStatus.MATCHES
    else:
        status = ReceiptStatus.MISMATCH
    return ReceiptCheck(
        category_id=category_id,
        role=signoff.role,
        signer_id=signoff.user_id,
        signer_name=signoff.user_name,
        server_receipt=signoff.receipt,
        computed=computed,
        status=status,
        score_count=len(scores),
    )


def check_category(state: StateStore, category_id: int) -> list[ReceiptCheck]:
    """Every sign-off of a category, checked, in signing order."""
    cert = state.certifications.get(category_id)
    if cert is None:
        return []
    return [check_signoff(state, category_id, s) for s in cert.signoffs]


def check_receipt(state: StateStore, receipt: str) -> ReceiptCheck | None:
    """Find the sign-off with this receipt (any category we see) and check it."""
    wanted = receipt.strip().lower()
    for category_id, cert in sorted(state.certifications.items()):
        for signoff in cert.signoffs:
            if signoff.receipt == wanted:
                return check_signoff(state, category_id, signoff)
    return None
