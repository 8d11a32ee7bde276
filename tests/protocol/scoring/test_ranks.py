"""Ranks: higher is better, tie-break by criterion, manual decisions, shared ranks."""

from __future__ import annotations

from scoring_console.protocol.scoring import compute_category
from tests.protocol.scoring.factory import category, sheet


def _ranks(result: object) -> dict[int, int]:
    return result.ranks()  # type: ignore[attr-defined, no-any-return]


def test_still_equal_totals_share_a_rank_and_the_next_rank_skips() -> None:
    cat = category(contestants=4)
    scores = sheet({1: {1: [8]}, 2: {1: [9]}, 3: {1: [9]}, 4: {1: [7]}})
    result = compute_category(cat, [1], scores)
    assert [(r.contestant_id, r.rank) for r in result.rows] == [(2, 1), (3, 1), (1, 3), (4, 4)]
    assert result.open_ties == ()  # no manual entry: nothing to decide


def test_criterion_tie_break_uses_the_weighted_criterion_score() -> None:
    cat = category(
        {"Technique": 2, "Artistry": 1}, contestants=2, tie_break=["criterion:Technique"]
    )
    # both total 20: contestant 1 = 2×6 + 8, contestant 2 = 2×7 + 6
    scores = sheet({1: {1: [6, 8]}, 2: {1: [7, 6]}})
    result = compute_category(cat, [1], scores)
    assert _ranks(result) == {2: 1, 1: 2}
    assert result.row(2).tie_break == "criterion:Technique"  # type: ignore[union-attr]


def test_criterion_tie_break_follows_the_method_over_the_panel() -> None:
    cat = category(
        {"Technique": 1, "Artistry": 1},
        contestants=2,
        method="average",
        drop_high_low=True,
        tie_break=["criterion:Artistry"],
    )
    # Contestant 1's judge 5 gives Artistry 10 but that total is dropped as the highest.
    scores = sheet(
        {
            1: {1: [5, 5], 2: [5, 5], 3: [5, 5], 4: [0, 0], 5: [0, 10.5]},
            2: {1: [4, 6], 2: [4, 6], 3: [4, 6], 4: [0, 0], 5: [10, 10]},
        }
    )
    result = compute_category(cat, [1, 2, 3, 4, 5], scores)
    assert result.row(1).total == result.row(2).total == 10  # type: ignore[union-attr]
    assert _ranks(result) == {2: 1, 1: 2}  # Artistry over kept judges: 6 > 5


def test_tie_break_entries_apply_in_order_and_only_to_ties() -> None:
    cat = category(
        {"A": 1, "B": 1, "C": 1},
        contestants=4,
        tie_break=["criterion:A", "criterion:B"],
    )
    scores = sheet({1: {1: [5, 5, 5]}, 2: {1: [5, 6, 4]}, 3: {1: [6, 1, 8]}, 4: {1: [9, 9, 9]}})
    result = compute_category(cat, [1], scores)
    assert _ranks(result) == {4: 1, 3: 2, 2: 3, 1: 4}
    assert result.row(4).tie_break is None  # type: ignore[union-attr]
    assert result.row(2).tie_break == "criterion:A"  # type: ignore[union-attr]


def test_equal_after_every_criterion_tie_break_shares_the_rank() -> None:
    cat = category({"A": 1, "B": 1}, contestants=3, tie_break=["criterion:A"])
    scores = sheet({1: {1: [5, 5]}, 2: {1: [5, 5]}, 3: {1: [1, 1]}})
    assert _ranks(compute_category(cat, [1], scores)) == {1: 1, 2: 1, 3: 3}


def test_manual_decision_orders_a_tied_group_it_names() -> None:
    cat = category(contestants=3, tie_break=["manual"])
    scores = sheet({1: {1: [5]}, 2: {1: [5]}, 3: {1: [9]}})
    undecided = compute_category(cat, [1], scores)
    assert _ranks(undecided) == {3: 1, 1: 2, 2: 2}
    assert undecided.open_ties == ((1, 2),)
    decided = compute_category(cat, [1], scores, manual_orders=[[2, 1]])
    assert _ranks(decided) == {3: 1, 2: 2, 1: 3}
    assert decided.row(2).tie_break == "manual" and decided.open_ties == ()  # type: ignore[union-attr]


def test_the_newest_manual_decision_covering_the_group_wins() -> None:
    cat = category(contestants=3, tie_break=["manual"])
    scores = sheet({1: {1: [5]}, 2: {1: [5]}, 3: {1: [5]}})
    partial = compute_category(cat, [1], scores, manual_orders=[[3, 1, 2], [2, 1]])
    assert _ranks(partial) == {3: 1, 1: 2, 2: 3}  # [2, 1] does not name contestant 3
    newest = compute_category(cat, [1], scores, manual_orders=[[3, 1, 2], [2, 3, 1]])
    assert _ranks(newest) == {2: 1, 3: 2, 1: 3}


def test_criterion_then_manual() -> None:
    cat = category({"A": 1, "B": 1}, contestants=3, tie_break=["criterion:A", "manual"])
    scores = sheet({1: {1: [4, 6]}, 2: {1: [4, 6]}, 3: {1: [6, 4]}})
    result = compute_category(cat, [1], scores, manual_orders=[[2, 1]])
    assert _ranks(result) == {3: 1, 2: 2, 1: 3}
    assert result.row(3).tie_break == "criterion:A"  # type: ignore[union-attr]
    assert result.row(2).tie_break == "criterion:A"  # separated from 3 first


def test_unknown_tie_break_criterion_breaks_nothing() -> None:
    cat = category(contestants=2, tie_break=["criterion:Nope"])
    assert _ranks(compute_category(cat, [1], sheet({1: {1: [5]}, 2: {1: [5]}}))) == {1: 1, 2: 1}


def test_category_is_complete_only_when_every_cell_is_scored() -> None:
    cat = category({"A": 1, "B": 1}, contestants=2)
    partial = compute_category(cat, [1, 2], sheet({1: {1: [5, 5], 2: [5, 5]}, 2: {1: [5, 5]}}))
    assert not partial.complete and partial.row(1).provisional is False  # type: ignore[union-attr]
    full = sheet({1: {1: [5, 5], 2: [5, 5]}, 2: {1: [5, 5], 2: [1, 1]}})
    assert compute_category(cat, [1, 2], full).complete
    assert not compute_category(cat, [], full).complete  # no panel: nothing is final


def test_wire_rows_carry_display_total_and_provisional_marks() -> None:
    cat = category(contestants=2, method="average", drop_high_low=True)
    scores = sheet({1: {j: [j] for j in range(1, 6)}, 2: {1: [3]}})
    wire = compute_category(cat, [1, 2, 3, 4, 5], scores).ranked_totals()
    first = wire[0]
    assert (first.contestant_id, first.display_total, first.provisional) == (1, "3.00", False)
    assert first.dropped_judge_ids == [1, 5] and first.score_count == first.scores_expected == 5
    assert (wire[1].provisional, wire[1].score_count) == (True, 1)
