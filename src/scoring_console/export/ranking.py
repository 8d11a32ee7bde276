"""The one place the export layer asks for a category's ranking.

Scoring rules live in :mod:`scoring_console.protocol` (the same code the server and the
console use). This adapter calls it and says in words which rule was used, so reports
print "the rule used" next to the totals. When the rules move (weights, averages, drop
high/low, tie-breaks), this module is the one edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring_console.protocol.entities import Category, RankedTotal
from scoring_console.protocol.ranking import rank_totals

from .source import ExportSource

RULE_TEXT = (
    "Total = sum of every panel judge's scores − approved deductions (not below 0); "
    "equal totals share a place."
)


@dataclass(frozen=True)
class Ranking:
    """Ranked totals of one category and the rule that produced them."""

    totals: list[RankedTotal]
    rule: str
    complete: bool
    """Every panel judge scored every cell (otherwise the ranking is provisional)."""


def rank_category(source: ExportSource, category: Category) -> Ranking:
    """Rank a category from the panel's scores and the approved deductions."""
    panel = set(source.panel.get(category.id, []))
    scores = [s for s in source.scores_in(category.id) if s.judge_id in panel]
    values = [(s.contestant_id, s.score) for s in scores if s.score is not None]
    deductions = [(d.contestant_id, d.amount) for d in source.approved_deductions(category.id)]
    totals = rank_totals(category.contestant_ids, values, deductions)
    cells = len(category.contestant_ids) * len(category.criteria) * len(panel)
    return Ranking(totals=totals, rule=RULE_TEXT, complete=bool(panel) and len(values) >= cells)
