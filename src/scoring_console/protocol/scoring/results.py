"""What the rule implementation computes: judge totals, contestant rows, the category."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from .display import as_float, display
from .rules import ScoringRules
from .wire import RankedTotal


@dataclass(frozen=True)
class JudgeTotal:
    """One panel judge's total for one contestant: Σ weight × score over the criteria.

    ``dropped`` is ``"high"`` or ``"low"`` when drop high/low removed it; an incomplete
    total (not every criterion scored) is shown but never counted.
    """

    judge_id: int
    scores: Mapping[int, Fraction]
    weighted: Mapping[int, Fraction]
    total: Fraction
    complete: bool
    dropped: str | None = None

    @property
    def counted(self) -> bool:
        """Whether this total takes part in the panel score."""
        return self.complete and self.dropped is None


@dataclass(frozen=True)
class ContestantResult:
    """A contestant's row: judge totals, panel score, deductions, total and rank."""

    contestant_id: int
    judges: tuple[JudgeTotal, ...]
    panel_score: Fraction
    deductions: Fraction
    total: Fraction
    tie_values: tuple[Fraction | None, ...]
    scores_in: int
    scores_expected: int
    rank: int = 0
    shared_rank: bool = False
    tie_break: str | None = None

    @property
    def provisional(self) -> bool:
        """True until every panel judge scored every criterion for this contestant."""
        return self.scores_expected == 0 or self.scores_in < self.scores_expected

    @property
    def progress(self) -> str:
        """``"k of n scores"``."""
        return f"{self.scores_in} of {self.scores_expected} scores"


@dataclass(frozen=True)
class CategoryResult:
    """A category's ranking, best first, with the rules it was computed by."""

    rules: ScoringRules
    rows: tuple[ContestantResult, ...]
    panel: tuple[int, ...]
    open_ties: tuple[tuple[int, ...], ...] = field(default=())
    """Groups still sharing a rank although the rules end with ``manual``."""

    @property
    def complete(self) -> bool:
        """Every panel judge scored every criterion for every contestant."""
        return bool(self.rows) and not any(row.provisional for row in self.rows)

    def row(self, contestant_id: int) -> ContestantResult | None:
        """The row of one contestant."""
        return next((r for r in self.rows if r.contestant_id == contestant_id), None)

    def ranks(self) -> dict[int, int]:
        """Contestant id → rank."""
        return {r.contestant_id: r.rank for r in self.rows}

    def display(self, value: Fraction) -> str:
        """``value`` rounded (half up) to the category's precision."""
        return display(value, self.rules.precision)

    def ranked_totals(self) -> list[RankedTotal]:
        """The rows as wire models."""
        return [
            RankedTotal(
                contestant_id=row.contestant_id,
                score_sum=as_float(row.panel_score),
                deductions=as_float(row.deductions),
                total=as_float(row.total),
                rank=row.rank,
                score_count=row.scores_in,
                scores_expected=row.scores_expected,
                provisional=row.provisional,
                display_total=self.display(row.total),
                tie_break=row.tie_break,
                shared_rank=row.shared_rank,
                dropped_judge_ids=[j.judge_id for j in row.judges if j.dropped is not None],
            )
            for row in self.rows
        ]
