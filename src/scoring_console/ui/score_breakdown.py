"""Per-criterion breakdown of one contestant: each judge's scores, weights and total.

Rows are the criteria (name, weight) and a last "Judge total" row; columns are the
panel's judges. A cell shows ``score`` or ``score × weight = weighted`` (and ✎ when the judge left a
comment); a judge whose total drop high/low removed is struck through; a score with an
open outlier flag is amber. :meth:`BreakdownModel.caption` says how the panel score and
the rank came about.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette

from scoring_console.client.standings import manual_reason
from scoring_console.client.state import StateStore
from scoring_console.protocol.entities import Criterion
from scoring_console.protocol.scoring import (
    MANUAL,
    CategoryResult,
    ContestantResult,
    JudgeTotal,
    OutlierFlag,
)

from .plausibility import format_score

COL_CRITERION = 0
COL_WEIGHT = 1
FIRST_JUDGE = 2
FLAGGED_ROLE = Qt.ItemDataRole.UserRole + 10
"""True for a cell whose score has an open outlier flag."""
DROPPED_ROLE = Qt.ItemDataRole.UserRole + 11
"""``"high"`` / ``"low"`` for the column of a dropped judge total, else ``None``."""

COMMENT_MARK = "✎"
"""After a score the judge commented on (the comment shows under the breakdown)."""

AnyIndex = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class BreakdownModel(QAbstractTableModel):
    """One contestant's scores per criterion and judge (read-only, reset per contestant)."""

    def __init__(self, state: StateStore, category_id: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.category_id = category_id
        self.contestant_id: int | None = None
        self._criteria: list[Criterion] = []
        self._judges: list[JudgeTotal] = []
        self._row: ContestantResult | None = None
        self._result: CategoryResult | None = None
        self._flags: set[tuple[int, int]] = set()  # (criterion, judge)

    def show_contestant(
        self,
        contestant_id: int | None,
        flags: list[OutlierFlag],
        result: CategoryResult | None = None,
    ) -> None:
        """Show ``contestant_id`` (``None``: nothing) as the rules rank it now
        (``result``: the ranking already computed, e.g. by the tally)."""
        self.beginResetModel()
        self.contestant_id = contestant_id
        category = self.state.categories.get(self.category_id)
        if result is None:
            result = self.state.category_result(self.category_id)
        self._result = result
        self._criteria = list(category.criteria) if category is not None else []
        self._row = None
        if contestant_id is not None and result is not None:
            self._row = result.row(contestant_id)
        self._judges = list(self._row.judges) if self._row is not None else []
        self._flags = {
            (f.criterion_id, f.judge_id) for f in flags if f.contestant_id == contestant_id
        }
        self.endResetModel()

    def cell_at(self, index: AnyIndex) -> tuple[int, int] | None:
        """``(criterion id, judge id)`` of a score cell, else ``None``."""
        row, column = index.row(), index.column() - FIRST_JUDGE
        if 0 <= row < len(self._criteria) and 0 <= column < len(self._judges):
            return (self._criteria[row].id, self._judges[column].judge_id)
        return None

    def comment_at(self, index: AnyIndex) -> str | None:
        """The judge's comment on the score in a cell, if the judge left one."""
        cell = self.cell_at(index)
        if cell is None or self.contestant_id is None:
            return None
        score = self.state.score_for(self.category_id, self.contestant_id, *cell)
        return score.comment if score is not None and score.comment else None

    def caption(self) -> str:
        """How this contestant's total and rank came about, in words."""
        row = self._row
        if row is None:
            return "Select a contestant to see each judge's scores."
        result = self._result
        if result is None:
            return ""
        rules = result.rules
        kept = [j for j in row.judges if j.counted]
        if not kept and not any(j.dropped for j in row.judges):
            # as the tally shows it: "–", not a total of 0.00 with a rank
            return (
                "No total yet: no judge has scored every criterion for this contestant, so "
                f"no judge total counts; provisional: {row.progress}."
            )
        parts = [
            f"{rules.method.value.capitalize()} of {len(kept)} counted judge total(s)"
            + (" (a sum scaled to the full panel)" if kept and row.provisional else ""),
        ]
        dropped = [j for j in row.judges if j.dropped]
        if dropped:
            names = ", ".join(f"{self.judge_name(j.judge_id)} ({j.dropped})" for j in dropped)
            parts.append(f"dropped: {names}")
        elif rules.drop_high_low:
            parts.append("drop high/low needs 5 complete totals (3 left after dropping)")
        parts.append(f"minus {result.display(row.deductions)} deductions")
        parts.append(f"total {result.display(row.total)}, rank {row.rank}")
        if row.tie_break == MANUAL:
            reason = manual_reason(self.state, self.category_id, row.contestant_id)
            parts.append(
                "tie broken by the tally master's order" + (f" ({reason})" if reason else "")
            )
        elif row.tie_break:
            parts.append(f"tie broken by {row.tie_break}")
        if row.provisional:
            parts.append(f"provisional: {row.progress}")
        return "; ".join(parts) + "."

    def judge_name(self, judge_id: int) -> str:
        """The judge's name as the state knows it (presence, the own user, an assignment)."""
        return self.state.user_name(judge_id) or "a judge"

    # -- Qt model API -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._row is None else len(self._criteria) + 1

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else FIRST_JUDGE + len(self._judges)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is not Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == COL_CRITERION:
            return "Criterion"
        if section == COL_WEIGHT:
            return "Weight"
        offset = section - FIRST_JUDGE
        if 0 <= offset < len(self._judges):
            return self.judge_name(self._judges[offset].judge_id)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        total_row = row == len(self._criteria)
        judge = self._judges[column - FIRST_JUDGE] if column >= FIRST_JUDGE else None
        if role == Qt.ItemDataRole.DisplayRole:
            text = self._text(row, column, judge, total_row)
            return f"{text} {COMMENT_MARK}" if self.comment_at(index) else text
        if role == Qt.ItemDataRole.TextAlignmentRole and column != COL_CRITERION:
            return _RIGHT
        if judge is None:
            if role == Qt.ItemDataRole.FontRole and total_row:
                return _font(bold=True)
            return None
        cell = self.cell_at(index)
        flagged = cell is not None and cell in self._flags
        if role == FLAGGED_ROLE:
            return flagged
        if role == DROPPED_ROLE:
            return judge.dropped
        if role == Qt.ItemDataRole.FontRole:
            return _font(bold=total_row, struck=judge.dropped is not None)
        if role == Qt.ItemDataRole.BackgroundRole and flagged:
            return QColor(255, 170, 0, 90)
        if role == Qt.ItemDataRole.ForegroundRole and (judge.dropped or not judge.complete):
            return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.ToolTipRole:
            notes = []
            if judge.dropped:
                notes.append(f"Dropped as the {judge.dropped}est judge total")
            if not judge.complete:
                notes.append("Incomplete: this judge's total does not count yet")
            if flagged:
                notes.append("Outlier: far from the panel median; clear it or ask the judge")
            comment = self.comment_at(index)
            if comment:
                notes.append(f"{self.judge_name(judge.judge_id)}'s comment: {comment}")
            return "\n".join(notes) or None
        return None

    def _text(self, row: int, column: int, judge: JudgeTotal | None, total_row: bool) -> str:
        if total_row:
            if column == COL_CRITERION:
                return "Judge total"
            return "" if judge is None else format_score(float(judge.total))
        criterion = self._criteria[row]
        if column == COL_CRITERION:
            return criterion.name
        if column == COL_WEIGHT:
            return format_score(float(criterion.weight))
        assert judge is not None
        score = judge.scores.get(criterion.id)
        if score is None:
            return "–"
        if criterion.weight == 1:
            return format_score(float(score))
        weighted = judge.weighted[criterion.id]
        return f"{format_score(float(score))} × {format_score(float(criterion.weight))} = " + (
            format_score(float(weighted))
        )


def _font(bold: bool = False, struck: bool = False) -> QFont:
    font = QFont()
    font.setBold(bold)
    font.setStrikeOut(struck)
    return font
