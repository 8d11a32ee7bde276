"""The ``ScoringRules`` model, criterion weights and their wire form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from scoring_console.protocol.entities import Category, Criterion
from scoring_console.protocol.scoring import ScoringMethod, ScoringRules, exact


def _category(**extra: object) -> dict[str, object]:
    return {
        "id": 1,
        "contestId": 1,
        "name": "Evening Gown",
        "criteria": [{"id": 1, "name": "Poise", "maxScore": 10}],
        "contestantIds": [1, 2],
        **extra,
    }


def test_missing_rules_and_weights_mean_the_defaults() -> None:
    category = Category.model_validate(_category())
    assert category.criteria[0].weight == Decimal(1)
    rules = category.scoring
    assert rules.method is ScoringMethod.SUM
    assert rules.drop_high_low is False and rules.tie_break == [] and rules.precision == 2
    assert rules.outliers.enabled and rules.outliers.min_scores == 3


def test_wire_form_is_camel_case_and_round_trips() -> None:
    wire = {
        "method": "average",
        "dropHighLow": True,
        "tieBreak": ["criterion:Technique", "manual"],
        "precision": 3,
        "outliers": {"enabled": False, "maxDeviation": 0.25, "minScores": 4},
    }
    category = Category.model_validate(
        _category(
            scoring=wire, criteria=[{"id": 1, "name": "Poise", "maxScore": 10, "weight": 1.5}]
        )
    )
    out = category.to_wire()
    assert out["scoring"] == wire
    assert out["criteria"][0]["weight"] == 1.5
    assert Category.model_validate(out) == category
    assert category.scoring.tie_break_criteria() == ["Technique"]


def test_stored_text_round_trips_and_none_is_default() -> None:
    rules = ScoringRules(method=ScoringMethod.AVERAGE, tie_break=["manual"], precision=0)
    assert ScoringRules.from_json_text(rules.to_json_text()) == rules
    assert ScoringRules.from_json_text(None) == ScoringRules()


def test_weight_from_a_float_is_its_decimal_text_not_its_binary_value() -> None:
    criterion = Criterion.model_validate({"id": 1, "name": "A", "maxScore": 10, "weight": 0.1})
    assert criterion.weight == Decimal("0.1")
    assert exact(0.1) + exact(0.2) == exact(0.3)  # 0.1 + 0.2 != 0.3 in floats


@pytest.mark.parametrize(
    "scoring",
    [
        {"method": "median"},
        {"tieBreak": ["Technique"]},
        {"tieBreak": ["criterion:"]},
        {"precision": 9},
        {"outliers": {"minScores": 2}},
        {"outliers": {"maxDeviation": 0}},
    ],
)
def test_bad_rules_are_refused_with_a_validation_error(scoring: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Category.model_validate(_category(scoring=scoring))


@pytest.mark.parametrize("weight", [0, -1, "abc", "NaN", True])
def test_bad_weights_are_refused(weight: object) -> None:
    with pytest.raises(ValidationError):
        Criterion.model_validate({"id": 1, "name": "A", "maxScore": 10, "weight": weight})
