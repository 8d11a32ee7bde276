"""Ranking and receipts: the rules both sides compute with."""

from __future__ import annotations

from dataclasses import dataclass

from scoring_console.protocol.ranking import rank_totals
from scoring_console.protocol.receipt import canonical_lines, compute_receipt


def test_totals_subtract_deductions_floor_at_zero_and_share_ranks() -> None:
    totals = rank_totals(
        [1, 2, 3, 4],
        [(1, 9.0), (1, 8.0), (2, 10.0), (2, 7.0), (3, 5.0), (4, 2.0)],
        [(3, 1.0), (4, 5.0)],
    )
    by_id = {t.contestant_id: t for t in totals}
    assert by_id[1].total == 17.0 and by_id[2].total == 17.0
    assert by_id[1].rank == by_id[2].rank == 1
    assert by_id[3].total == 4.0 and by_id[3].rank == 3
    assert by_id[4].total == 0.0 and by_id[4].deductions == 5.0 and by_id[4].rank == 4
    assert [t.contestant_id for t in totals] == [1, 2, 3, 4]


def test_float_noise_does_not_split_a_tie() -> None:
    totals = rank_totals([1, 2], [(1, 0.1), (1, 0.2), (2, 0.3)], [])
    assert totals[0].rank == totals[1].rank == 1


def test_contestant_without_scores_is_ranked_with_zero() -> None:
    totals = rank_totals([5, 6], [(5, 1.0)], [])
    assert (totals[1].contestant_id, totals[1].total, totals[1].score_count) == (6, 0.0, 0)


@dataclass
class S:
    contestant_id: int
    criterion_id: int
    judge_id: int
    score: float | None
    version: int


def test_receipt_is_order_independent_and_value_sensitive() -> None:
    a = [S(1, 1, 7, 9.0, 1), S(2, 1, 7, 8.5, 2)]
    assert compute_receipt(3, 7, "JUDGE", a) == compute_receipt(3, 7, "JUDGE", a[::-1])
    changed = [S(1, 1, 7, 9.0, 1), S(2, 1, 7, 8.0, 2)]
    assert compute_receipt(3, 7, "JUDGE", a) != compute_receipt(3, 7, "JUDGE", changed)
    assert compute_receipt(3, 7, "JUDGE", a) != compute_receipt(3, 8, "JUDGE", a)
    assert len(compute_receipt(3, 7, "JUDGE", a)) == 64
    assert canonical_lines(3, 7, "JUDGE", a)[1] == "7|1|1|9.0|v1"
