"""A category's scoring rules in one sentence: the tally view's rules line and the
"Rule:" line of printed reports say the same thing because they call this."""

from __future__ import annotations

from .engine import CategoryLike
from .rules import MIN_TOTALS_AFTER_DROP, ScoringMethod


def rules_in_words(category: CategoryLike) -> str:
    """How the category's totals and ranks come about, in words."""
    rules = category.scoring
    method = "average" if rules.method is ScoringMethod.AVERAGE else "sum"
    weighted = [c for c in category.criteria if c.weight != 1]
    weights = ", ".join(f"{c.name} ×{c.weight}" for c in weighted)
    parts = [
        f"Total = {method} of the judges' totals − approved deductions (not below 0)",
        "a judge's total = Σ score × criterion weight" + (f" ({weights})" if weights else ""),
    ]
    if rules.drop_high_low:
        parts.append(
            f"highest and lowest judge total dropped when at least {MIN_TOTALS_AFTER_DROP} remain"
        )
    tie_break = " then ".join(rules.tie_break) if rules.tie_break else "none (shared rank)"
    parts.append(f"tie-break: {tie_break}")
    parts.append("a judge's total counts once every criterion is scored")
    parts.append(f"shown to {rules.precision} decimals")
    return "; ".join(parts) + "."
