"""Plain ranked sums, kept for callers without a category: prefer ``compute_category``.

The scoring rules (weights, method, drop high/low, tie-breaks, provisional rows) live
in :mod:`scoring_console.protocol.scoring`; this is the same ordering applied to raw
score sums, with the same exact arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from .scoring.decimals import fraction
from .scoring.display import as_float
from .scoring.order import order_contestants
from .scoring.wire import RankedTotal


def rank_totals(
    contestant_ids: Iterable[int],
    scores: Iterable[tuple[int, float]],
    approved_deductions: Iterable[tuple[int, float]],
) -> list[RankedTotal]:
    """Rank contestants by the plain sum of ``scores`` minus deductions, floored at 0.

    Equal totals (exactly, as decimals) share a rank ("1, 2, 2, 4"), listed by id.
    """
    ids = list(dict.fromkeys(contestant_ids))
    sums = dict.fromkeys(ids, Fraction(0))
    counts = dict.fromkeys(ids, 0)
    for cid, value in scores:
        sums[cid] = sums.get(cid, Fraction(0)) + fraction(value)
        counts[cid] = counts.get(cid, 0) + 1
    minus: dict[int, Fraction] = {}
    for cid, amount in approved_deductions:
        minus[cid] = minus.get(cid, Fraction(0)) + fraction(amount)
    totals = {cid: max(Fraction(0), sums[cid] - minus.get(cid, Fraction(0))) for cid in ids}
    result: list[RankedTotal] = []
    for group in order_contestants(totals, [], lambda _c, _i: None, []).groups:
        rank = len(result) + 1
        result.extend(
            RankedTotal(
                contestant_id=cid,
                score_sum=as_float(sums[cid]),
                deductions=as_float(minus.get(cid, Fraction(0))),
                total=as_float(totals[cid]),
                rank=rank,
                score_count=counts[cid],
                shared_rank=len(group) > 1,
            )
            for cid in group
        )
    return result
