"""Wiring of the history view and the reopen reason into the lead's score views.

The workspaces call :func:`on_judge_sheet_created` / :func:`on_tally_view_created` once
per view they build; everything else lives in :mod:`.history_view` and :mod:`.reopen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .history_view import HistoryTarget, attach_score_history
from .reopen import ReasonBar
from .tally_table_model import FIRST_JUDGE_COL

if TYPE_CHECKING:
    from .bridge import CoreBridge
    from .judge_sheet_view import JudgeSheetView
    from .tally_category_view import TallyCategoryView


def on_judge_sheet_created(sheet: JudgeSheetView, bridge: CoreBridge) -> None:
    """A score-history entry in the sheet's context menu, and the reason bar on top."""
    state = bridge.core.state

    def cell_of(row: int, column: int) -> HistoryTarget | None:
        contestant = sheet.model.contestant_at(row)
        criterion = sheet.model.criterion_at(column)
        if contestant is None or criterion is None:
            return None
        score = state.score_for(sheet.category_id, contestant.id, criterion.id, sheet.judge_id)
        return None if score is None else HistoryTarget(score_id=score.id)

    attach_score_history(sheet.table, bridge, cell_of)
    bar = ReasonBar(bridge, sheet.category_id, sheet)
    layout = sheet.layout()
    if layout is not None and hasattr(layout, "insertWidget"):
        layout.insertWidget(1, bar)
    sheet.reason_bar = bar  # type: ignore[attr-defined]
    sheet.change_reason = bar.reason


def on_tally_view_created(view: TallyCategoryView, bridge: CoreBridge) -> None:
    """A history entry in the tally table: a judge column's scores of one contestant."""
    state = bridge.core.state

    def cell_of(row: int, column: int) -> HistoryTarget | None:
        judges = view.model.judges
        index = column - FIRST_JUDGE_COL
        found = [
            c for c in state.contestants_in(view.category_id) if view.model.row_of(c.id) == row
        ]
        if not 0 <= index < len(judges) or not found:
            return None
        return HistoryTarget(
            category_id=view.category_id,
            user_id=judges[index],
            text=f"#{found[0].number} {found[0].name}",
        )

    attach_score_history(view.table, bridge, cell_of)
