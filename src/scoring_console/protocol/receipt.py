"""Certification receipts: a SHA-256 over a canonical listing of the signed scores.

The server returns the receipt when a user signs; the console recomputes it from its
own copy of the scores, so a judge can see that what was signed is what they entered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Protocol


class SignedScore(Protocol):
    """What a receipt covers of a score."""

    @property
    def contestant_id(self) -> int: ...
    @property
    def criterion_id(self) -> int: ...
    @property
    def judge_id(self) -> int: ...
    @property
    def score(self) -> float | None: ...
    @property
    def version(self) -> int: ...


RECEIPT_FORMAT = "scoring-console-receipt-v1"


def canonical_lines(
    category_id: int, signer_id: int, role: str, scores: Iterable[SignedScore]
) -> list[str]:
    """The exact lines hashed into a receipt, header first, scores sorted."""
    rows = sorted((s.judge_id, s.contestant_id, s.criterion_id, s.score, s.version) for s in scores)
    lines = [f"{RECEIPT_FORMAT}|category={category_id}|signer={signer_id}|role={role}"]
    for judge_id, contestant_id, criterion_id, value, version in rows:
        shown = "null" if value is None else repr(float(value))
        lines.append(f"{judge_id}|{contestant_id}|{criterion_id}|{shown}|v{version}")
    return lines


def compute_receipt(
    category_id: int, signer_id: int, role: str, scores: Iterable[SignedScore]
) -> str:
    """SHA-256 hex digest over :func:`canonical_lines`."""
    text = "\n".join(canonical_lines(category_id, signer_id, role, scores)) + "\n"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
