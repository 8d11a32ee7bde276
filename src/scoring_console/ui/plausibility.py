"""What a judge typed in a score cell: a value, a clear refusal, or a reason to double-check.

Pure functions and one small rule object — no Qt, no protocol types — so the wording
and the thresholds live in one place, shared by the score editor, the sheet and the
tests.

* :func:`read_score` turns the typed text into a value, or raises :class:`EntryError`
  whose message says what to type instead (``-3`` → "A score cannot be negative.").
* :class:`PlausibilityRule` decides when an in-range value still deserves a second
  look: only after a few prior scores, and only when the value lies far outside the
  range this judge has already used on the criterion (and outside the panel's values,
  where the judge may see them). Zero and the maximum are ordinary scores.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_DECIMALS = 2
"""Decimals a judge may type (the sheet shows at most this many)."""

DEFAULT_GAP_PERCENT = 30
"""Default distance, in percent of the criterion's maximum, that makes a value unusual."""

MIN_HISTORY = 3
"""Own scores on the criterion needed before a value can be called unusual."""

MIN_PANEL = 2
"""Visible panel values needed before they are taken into account."""

_NUMBER = re.compile(r"^(?P<sign>[-+]?)\s*(?P<whole>\d*)(?:[.,](?P<fraction>\d*))?$")


class EntryError(ValueError):
    """Typed text that cannot be saved as a score; ``str(error)`` tells the judge why."""


def read_score(text: str, max_score: float, criterion: str = "this criterion") -> float | None:
    """The score typed in ``text`` (``,`` accepted as decimal mark); ``None`` when empty.

    Raises :class:`EntryError` for a negative value, anything that is not a plain
    number, too many decimals, or a value above ``max_score``.
    """
    cleaned = text.strip()
    if not cleaned:
        return None
    match = _NUMBER.match(cleaned)
    if match is None or not (match["whole"] or match["fraction"]):
        raise EntryError(f"“{cleaned}” is not a number. Type a number such as 7.5.")
    if match["sign"] == "-" and float(f"{match['whole'] or 0}.{match['fraction'] or 0}") != 0:
        raise EntryError("A score cannot be negative.")
    if len(match["fraction"] or "") > MAX_DECIMALS:
        raise EntryError(f"At most {MAX_DECIMALS} decimals, e.g. 7.25.")
    value = float(f"{match['whole'] or 0}.{match['fraction'] or 0}")
    error = range_error(value, max_score, criterion)
    if error is not None:
        raise EntryError(error)
    return value


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


def range_error(value: float, max_score: float, criterion: str = "this criterion") -> str | None:
    """Why ``value`` cannot be saved, or ``None`` when it is within ``0..max_score``."""
    if value < 0:
        return "A score cannot be negative."
    if value > max_score:
        return f"The maximum for {criterion} is {format_score(max_score)}."
    return None


@dataclass(frozen=True)
class PlausibilityRule:
    """When a score inside the allowed range is still worth a confirmation.

    ``gap_percent`` is how far (in percent of the criterion's maximum) a value must lie
    outside the range of the judge's own other scores on the criterion; ``0`` turns the
    question off. Nothing is asked before ``min_history`` own scores exist. When at
    least ``min_panel`` other judges' values are visible, a value inside their range
    (widened by the same gap) is ordinary too.
    """

    gap_percent: float = DEFAULT_GAP_PERCENT
    min_history: int = MIN_HISTORY
    min_panel: int = MIN_PANEL

    @property
    def enabled(self) -> bool:
        """False when the judge turned the question off."""
        return self.gap_percent > 0

    def warning(
        self,
        value: float,
        max_score: float,
        own_scores: Sequence[float],
        panel_scores: Sequence[float] = (),
    ) -> str | None:
        """A reason to double-check ``value``, or ``None`` when it looks ordinary."""
        if not self.enabled or len(own_scores) < self.min_history:
            return None
        gap = self.gap_percent / 100 * max_score
        lowest, highest = min(own_scores), max(own_scores)
        if lowest - gap <= value <= highest + gap:
            return None
        if len(panel_scores) >= self.min_panel and (
            min(panel_scores) - gap <= value <= max(panel_scores) + gap
        ):
            return None
        return (
            f"{format_score(value)} is far from your other scores on this criterion "
            f"({_span(lowest, highest)})."
        )


def plausibility_warning(
    value: float,
    max_score: float,
    own_scores: Sequence[float],
    rule: PlausibilityRule | None = None,
) -> str | None:
    """:meth:`PlausibilityRule.warning` with the default (or the given) rule."""
    return (rule or PlausibilityRule()).warning(value, max_score, own_scores)


def _span(lowest: float, highest: float) -> str:
    if lowest == highest:
        return f"all {format_score(lowest)}"
    return f"{format_score(lowest)} to {format_score(highest)}"


def format_score(value: float) -> str:
    """A score as judges write it: ``7``, ``7.5``, ``7.25``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"
