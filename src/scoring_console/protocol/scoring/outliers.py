"""Outlier flags: a judge's score far from the rest of the panel for the same cell.

A score is flagged when the category's outlier rule is enabled, at least
``minScores`` panel scores exist for that contestant and criterion, and the score lies
more than ``maxDeviation × maxScore`` from their median (the median of an even count is
the mean of the middle two). A flag is *open* until a tally master clears it for the
score's current version; a changed score is judged afresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from .decimals import exact, fraction
from .engine import CategoryLike, ScoreLike
from .wire import OutlierAction


class VersionedScore(ScoreLike, Protocol):
    """A score with its version (a cleared flag holds for one version)."""

    @property
    def version(self) -> int: ...


class ReviewLike(Protocol):
    """What the rules read of an outlier review."""

    @property
    def contestant_id(self) -> int: ...
    @property
    def criterion_id(self) -> int: ...
    @property
    def judge_id(self) -> int: ...
    @property
    def score_version(self) -> int: ...
    @property
    def action(self) -> OutlierAction: ...


@dataclass(frozen=True)
class OutlierFlag:
    """One flagged score, with the median it was compared with and the allowed distance."""

    contestant_id: int
    criterion_id: int
    judge_id: int
    score: Fraction
    median: Fraction
    allowed: Fraction
    version: int

    @property
    def cell(self) -> tuple[int, int, int]:
        """``(contestant, criterion, judge)``."""
        return (self.contestant_id, self.criterion_id, self.judge_id)


def median(values: Sequence[Fraction]) -> Fraction:
    """The median; the mean of the middle two for an even count."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def find_outliers(
    category: CategoryLike,
    max_scores: Mapping[int, float],
    panel: Iterable[int],
    scores: Iterable[VersionedScore],
) -> list[OutlierFlag]:
    """Every flagged panel score of the category (see the module rule).

    ``max_scores``: criterion id → its ``maxScore``.
    """
    rule = category.scoring.outliers
    if not rule.enabled:
        return []
    judges = set(panel)
    cells: dict[tuple[int, int], list[tuple[int, Fraction, int]]] = {}
    for s in scores:
        if s.score is None or s.judge_id not in judges or s.criterion_id not in max_scores:
            continue
        cells.setdefault((s.contestant_id, s.criterion_id), []).append(
            (s.judge_id, fraction(s.score), s.version)
        )
    flags: list[OutlierFlag] = []
    for (cid, kid), entries in sorted(cells.items()):
        if len(entries) < rule.min_scores:
            continue
        mid = median([value for _, value, _ in entries])
        allowed = Fraction(rule.max_deviation) * Fraction(exact(max_scores[kid]))
        flags.extend(
            OutlierFlag(cid, kid, jid, value, mid, allowed, version)
            for jid, value, version in sorted(entries)
            if abs(value - mid) > allowed
        )
    return flags


def open_flags(flags: Iterable[OutlierFlag], reviews: Iterable[ReviewLike]) -> list[OutlierFlag]:
    """The flags no tally master cleared for the flagged score's current version."""
    cleared = {
        (r.contestant_id, r.criterion_id, r.judge_id, r.score_version)
        for r in reviews
        if r.action is OutlierAction.CLEAR
    }
    return [f for f in flags if (*f.cell, f.version) not in cleared]
