"""Judge totals, weights, sum/average, drop high/low, deductions, exact arithmetic."""

from __future__ import annotations

from fractions import Fraction

from scoring_console.protocol.scoring import compute_category
from tests.protocol.scoring.factory import S, category, sheet


def test_judge_total_is_the_weighted_sum_over_the_criteria() -> None:
    cat = category({"Technique": 2, "Artistry": "0.5"}, contestants=1)
    result = compute_category(cat, [10, 11], sheet({1: {10: [8, 6], 11: [7, 4]}}))
    row = result.rows[0]
    assert [j.total for j in row.judges] == [Fraction(19), Fraction(16)]
    assert row.judges[0].weighted == {1: Fraction(16), 2: Fraction(3)}
    assert row.panel_score == 35 and row.total == 35


def test_average_is_the_mean_of_the_judge_totals_exactly() -> None:
    cat = category(contestants=1, method="average")
    result = compute_category(cat, [1, 2, 3], sheet({1: {1: [7], 2: [8], 3: [8]}}))
    assert result.rows[0].total == Fraction(23, 3)
    assert result.display(result.rows[0].total) == "7.67"


def test_drop_high_low_removes_one_highest_and_one_lowest_of_five() -> None:
    cat = category(contestants=1, drop_high_low=True)
    scores = sheet({1: {1: [9], 2: [9], 3: [5], 4: [2], 5: [7]}})
    row = compute_category(cat, [1, 2, 3, 4, 5], scores).rows[0]
    assert {j.judge_id: j.dropped for j in row.judges} == {
        1: "high",
        2: None,
        3: None,
        4: "low",
        5: None,
    }  # equal highs: the lower judge id is dropped
    assert row.total == 9 + 5 + 7


def test_drop_needs_three_totals_left_so_four_judges_keep_all() -> None:
    cat = category(contestants=1, drop_high_low=True)
    row = compute_category(cat, [1, 2, 3, 4], sheet({1: {1: [9], 2: [1], 3: [5], 4: [6]}})).rows[0]
    assert all(j.dropped is None for j in row.judges)
    assert row.total == 21


def test_drop_with_average() -> None:
    cat = category(contestants=1, drop_high_low=True, method="average")
    scores = sheet({1: {1: [10], 2: [6], 3: [6], 4: [7], 5: [0]}})
    assert compute_category(cat, [1, 2, 3, 4, 5], scores).rows[0].total == Fraction(19, 3)


def test_missing_judge_does_not_lower_a_sum_it_scales_to_the_full_panel() -> None:
    cat = category({"A": 1, "B": 1}, contestants=2)
    scores = sheet({1: {1: [5, 5], 2: [6, 6], 3: [7, 7]}, 2: {1: [6, 6], 2: [6, 6]}})
    result = compute_category(cat, [1, 2, 3], scores)
    row2 = result.row(2)
    assert row2 is not None and row2.total == 36  # mean 12 × 3 judges
    assert row2.provisional and row2.progress == "4 of 6 scores"
    row1 = result.row(1)
    assert row1 is not None and row1.total == 36 and not row1.provisional


def test_an_incomplete_judge_total_is_shown_but_not_counted() -> None:
    cat = category({"A": 1, "B": 1}, contestants=1)
    row = compute_category(cat, [1, 2], sheet({1: {1: [5, 5], 2: [9, None]}})).rows[0]
    assert [j.complete for j in row.judges] == [True, False]
    assert row.judges[1].total == 9
    assert row.total == 20  # judge 1's 10, scaled to 2 judges


def test_drop_with_a_missing_judge_keeps_the_full_panel_scale() -> None:
    # 5 judges drop to 3 kept; with one missing only 4 count: no drop, mean × 3.
    cat = category(contestants=1, drop_high_low=True)
    scores = sheet({1: {1: [8], 2: [6], 3: [6], 4: [4]}})
    row = compute_category(cat, [1, 2, 3, 4, 5], scores).rows[0]
    assert all(j.dropped is None for j in row.judges)
    assert row.total == 18 and row.provisional


def test_only_panel_judges_and_visible_scores_count() -> None:
    cat = category(contestants=1)
    scores = [S(1, 1, 1, 5), S(1, 1, 2, None), S(1, 1, 99, 10)]
    row = compute_category(cat, [1, 2], scores).rows[0]
    assert row.scores_in == 1 and row.scores_expected == 2 and row.total == 10


def test_deductions_subtract_after_the_method_and_floor_at_zero() -> None:
    cat = category(contestants=2, method="average")
    scores = sheet({1: {1: [4], 2: [6]}, 2: {1: [3], 2: [3]}})
    result = compute_category(cat, [1, 2], scores, [(1, 1.5), (2, 2.0), (2, 2.0)])
    assert result.row(1).total == Fraction(7, 2)  # type: ignore[union-attr]
    assert result.row(2).total == 0  # type: ignore[union-attr]
    assert result.row(2).deductions == 4  # type: ignore[union-attr]


def test_totals_equal_on_paper_tie_where_floats_would_not() -> None:
    # 0.1 + 0.2 = 0.30000000000000004 in floats, but 0.3 on paper.
    cat = category({"A": 1, "B": 1}, contestants=2)
    scores = sheet({1: {1: [0.1, 0.2]}, 2: {1: [0.3, 0.0]}})
    assert 0.1 + 0.2 != 0.3 + 0.0
    result = compute_category(cat, [1], scores)
    assert [r.rank for r in result.rows] == [1, 1]
    assert all(r.shared_rank for r in result.rows)


def test_weights_as_decimals_stay_exact() -> None:
    cat = category({"A": "0.1", "B": "0.2"}, contestants=2)
    scores = sheet({1: {1: [3, 0]}, 2: {1: [1, 1]}})
    result = compute_category(cat, [1], scores)
    assert result.row(1).total == result.row(2).total == Fraction(3, 10)  # type: ignore[union-attr]
    assert [r.rank for r in result.rows] == [1, 1]


def test_display_rounds_half_up_to_the_precision() -> None:
    cat = category(contestants=1, precision=1, method="average")
    result = compute_category(cat, [1, 2], sheet({1: {1: [8.25], 2: [8.2]}}))
    assert result.rows[0].total == Fraction(8225, 1000)
    assert result.display(result.rows[0].total) == "8.2"  # 8.225 → 8.2 at one decimal
    cat0 = category(contestants=1, precision=0, method="average")
    res0 = compute_category(cat0, [1, 2], sheet({1: {1: [8], 2: [9]}}))
    assert res0.display(res0.rows[0].total) == "9"  # 8.5 rounds half up
