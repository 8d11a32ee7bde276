"""What each cell of the tally table shows, derived from the rule result (no Qt).

A judge cell holds the judge's weighted total for the contestant; it is *partial*
while not every criterion is scored (not counted), *dropped* when drop high/low took
it out (shown struck through), *flagged* while one of its scores has an open outlier
flag. The total and rank are *provisional* until the contestant's panel scores are
all in ("k of n scores"), and shown as "–" while no judge total counts yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from scoring_console.protocol.entities import Category, Score
from scoring_console.protocol.scoring import (
    CategoryResult,
    ContestantResult,
    JudgeTotal,
    OutlierFlag,
    exact,
)
from scoring_console.protocol.scoring.panel import judge_total

from .plausibility import format_score


@dataclass(frozen=True)
class CellInfo:
    """Everything one tally cell shows; compared to find the cells that changed."""

    value: float | None
    text: str
    partial: bool = False
    dropped: str | None = None
    flagged: bool = False
    provisional: bool = False
    off_panel: bool = False
    tooltip: str = ""


EMPTY = CellInfo(None, "")


def judge_cell(
    category: Category,
    row: ContestantResult | None,
    judge_id: int,
    own_scores: Mapping[int, Score],
    flags: list[OutlierFlag],
    judge_name: str,
) -> CellInfo:
    """The cell of one judge for one contestant (``own_scores``: criterion id → score)."""
    found: JudgeTotal | None = None
    if row is not None:
        found = next((j for j in row.judges if j.judge_id == judge_id), None)
    off_panel = found is None
    if found is None:  # a judge taken off the panel: shown, never counted
        weights = {c.id: Fraction(exact(c.weight)) for c in category.criteria}
        values = {k: Fraction(exact(s.score)) for k, s in own_scores.items() if s.score is not None}
        found = judge_total(judge_id, values, weights)
    if not found.scores:
        return CellInfo(None, "–", off_panel=off_panel)
    my_flags = [f for f in flags if f.judge_id == judge_id]
    names = {c.id: c.name for c in category.criteria}
    tips = [f"{judge_name}: Σ weight × score = {format_score(float(found.total))}"]
    if not found.complete:
        tips.append("Not every criterion scored yet: this total does not count")
    if found.dropped:
        tips.append(f"Dropped as the {found.dropped}est total (drop high/low)")
    if off_panel:
        tips.append("Not on the panel: these scores do not count")
    for flag in my_flags:
        tips.append(
            f"Outlier: {names.get(flag.criterion_id, '?')} {format_score(float(flag.score))}, "
            f"panel median {format_score(float(flag.median))}"
        )
    return CellInfo(
        value=float(found.total),
        text=format_score(float(found.total)),
        partial=not found.complete,
        dropped=found.dropped,
        flagged=bool(my_flags),
        off_panel=off_panel,
        tooltip="\n".join(tips),
    )


def summary_cells(
    result: CategoryResult, row: ContestantResult | None
) -> tuple[CellInfo, CellInfo, CellInfo]:
    """The deductions, total and rank cells of one contestant."""
    if row is None:
        return EMPTY, EMPTY, EMPTY
    minus = float(row.deductions)
    deductions = CellInfo(minus, f"−{result.display(row.deductions)}" if minus else "")
    if row.scores_in == 0:
        return deductions, EMPTY, EMPTY
    if not any(j.counted for j in row.judges):
        # scores are in, but no judge has scored every criterion: there is no total yet
        # (a "0.00" ranked last would read as a real result)
        waiting = (
            f"{row.progress}; no judge has scored every criterion for this contestant yet, "
            "so no judge total counts"
        )
        return (
            deductions,
            CellInfo(None, "–", provisional=True, tooltip=waiting),
            CellInfo(
                None,
                f"– · {row.scores_in} of {row.scores_expected}",
                provisional=True,
                tooltip=waiting,
            ),
        )
    provisional = row.provisional
    how = f"{row.progress}" + ("; provisional" if provisional else "")
    total = CellInfo(
        float(row.total),
        result.display(row.total),
        provisional=provisional,
        tooltip=(
            f"Panel score {result.display(row.panel_score)} ({result.rules.method.value}"
            + (", drop high/low" if result.rules.drop_high_low else "")
            + f") minus {result.display(row.deductions)} deductions; {how}"
        ),
    )
    rank_text = str(row.rank) + ("=" if row.shared_rank else "")
    if provisional:
        rank_text += f" · {row.scores_in} of {row.scores_expected}"
    tie = f"; tie broken by {row.tie_break}" if row.tie_break else ""
    rank = CellInfo(
        float(row.rank),
        rank_text,
        provisional=provisional,
        tooltip=("Provisional: " if provisional else "")
        + f"{row.progress}{tie}"
        + ("; shares the rank" if row.shared_rank else ""),
    )
    return deductions, total, rank
