"""Outlier flags: distance from the panel median, minimum panel size, reviews."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from scoring_console.protocol.scoring import OutlierAction, find_outliers, open_flags
from scoring_console.protocol.scoring.outliers import median
from tests.protocol.scoring.factory import S, category, sheet


@dataclass(frozen=True)
class Review:
    contestant_id: int
    criterion_id: int
    judge_id: int
    score_version: int
    action: OutlierAction


def _flags(values: list[float | None], **rules: object) -> list[tuple[int, Fraction]]:
    cat = category(contestants=1, **rules)  # type: ignore[arg-type]
    scores = sheet({1: {j: [v] for j, v in enumerate(values, start=1)}})
    found = find_outliers(cat, {1: 10}, range(1, len(values) + 1), scores)
    return [(f.judge_id, f.median) for f in found]


def test_a_score_beyond_the_allowed_distance_from_the_median_is_flagged() -> None:
    assert _flags([8, 8.5, 2, 7.5]) == [(3, Fraction(31, 4))]  # median of 4: (7.5+8)/2


def test_exactly_at_the_limit_is_not_flagged() -> None:
    assert _flags([8, 8, 5]) == []  # 3.0 from the median = 0.3 × 10: not more than


def test_fewer_than_min_scores_flags_nothing() -> None:
    assert _flags([9, 1]) == []
    assert _flags([9, 1, None]) == []
    assert _flags([9, 9, 9, 1], outliers={"minScores": 5}) == []


def test_the_distance_is_relative_to_max_score_and_configurable() -> None:
    assert _flags([8, 8, 6], outliers={"maxDeviation": 0.1}) == [(3, Fraction(8))]
    assert _flags([8, 8, 1], outliers={"enabled": False}) == []


def test_a_clear_holds_for_the_flagged_version_only() -> None:
    cat = category(contestants=1)
    flags = find_outliers(cat, {1: 10}, [1, 2, 3], [S(1, 1, 1, 8), S(1, 1, 2, 8), S(1, 1, 3, 1, 2)])
    assert len(flags) == 1
    asked = Review(1, 1, 3, 2, OutlierAction.ASK_JUDGE)
    old_clear = Review(1, 1, 3, 1, OutlierAction.CLEAR)
    assert open_flags(flags, [asked, old_clear]) == flags
    assert open_flags(flags, [Review(1, 1, 3, 2, OutlierAction.CLEAR)]) == []


def test_median() -> None:
    assert median([Fraction(3), Fraction(1), Fraction(2)]) == 2
    assert median([Fraction(1), Fraction(4)]) == Fraction(5, 2)
