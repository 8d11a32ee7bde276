"""The one place the export layer asks for a category's ranking.

Scoring rules live in :mod:`scoring_console.protocol.scoring` (the same code the server
and the console use): this adapter calls :func:`compute_category` with the category's
rules, panel, approved deductions and the tally master's recorded tie orders, and says
in words which rules were used, so reports print "the rule used" next to the totals.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring_console.protocol.entities import Category, RankedTotal
from scoring_console.protocol.scoring import MANUAL, ScoringMethod, compute_category, exact

from .source import ExportSource


@dataclass(frozen=True)
class Ranking:
    """Ranked totals of one category and the rule that produced them."""

    totals: list[RankedTotal]
    rule: str
    complete: bool
    """Every panel judge scored every cell (otherwise the ranking is provisional)."""


def rule_text(category: Category) -> str:
    """The category's scoring rules in one sentence, as printed on reports."""
    rules = category.scoring
    weighted = any(exact(c.weight) != 1 for c in category.criteria)
    judge = (
        "each judge's total = Σ score × criterion weight"
        if weighted
        else "each judge's total = sum of the criterion scores"
    )
    combine = "average" if rules.method is ScoringMethod.AVERAGE else "sum"
    parts = [f"Total = {combine} of the panel judges' totals − approved deductions (not below 0)"]
    parts.append(judge)
    if rules.drop_high_low:
        parts.append("the highest and the lowest judge total dropped")
    if rules.tie_break:
        order = [
            "the tally master's recorded order" if t == MANUAL else t.split(":", 1)[1]
            for t in rules.tie_break
        ]
        parts.append("ties broken by " + ", then ".join(order))
    else:
        parts.append("equal totals share a place")
    parts.append(f"shown to {rules.precision} decimals")
    return "; ".join(parts) + "."


def rank_category(source: ExportSource, category: Category) -> Ranking:
    """Rank a category by its rules from the panel's scores and the approved deductions."""
    result = compute_category(
        category,
        source.panel.get(category.id, []),
        source.scores_in(category.id),
        [(d.contestant_id, d.amount) for d in source.approved_deductions(category.id)],
        source.manual_orders.get(category.id, []),
    )
    return Ranking(
        totals=result.ranked_totals(), rule=rule_text(category), complete=result.complete
    )
