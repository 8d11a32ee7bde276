"""Ranked totals: the one rule both the server and the console compute totals with."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .entities import RankedTotal

_PRECISION = 6  # totals equal to 6 decimals share a rank (float sums differ in the last bits)


def rank_totals(
    contestant_ids: Iterable[int],
    scores: Iterable[tuple[int, float]],
    approved_deductions: Iterable[tuple[int, float]],
) -> list[RankedTotal]:
    """Rank contestants by total, best first.

    ``scores`` are ``(contestant_id, value)`` pairs (masked values must not be passed);
    ``approved_deductions`` are ``(contestant_id, amount)`` pairs of approved deductions
    only. A total is the score sum minus deductions, floored at 0. Equal totals share a
    rank and the next rank skips ("1, 2, 2, 4"); ties are listed by contestant id.
    """
    ids = list(dict.fromkeys(contestant_ids))
    sums: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    for contestant_id, value in scores:
        sums[contestant_id] += value
        counts[contestant_id] += 1
    minus: dict[int, float] = defaultdict(float)
    for contestant_id, amount in approved_deductions:
        minus[contestant_id] += amount
    rows = [
        (
            round(max(0.0, sums[cid] - minus[cid]), _PRECISION),
            cid,
        )
        for cid in ids
    ]
    rows.sort(key=lambda row: (-row[0], row[1]))
    result: list[RankedTotal] = []
    previous: float | None = None
    rank = 0
    for position, (total, cid) in enumerate(rows, start=1):
        if total != previous:
            rank = position
            previous = total
        result.append(
            RankedTotal(
                contestant_id=cid,
                score_sum=round(sums[cid], _PRECISION),
                deductions=round(minus[cid], _PRECISION),
                total=total,
                rank=rank,
                score_count=counts[cid],
            )
        )
    return result
