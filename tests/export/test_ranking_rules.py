"""Reports rank by the category's scoring rules, the same as the server (issue 9 × 10).

The category gets a weighted criterion, averaging and drop high/low straight in the
database before the server starts; the printed ranking must follow them, and the rule
line must say so. The expected totals are worked out here by hand from the stored rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Awaitable, Callable
from fractions import Fraction
from pathlib import Path

import pytest

from scoring_console.export import ExportSource
from scoring_console.export.ranking import rank_category
from tests.helpers import postgres

from .world import World

RULES = {"method": "average", "dropHighLow": True, "precision": 3}


@pytest.fixture
def weighted(world_dir: tuple[Path, World]) -> int:
    """Weight the vocal category's first criterion 2 and set the rules; its id."""
    data_dir, world = world_dir
    criterion_id = world.vocal.criteria[0].id
    with postgres.connect_to(data_dir) as db:
        db.execute("UPDATE criteria SET weight = '2' WHERE id = ?", (criterion_id,))
        db.execute(
            "UPDATE categories SET scoring = ? WHERE id = ?", (json.dumps(RULES), world.vocal.id)
        )
    return criterion_id


def expected_totals(data_dir: Path, category_id: int, doubled: int) -> dict[int, Fraction]:
    """Per contestant: average of the panel's weighted totals, high and low dropped,
    minus approved deductions."""
    with postgres.connect_to(data_dir) as db:
        panel = {
            row[0]
            for row in db.execute(
                "SELECT user_id FROM assignments WHERE category_id = ? AND role = 'JUDGE'",
                (category_id,),
            )
        }
        per_judge: dict[int, dict[int, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
        for contestant, criterion, judge, score in db.execute(
            "SELECT contestant_id, criterion_id, judge_id, score FROM scores WHERE category_id = ?",
            (category_id,),
        ):
            if judge in panel:
                weight = 2 if criterion == doubled else 1
                per_judge[contestant][judge] += Fraction(str(score)) * weight
        minus: dict[int, Fraction] = defaultdict(Fraction)
        for contestant, amount in db.execute(
            "SELECT contestant_id, amount FROM deductions "
            "WHERE category_id = ? AND status = 'APPROVED'",
            (category_id,),
        ):
            minus[contestant] += Fraction(str(amount))
    totals = {}
    for contestant, judges in per_judge.items():
        kept = sorted(judges.values())[1:-1]
        average = sum(kept, Fraction(0)) / len(kept)
        totals[contestant] = max(Fraction(0), average - minus[contestant])
    return totals


async def test_reports_rank_by_the_category_rules(
    weighted: int,
    world_dir: tuple[Path, World],
    source_for: Callable[[str], Awaitable[ExportSource]],
) -> None:
    data_dir, world = world_dir
    source = await source_for("tally1")
    vocal = source.categories[world.vocal.id]
    ranking = rank_category(source, vocal)
    expected = expected_totals(data_dir, world.vocal.id, weighted)
    assert len(expected) == len(vocal.contestant_ids) >= 3
    assert {t.contestant_id for t in ranking.totals} == set(expected)
    for total in ranking.totals:
        assert total.total == pytest.approx(float(expected[total.contestant_id]), abs=1e-9)
    best_first = sorted(expected, key=lambda cid: expected[cid], reverse=True)
    assert [t.contestant_id for t in ranking.totals] == best_first
    assert ranking.complete
    assert ranking.rule.startswith("Total = average of the judges' totals")
    assert "Σ score × criterion weight" in ranking.rule
    assert "highest and lowest judge total dropped" in ranking.rule
    assert "shown to 3 decimals" in ranking.rule
