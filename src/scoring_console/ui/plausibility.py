"""Checks on a score a judge is about to save: hard range errors and soft warnings.

A value outside ``0..maxScore`` is refused outright. A value inside the range can still
be a slip of the finger: zero, exactly the maximum, or far from the judge's own average
on that criterion. Those ask for confirmation before saving.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean

JUMP_FRACTION = 0.5
"""A value this far (as a fraction of ``maxScore``) from the judge's average is odd."""

MIN_HISTORY = 3
"""Own scores on the criterion needed before the average is trusted."""


def parse_score(text: str) -> float | None:
    """The number typed in a cell (``,`` accepted as decimal mark), or ``None``."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return value


def range_error(value: float, max_score: float) -> str | None:
    """Why ``value`` cannot be saved, or ``None`` when it is within ``0..max_score``."""
    if value < 0:
        return "A score cannot be negative."
    if value > max_score:
        return f"The maximum for this criterion is {format_score(max_score)}."
    return None


def plausibility_warning(value: float, max_score: float, own_scores: Sequence[float]) -> str | None:
    """A reason to double-check ``value``, or ``None`` when it looks ordinary."""
    if value == 0:
        return "A score of 0 is unusual."
    if value == max_score:
        return f"A perfect {format_score(max_score)} is unusual."
    if len(own_scores) >= MIN_HISTORY:
        average = fmean(own_scores)
        if abs(value - average) > JUMP_FRACTION * max_score:
            return (
                f"{format_score(value)} is far from your average of "
                f"{format_score(average)} on this criterion."
            )
    return None


def format_score(value: float) -> str:
    """A score as judges write it: ``7``, ``7.5``, ``7.25``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"
