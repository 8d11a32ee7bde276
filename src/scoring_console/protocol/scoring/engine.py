"""The one implementation of totals and ranks: server, console and CLI all call it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from .decimals import exact, fraction
from .order import order_contestants
from .panel import apply_drop, combine, full_panel_keeps, judge_total
from .results import CategoryResult, ContestantResult
from .rules import CRITERION_PREFIX, MANUAL, ScoringRules


class CriterionLike(Protocol):
    """What the rules read of a criterion."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def weight(self) -> Decimal: ...


class CategoryLike(Protocol):
    """What the rules read of a category."""

    @property
    def criteria(self) -> Sequence[CriterionLike]: ...
    @property
    def contestant_ids(self) -> Sequence[int]: ...
    @property
    def scoring(self) -> ScoringRules: ...


class ScoreLike(Protocol):
    """What the rules read of a score (``score`` is ``None`` when masked)."""

    @property
    def contestant_id(self) -> int: ...
    @property
    def criterion_id(self) -> int: ...
    @property
    def judge_id(self) -> int: ...
    @property
    def score(self) -> float | None: ...


class DecisionLike(Protocol):
    """What the rules read of a manual tie decision."""

    @property
    def id(self) -> int: ...
    @property
    def category_id(self) -> int: ...
    @property
    def contestant_ids(self) -> Sequence[int]: ...


def manual_orders(decisions: Iterable[DecisionLike], category_id: int) -> list[list[int]]:
    """The recorded manual orders of one category, oldest first."""
    mine = sorted((d for d in decisions if d.category_id == category_id), key=lambda d: d.id)
    return [list(d.contestant_ids) for d in mine]


def compute_category(
    category: CategoryLike,
    panel: Iterable[int],
    scores: Iterable[ScoreLike],
    deductions: Iterable[tuple[int, float | Decimal]] = (),
    manual_orders: Sequence[Sequence[int]] = (),
) -> CategoryResult:
    """Rank a category's contestants by its rules.

    ``panel``: the judges whose scores count (the category's JUDGE assignments); other
    judges' and masked scores are ignored. ``deductions``: approved ones only, as
    ``(contestant id, amount)``. ``manual_orders``: the tally master's recorded orders,
    oldest first. Arithmetic is exact (fractions); only display rounds.
    """
    rules = category.scoring
    judges = tuple(sorted(set(panel)))
    weights = {c.id: Fraction(exact(c.weight)) for c in category.criteria}
    contestants = list(dict.fromkeys(category.contestant_ids))
    cells: dict[tuple[int, int], dict[int, Fraction]] = {}
    for s in scores:
        if s.score is None or s.judge_id not in judges or s.criterion_id not in weights:
            continue
        cells.setdefault((s.contestant_id, s.judge_id), {})[s.criterion_id] = fraction(s.score)
    minus: dict[int, Fraction] = {}
    for cid, amount in deductions:
        minus[cid] = minus.get(cid, Fraction(0)) + fraction(amount)
    criterion_ids = {c.name: c.id for c in category.criteria}
    tie_ids = [
        criterion_ids.get(entry[len(CRITERION_PREFIX) :]) if entry != MANUAL else None
        for entry in rules.tie_break
    ]
    keeps = full_panel_keeps(len(judges), rules)
    rows: dict[int, ContestantResult] = {}
    for cid in contestants:
        totals = apply_drop(
            [judge_total(j, cells.get((cid, j), {}), weights) for j in judges], rules
        )
        kept = [t for t in totals if t.counted]
        panel_score = combine([t.total for t in kept], rules, keeps)
        deduction = minus.get(cid, Fraction(0))
        tie_values = tuple(
            None if k is None else combine([t.weighted[k] for t in kept], rules, keeps)
            for k in tie_ids
        )
        rows[cid] = ContestantResult(
            contestant_id=cid,
            judges=tuple(totals),
            panel_score=panel_score,
            deductions=deduction,
            total=max(Fraction(0), panel_score - deduction),
            tie_values=tie_values,
            scores_in=sum(len(cells.get((cid, j), {})) for j in judges),
            scores_expected=len(judges) * len(weights),
        )
    ordering = order_contestants(
        {cid: row.total for cid, row in rows.items()},
        rules.tie_break,
        lambda cid, i: rows[cid].tie_values[i],
        manual_orders,
    )
    ranked: list[ContestantResult] = []
    for group in ordering.groups:
        rank = len(ranked) + 1
        for cid in group:
            ranked.append(
                replace(
                    rows[cid],
                    rank=rank,
                    shared_rank=len(group) > 1,
                    tie_break=ordering.separated_by.get(cid),
                )
            )
    return CategoryResult(
        rules=rules,
        rows=tuple(ranked),
        panel=judges,
        open_ties=tuple(tuple(g) for g in ordering.open_ties),
    )
