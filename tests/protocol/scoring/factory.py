"""Build categories and score lists for the rule tests in a few words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scoring_console.protocol.entities import Category, Criterion
from scoring_console.protocol.scoring import ScoringRules


@dataclass(frozen=True)
class S:
    """A score as the rules read it."""

    contestant_id: int
    criterion_id: int
    judge_id: int
    score: float | None
    version: int = 1


def category(
    criteria: dict[str, float | str] | None = None,
    contestants: int = 3,
    **rules: Any,
) -> Category:
    """A category with criteria ``{name: weight}`` (ids 1..), contestants 1..n."""
    criteria = criteria if criteria is not None else {"Skill": 1}
    return Category(
        id=1,
        contest_id=1,
        name="Talent",
        criteria=[
            Criterion(id=i, name=name, max_score=10, weight=Decimal(str(weight)))
            for i, (name, weight) in enumerate(criteria.items(), start=1)
        ],
        contestant_ids=list(range(1, contestants + 1)),
        scoring=ScoringRules(**rules),
    )


def sheet(table: dict[int, dict[int, list[float | None]]]) -> list[S]:
    """Scores from ``{contestant: {judge: [score per criterion, in order]}}``."""
    out: list[S] = []
    for cid, judges in table.items():
        for jid, values in judges.items():
            out.extend(S(cid, k, jid, v) for k, v in enumerate(values, start=1) if v is not None)
    return out
