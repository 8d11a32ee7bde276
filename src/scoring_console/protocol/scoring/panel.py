"""Judge totals and the panel score: weights, missing scores, drop high/low, the method.

Rules (docs/scoring.md explains them with an example):

* A judge's total is Σ ``weight × score`` over the criteria. It counts only when the
  judge scored every criterion for that contestant; an incomplete total is shown but
  does not count (a missing score never lowers a total).
* Drop high/low removes the single highest and the single lowest counted total, and
  only when at least :data:`MIN_TOTALS_AFTER_DROP` totals remain after dropping (so a
  panel needs 5 counted totals). Equal extremes: the one of the lowest judge id goes.
* ``average`` is the mean of the kept totals. ``sum`` is the mean of the kept totals
  times the number of totals a complete panel keeps: for a complete panel that is the
  plain sum; while a judge is missing it is the sum scaled to the full panel, so the
  missing judge does not pull the contestant down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from .results import JudgeTotal
from .rules import MIN_TOTALS_AFTER_DROP, ScoringMethod, ScoringRules


def judge_total(
    judge_id: int, scores: Mapping[int, Fraction], weights: Mapping[int, Fraction]
) -> JudgeTotal:
    """One judge's total from their scores (criterion id → score) and the weights."""
    weighted = {k: weights[k] * v for k, v in scores.items() if k in weights}
    return JudgeTotal(
        judge_id=judge_id,
        scores=dict(scores),
        weighted=weighted,
        total=sum(weighted.values(), Fraction(0)),
        complete=bool(weights) and set(weighted) == set(weights),
    )


def apply_drop(totals: Sequence[JudgeTotal], rules: ScoringRules) -> list[JudgeTotal]:
    """The totals with the dropped ones marked (see the module rules)."""
    counted = [t for t in totals if t.complete]
    if not rules.drop_high_low or len(counted) - 2 < MIN_TOTALS_AFTER_DROP:
        return list(totals)
    low = min(counted, key=lambda t: (t.total, t.judge_id))
    high = max(counted, key=lambda t: (t.total, -t.judge_id))
    marks = {low.judge_id: "low", high.judge_id: "high"}
    return [
        JudgeTotal(t.judge_id, t.scores, t.weighted, t.total, t.complete, marks.get(t.judge_id))
        for t in totals
    ]


def full_panel_keeps(panel_size: int, rules: ScoringRules) -> int:
    """How many totals a complete panel of ``panel_size`` keeps after drop high/low."""
    if rules.drop_high_low and panel_size - 2 >= MIN_TOTALS_AFTER_DROP:
        return panel_size - 2
    return panel_size


def combine(values: Sequence[Fraction], rules: ScoringRules, keeps: int) -> Fraction:
    """The method over kept values; ``sum`` scales to ``keeps`` values (module rules)."""
    if not values:
        return Fraction(0)
    mean = sum(values, Fraction(0)) / len(values)
    if rules.method is ScoringMethod.AVERAGE:
        return mean
    return mean * keeps
