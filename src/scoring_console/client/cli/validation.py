"""Checks of a score against the cached or synced snapshot, before it is queued."""

from __future__ import annotations

from ..state import StateStore
from .errors import EXIT_INVALID, CliError


def check_cell(
    state: StateStore, category_id: int, contestant_id: int, criterion_id: int, score: float
) -> None:
    """Refuse unknown ids or an out-of-range score when the snapshot says so.

    With no snapshot (never synced, offline) nothing can be checked here; the server
    checks again in any case.
    """
    if score < 0:
        raise CliError(EXIT_INVALID, f"score {score} is negative")
    if not state.categories:
        return
    category = state.categories.get(category_id)
    if category is None:
        known = ", ".join(str(c) for c in sorted(state.categories)) or "none"
        raise CliError(EXIT_INVALID, f"unknown category {category_id} (known: {known})")
    if contestant_id not in category.contestant_ids:
        known = ", ".join(str(c) for c in category.contestant_ids) or "none"
        raise CliError(
            EXIT_INVALID,
            f"contestant {contestant_id} is not in category {category_id} (contestants: {known})",
        )
    criteria = {c.id: c for c in category.criteria}
    criterion = criteria.get(criterion_id)
    if criterion is None:
        known = ", ".join(f"{c.id} ({c.name})" for c in category.criteria) or "none"
        raise CliError(
            EXIT_INVALID,
            f"criterion {criterion_id} is not in category {category_id} (criteria: {known})",
        )
    if score > criterion.max_score:
        raise CliError(
            EXIT_INVALID,
            f"score {score} is above the maximum {criterion.max_score:g} of "
            f"criterion {criterion_id} ({criterion.name})",
        )
