"""The tally by the scoring rules: weights, dropped totals, provisional ranks, outlier flags,
the per-criterion breakdown and the rules line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from scoring_console.protocol import ServerEvent
from scoring_console.protocol.entities import Category
from scoring_console.protocol.scoring import ScoringRules, rules_in_words
from scoring_console.ui.score_breakdown import (
    DROPPED_ROLE,
    FIRST_JUDGE,
    FLAGGED_ROLE,
    BreakdownModel,
)
from scoring_console.ui.tally_cells import CellInfo
from scoring_console.ui.tally_table_model import CELL_ROLE, FIRST_JUDGE_COL, TallyTableModel

from .scoring_world import PANEL, score_row, world
from .snapshots import CATEGORY_ID, CONTESTANTS

FULL = {11: (9.0, 18.0), 12: (8.0, 16.0), 13: (7.0, 14.0), 14: (6.0, 12.0), 15: (5.0, 10.0)}


def _font(model: TallyTableModel, row: int, column: int) -> tuple[bool, bool, bool]:
    font = model.index(row, column).data(Qt.ItemDataRole.FontRole)
    return (font.bold(), font.italic(), font.strikeOut()) if font is not None else (False,) * 3


def test_weighted_judge_totals_dropped_high_low_struck_through(
    qtmodeltester: ModelTester,
) -> None:
    state = world(dropHighLow=True)
    score_row(state, 0, FULL)
    model = TallyTableModel(state, CATEGORY_ID)
    qtmodeltester.check(model, force_py=True)
    # judge totals: Poise + 2 × Talent
    texts = [model.index(0, FIRST_JUDGE_COL + i).data() for i in range(len(PANEL))]
    assert texts == ["45", "40", "35", "30", "25"]
    assert _font(model, 0, FIRST_JUDGE_COL)[2] is True  # highest: struck through
    assert _font(model, 0, FIRST_JUDGE_COL + 4)[2] is True  # lowest
    assert _font(model, 0, FIRST_JUDGE_COL + 2)[2] is False
    assert "Dropped as the highest" in model.index(0, FIRST_JUDGE_COL).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert model.index(0, model.total_col).data() == "105.00"  # 40 + 35 + 30
    assert model.index(0, model.rank_col).data() == "1"
    assert _font(model, 0, model.rank_col)[0] is True  # complete: bold


def test_provisional_ranks_are_not_bold_and_say_k_of_n() -> None:
    state = world()
    score_row(state, 0, FULL)
    score_row(state, 1, {11: (10.0, 20.0)})
    model = TallyTableModel(state, CATEGORY_ID)
    row = model.row_of(CONTESTANTS[1].id)
    assert row is not None
    assert model.index(row, model.rank_col).data() == "1 · 2 of 10"
    assert _font(model, row, model.rank_col)[:2] == (False, True)
    assert _font(model, row, model.total_col)[:2] == (False, True)
    info = model.index(row, model.total_col).data(CELL_ROLE)
    assert isinstance(info, CellInfo) and info.provisional
    assert "2 of 10 scores; provisional" in info.tooltip
    assert model.index(0, model.rank_col).data() == "2"  # complete row: plain rank


def test_outlier_flag_marks_the_cell_and_counts_live(qtbot: QtBot) -> None:
    state = world()
    score_row(state, 0, {**FULL, 15: (1.0, 14.0)})  # Poise 1 vs median 7 (limit 3)
    model = TallyTableModel(state, CATEGORY_ID)
    counts: list[int] = []
    model.flags_changed.connect(counts.append)
    cell = model.index(0, FIRST_JUDGE_COL + 4)
    assert cell.data(CELL_ROLE).flagged is True
    assert cell.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "Outlier: Poise 1, panel median 7" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert [(f.judge_id, f.criterion_id) for f in model.open_flags] == [(15, 1)]
    old = state.score_for(CATEGORY_ID, CONTESTANTS[0].id, 1, 15)
    assert old is not None
    corrected = old.model_copy(update={"score": 6.5, "version": 2})
    state.apply(ServerEvent.SCORES_UPDATED, corrected)  # no longer an outlier
    model.mark_all()
    model.flush_now()
    assert model.open_flags == [] and counts == [0]
    assert model.index(0, FIRST_JUDGE_COL + 4).data(CELL_ROLE).flagged is False


def test_breakdown_shows_scores_weights_totals_and_dropped_columns(
    qtmodeltester: ModelTester,
) -> None:
    state = world(dropHighLow=True, tieBreak=["criterion:Talent"])
    score_row(state, 0, {**FULL, 15: (1.0, 10.0)})
    tally = TallyTableModel(state, CATEGORY_ID)
    model = BreakdownModel(state, CATEGORY_ID)
    qtmodeltester.check(model, force_py=True)
    model.show_contestant(CONTESTANTS[0].id, tally.open_flags)
    assert model.rowCount() == 3 and model.columnCount() == FIRST_JUDGE + 5
    assert [model.index(r, 0).data() for r in range(3)] == ["Poise", "Talent", "Judge total"]
    assert model.index(1, 1).data() == "2"  # Talent's weight
    assert model.index(1, FIRST_JUDGE).data() == "18 × 2 = 36"
    assert model.index(2, FIRST_JUDGE).data() == "45"
    assert model.index(0, FIRST_JUDGE).data(DROPPED_ROLE) == "high"
    assert model.index(0, FIRST_JUDGE + 4).data(DROPPED_ROLE) == "low"
    assert model.index(0, FIRST_JUDGE).data(Qt.ItemDataRole.FontRole).strikeOut() is True
    assert model.index(0, FIRST_JUDGE + 4).data(FLAGGED_ROLE) is True
    assert model.cell_at(model.index(0, FIRST_JUDGE + 4)) == (1, 15)
    caption = model.caption()
    assert "Sum of 3 counted judge total(s)" in caption
    assert "dropped: Judge 1 (high), Judge 5 (low)" in caption


def test_rules_line_states_the_rules_in_words() -> None:
    state = world(method="average", dropHighLow=True, tieBreak=["criterion:Talent", "manual"])
    category: Category = state.categories[CATEGORY_ID]
    text = rules_in_words(category)
    assert "average of the judges' totals" in text and "Talent ×2" in text
    assert "dropped when at least 3 remain" in text
    assert "tie-break: criterion:Talent then manual" in text
    assert "counts once every criterion is scored" in text
    plain = category.model_copy(update={"scoring": ScoringRules()})
    assert "tie-break: none (shared rank)" in rules_in_words(plain)
