"""Standings the console derives from its state: open outlier flags, placement previews.

Both run the protocol's rule code (:mod:`scoring_console.protocol.scoring`) over the
live state, so what the console shows is what the server computes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from scoring_console.protocol.entities import Contestant, Deduction, RemovalRequest, Score
from scoring_console.protocol.scoring import (
    CategoryResult,
    OutlierFlag,
    find_outliers,
    open_flags,
)

from .state import StateStore


def outlier_flags(state: StateStore, category_id: int) -> list[OutlierFlag]:
    """The category's flagged panel scores that no tally master cleared."""
    category = state.categories.get(category_id)
    if category is None:
        return []
    flags = find_outliers(
        category,
        {c.id: c.max_score for c in category.criteria},
        state.panel_of(category_id),
        state.scores_in(category_id),
    )
    reviews = [r for r in state.outlier_reviews.values() if r.category_id == category_id]
    return open_flags(flags, reviews)


def manual_reason(state: StateStore, category_id: int, contestant_id: int) -> str | None:
    """The reason of the newest manual tie decision naming ``contestant_id``, if any."""
    decisions = sorted(
        (
            d
            for d in state.tie_decisions.values()
            if d.category_id == category_id and contestant_id in d.contestant_ids
        ),
        key=lambda d: d.id,
    )
    return decisions[-1].reason if decisions else None


class ChangeKind(StrEnum):
    """What a previewed change is."""

    DEDUCTION = "deduction"
    REMOVAL = "removal"
    CORRECTION = "correction"


@dataclass(frozen=True)
class PlacementPreview:
    """The ranking before and after one change, computed by the same rules."""

    kind: ChangeKind
    category_id: int
    before: CategoryResult
    after: CategoryResult
    contestants: Mapping[int, Contestant]
    """Who the ids are (numbers and names), as the state knew them."""

    def changed(self) -> set[int]:
        """Contestants whose rank differs between before and after."""
        old, new = self.before.ranks(), self.after.ranks()
        return {cid for cid in set(old) | set(new) if old.get(cid) != new.get(cid)}


def _preview(
    state: StateStore,
    kind: ChangeKind,
    category_id: int,
    scores: list[Score] | None = None,
    deductions: list[tuple[int, float]] | None = None,
) -> PlacementPreview | None:
    before = state.category_result(category_id)
    after = state.category_result(category_id, scores=scores, deductions=deductions)
    if before is None or after is None:
        return None
    return PlacementPreview(kind, category_id, before, after, dict(state.contestants))


def preview_deduction(state: StateStore, deduction: Deduction) -> PlacementPreview | None:
    """The ranking if ``deduction`` were approved (as it stands if it already is)."""
    approved = [
        (d.contestant_id, d.amount)
        for d in state.deductions.values()
        if d.category_id == deduction.category_id
        and d.id != deduction.id
        and d.status.value == "APPROVED"
    ]
    approved.append((deduction.contestant_id, deduction.amount))
    return _preview(state, ChangeKind.DEDUCTION, deduction.category_id, deductions=approved)


def preview_removal(state: StateStore, request: RemovalRequest) -> PlacementPreview | None:
    """The ranking if the score of ``request`` were removed."""
    scores = [s for s in state.scores_in(request.category_id) if s.id != request.score_id]
    return _preview(state, ChangeKind.REMOVAL, request.category_id, scores=scores)


def preview_correction(state: StateStore, score: Score, value: float) -> PlacementPreview | None:
    """The ranking if ``score`` were corrected to ``value``."""
    scores = [
        s.model_copy(update={"score": value}) if s.id == score.id else s
        for s in state.scores_in(score.category_id)
    ]
    return _preview(state, ChangeKind.CORRECTION, score.category_id, scores=scores)
