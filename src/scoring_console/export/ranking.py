"""The one place the export layer asks for a category's ranking.

Scoring rules live in :mod:`scoring_console.protocol.scoring` (the same code the server
and the console use): this adapter calls :func:`compute_category` with the category's
rules, panel, approved deductions and the tally master's recorded tie orders; reports
print the rules in words next to the totals (``rules_in_words``, as the tally view does).
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring_console.protocol.entities import Category, RankedTotal
from scoring_console.protocol.scoring import compute_category, rules_in_words

from .source import ExportSource


@dataclass(frozen=True)
class Ranking:
    """Ranked totals of one category and the rule that produced them."""

    totals: list[RankedTotal]
    rule: str
    complete: bool
    """Every panel judge scored every cell (otherwise the ranking is provisional)."""


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
        totals=result.ranked_totals(), rule=rules_in_words(category), complete=result.complete
    )
