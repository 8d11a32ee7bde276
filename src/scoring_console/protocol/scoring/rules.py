"""Per-category scoring rules: how judge totals combine into a ranking.

Stored with the category (``categories.scoring``, JSON text), carried in ``sync`` as
``Category.scoring`` and set by the setup events and the competition file::

    "scoring": {"method": "sum", "dropHighLow": false,
                "tieBreak": ["criterion:Technique", "manual"], "precision": 2,
                "outliers": {"enabled": true, "maxDeviation": 0.3, "minScores": 3}}

Every field has a default, so ``{}`` (or a missing key) means: sum of the judges'
totals, nothing dropped, no tie-break (equal totals share a rank), 2 decimals shown,
outliers flagged beyond 30 % of the criterion's maximum from the panel median.
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Final

from pydantic import AfterValidator, Field

from ..base import WireModel
from .decimals import DecimalValue

MANUAL: Final = "manual"
CRITERION_PREFIX: Final = "criterion:"

MIN_TOTALS_AFTER_DROP: Final = 3
"""Drop high/low applies only when at least this many judge totals remain after it."""


class ScoringMethod(StrEnum):
    """How the judges' totals for a contestant combine."""

    SUM = "sum"
    AVERAGE = "average"


def _tie_break_entry(value: str) -> str:
    if value == MANUAL:
        return value
    if value.startswith(CRITERION_PREFIX) and value[len(CRITERION_PREFIX) :].strip():
        return value
    raise ValueError(f'a tie-break is "criterion:NAME" or "manual", not {value!r}')


TieBreak = Annotated[str, Field(min_length=1, max_length=220), AfterValidator(_tie_break_entry)]
"""One tie-break entry: ``"criterion:NAME"`` or ``"manual"``."""


class OutlierRule(WireModel):
    """When a judge's score is flagged as far from the rest of the panel.

    A score is flagged when at least ``min_scores`` panel scores exist for the same
    contestant and criterion and the score lies more than ``max_deviation`` × the
    criterion's ``maxScore`` from their median.
    """

    enabled: bool = True
    max_deviation: DecimalValue = Field(default=Decimal("0.3"), gt=0, le=1)
    min_scores: int = Field(default=3, ge=3, le=100)


class ScoringRules(WireModel):
    """A category's scoring rules (see the module docstring for the wire shape)."""

    method: ScoringMethod = ScoringMethod.SUM
    drop_high_low: bool = False
    tie_break: list[TieBreak] = Field(default_factory=list, max_length=20)
    precision: int = Field(default=2, ge=0, le=6)
    outliers: OutlierRule = Field(default_factory=OutlierRule)

    def tie_break_criteria(self) -> list[str]:
        """The criterion names the tie-break list refers to, in order."""
        return [t[len(CRITERION_PREFIX) :] for t in self.tie_break if t != MANUAL]

    def to_json_text(self) -> str:
        """The stored form (``categories.scoring``)."""
        return json.dumps(self.to_wire(), sort_keys=True)

    @classmethod
    def from_json_text(cls, text: str | None) -> ScoringRules:
        """Rules from their stored form; ``None`` (never set) means the defaults."""
        if text is None or not text.strip():
            return cls()
        return cls.model_validate_json(text)


DEFAULT_RULES: Final = ScoringRules()
