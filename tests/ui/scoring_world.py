"""A five-judge panel with scoring rules, as a state store, for the scoring UI tests."""

from __future__ import annotations

from typing import Any

from scoring_console.client.state import StateStore
from scoring_console.protocol import ServerEvent
from scoring_console.protocol.entities import Assignment, Category, Presence, Snapshot
from scoring_console.protocol.roles import Role
from scoring_console.protocol.scoring import ScoringRules

from .snapshots import CATEGORY_ID, CONTESTANTS, CRITERIA, NOW, make_score, make_snapshot

PANEL = (11, 12, 13, 14, 15)


def world(**rules: Any) -> StateStore:
    """Four contestants, criteria Poise (max 10) and Talent (max 20, weight 2), five
    judges, the given scoring rules, no scores."""
    base = make_snapshot()
    category: Category = base.categories[0]
    criteria = [CRITERIA[0], CRITERIA[1].model_copy(update={"weight": 2})]
    category = category.model_copy(
        update={"criteria": criteria, "scoring": ScoringRules.model_validate(rules)}
    )
    snapshot: Snapshot = base.model_copy(
        update={
            "categories": [category],
            "assignments": [
                Assignment(id=n, user_id=j, category_id=CATEGORY_ID, role=Role.JUDGE)
                for n, j in enumerate(PANEL, start=1)
            ],
            "presence": [
                Presence(
                    user_id=j,
                    username=f"judge{j}",
                    name=f"Judge {j - 10}",
                    role=Role.JUDGE,
                    online=True,
                    last_seen=NOW,
                )
                for j in PANEL
            ],
        }
    )
    state = StateStore()
    state.apply_snapshot(snapshot)
    return state


def score_row(state: StateStore, contestant_index: int, values: dict[int, tuple[float, float]]):  # type: ignore[no-untyped-def]
    """Judge → (Poise, Talent) for one contestant; returns the Score models applied."""
    applied = []
    contestant = CONTESTANTS[contestant_index].id
    for judge, (poise, talent) in values.items():
        for criterion, value in ((1, poise), (2, talent)):
            score = make_score(contestant, criterion, judge, value)
            state.apply(ServerEvent.SCORES_UPDATED, score)
            applied.append(score)
    return applied
