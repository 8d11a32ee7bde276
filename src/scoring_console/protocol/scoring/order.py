"""Ordering equal totals: the tie-break list, manual decisions, shared ranks (1, 1, 3)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from .rules import MANUAL


@dataclass
class Ordering:
    """The outcome: tied groups in order, and what separated whom."""

    groups: list[list[int]] = field(default_factory=list)
    separated_by: dict[int, str] = field(default_factory=dict)
    open_ties: list[list[int]] = field(default_factory=list)


def order_contestants(
    totals: Mapping[int, Fraction],
    tie_break: Sequence[str],
    tie_value: Callable[[int, int], Fraction | None],
    manual_orders: Sequence[Sequence[int]],
) -> Ordering:
    """Contestants best first, in groups that share a rank.

    ``tie_value(contestant, i)`` is the value of ``tie_break[i]`` (``None`` for an entry
    that does not apply). ``manual_orders`` are the recorded manual orders, newest last;
    the newest one naming every member of a tied group orders it.
    """
    result = Ordering()
    by_total: dict[Fraction, list[int]] = {}
    for cid in sorted(totals):
        by_total.setdefault(totals[cid], []).append(cid)
    for total in sorted(by_total, reverse=True):
        _split(by_total[total], 0, tie_break, tie_value, manual_orders, result)
    return result


def _split(
    group: list[int],
    index: int,
    tie_break: Sequence[str],
    tie_value: Callable[[int, int], Fraction | None],
    manual_orders: Sequence[Sequence[int]],
    result: Ordering,
) -> None:
    if len(group) == 1 or index >= len(tie_break):
        if len(group) > 1 and MANUAL in tie_break:
            result.open_ties.append(list(group))
        result.groups.append(group)
        return
    entry = tie_break[index]
    if entry == MANUAL:
        members = set(group)
        for order in reversed(manual_orders):
            if members <= set(order):
                position = {cid: i for i, cid in enumerate(order)}
                for cid in sorted(group, key=position.__getitem__):
                    result.separated_by.setdefault(cid, MANUAL)
                    result.groups.append([cid])
                return
        _split(group, index + 1, tie_break, tie_value, manual_orders, result)
        return
    buckets: dict[Fraction, list[int]] = {}
    for cid in group:
        value = tie_value(cid, index)
        buckets.setdefault(value if value is not None else Fraction(-1), []).append(cid)
    if len(buckets) > 1:
        for cid in group:
            result.separated_by.setdefault(cid, entry)
    for value in sorted(buckets, reverse=True):
        _split(buckets[value], index + 1, tie_break, tie_value, manual_orders, result)
