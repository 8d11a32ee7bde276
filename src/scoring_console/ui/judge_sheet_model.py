"""The judge's scoring sheet for one category: contestants × criteria, own scores only.

Rows are the category's contestants in sheet order; columns are the contestant number,
the name, one column per criterion and the judge's own total. Each score cell knows
its sync state (saved locally / synced / rejected with the server's reason), fed from
the judge's own scores in the state store and from outbox entries. A cell also keeps
the judge's comment on the score (sent with it; shown as a tooltip and a corner mark).
Other judges' scores never enter this model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from scoring_console.protocol.entities import Category, Contestant, Criterion, Score
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry

from .icons import icon
from .plausibility import format_score
from .sync_state import ICON_NAMES, LABELS, CellSync, tint

COL_NUMBER = 0
COL_NAME = 1
FIRST_CRITERION_COL = 2

SYNC_ROLE = Qt.ItemDataRole.UserRole + 1
"""The cell's :class:`CellSync` (score columns)."""
VALUE_ROLE = Qt.ItemDataRole.UserRole + 2
"""The cell's value as a float, or ``None``."""
MAX_SCORE_ROLE = Qt.ItemDataRole.UserRole + 3
"""The criterion's ``maxScore`` (score columns)."""
COMMENT_ROLE = Qt.ItemDataRole.UserRole + 4
"""The judge's comment on the cell's score, or ``None``."""

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass
class SheetCell:
    """What the sheet shows for one (contestant, criterion)."""

    value: float | None = None
    sync: CellSync = CellSync.EMPTY
    reason: str | None = None
    server_value: float | None = None
    entry_id: int = 0
    comment: str | None = None
    server_comment: str | None = None


class JudgeSheetModel(QAbstractTableModel):
    """One judge's sheet for one category.

    Signals:
        score_entered(int, int, float): the user committed a value in a cell
            (contestant id, criterion id, value); the view saves it through the core.
    """

    score_entered = Signal(int, int, float)

    def __init__(
        self,
        category: Category,
        contestants: Sequence[Contestant],
        judge_id: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.category_id = category.id
        self.judge_id = judge_id
        self.locked = False
        self._criteria: list[Criterion] = list(category.criteria)
        by_id = {c.id: c for c in contestants}
        self._contestants: list[Contestant] = [
            by_id[cid] for cid in category.contestant_ids if cid in by_id
        ]
        self._row_of = {c.id: row for row, c in enumerate(self._contestants)}
        self._cells: dict[tuple[int, int], SheetCell] = {}

    # -- structure ------------------------------------------------------------------

    @property
    def total_col(self) -> int:
        """Column of the judge's own total."""
        return FIRST_CRITERION_COL + len(self._criteria)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._contestants)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.total_col + 1

    def criterion_at(self, column: int) -> Criterion | None:
        """The criterion shown in ``column``, or ``None`` for other columns."""
        offset = column - FIRST_CRITERION_COL
        return self._criteria[offset] if 0 <= offset < len(self._criteria) else None

    def contestant_at(self, row: int) -> Contestant | None:
        """The contestant shown in ``row``."""
        return self._contestants[row] if 0 <= row < len(self._contestants) else None

    def index_of(self, contestant_id: int, criterion_id: int) -> QModelIndex:
        """The index of one score cell (invalid when unknown)."""
        row = self._row_of.get(contestant_id)
        for offset, criterion in enumerate(self._criteria):
            if criterion.id == criterion_id and row is not None:
                return self.index(row, FIRST_CRITERION_COL + offset)
        return QModelIndex()

    def add_contestants(self, contestants: Sequence[Contestant]) -> None:
        """Append contestants that joined the category (rows inserted, not a reset)."""
        new = [c for c in contestants if c.id not in self._row_of]
        if not new:
            return
        first = len(self._contestants)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        for contestant in new:
            self._row_of[contestant.id] = len(self._contestants)
            self._contestants.append(contestant)
        self.endInsertRows()

    # -- content --------------------------------------------------------------------

    def cell(self, contestant_id: int, criterion_id: int) -> SheetCell:
        """The cell's current content (an empty cell when never scored)."""
        return self._cells.get((contestant_id, criterion_id), SheetCell())

    def is_complete(self) -> bool:
        """True when every cell has a value that is not rejected."""
        for contestant in self._contestants:
            for criterion in self._criteria:
                cell = self._cells.get((contestant.id, criterion.id))
                if cell is None or cell.value is None or cell.sync is CellSync.REJECTED:
                    return False
        return True

    def filled_count(self) -> int:
        """Cells with a value (rejected ones excluded)."""
        return sum(
            1
            for cell in self._cells.values()
            if cell.value is not None and cell.sync is not CellSync.REJECTED
        )

    def cell_count(self) -> int:
        """Cells on the sheet."""
        return len(self._contestants) * len(self._criteria)

    def own_scores(self, criterion_id: int, exclude_contestant: int | None = None) -> list[float]:
        """The judge's values on one criterion (for the plausibility check)."""
        return [
            cell.value
            for (contestant_id, crit_id), cell in self._cells.items()
            if crit_id == criterion_id
            and cell.value is not None
            and contestant_id != exclude_contestant
            and cell.sync is not CellSync.REJECTED
        ]

    def apply_score(self, score: Score) -> None:
        """A score of this judge arrived from the server (sync, ack or event)."""
        if score.category_id != self.category_id or score.judge_id != self.judge_id:
            return
        key = (score.contestant_id, score.criterion_id)
        cell = self._cells.setdefault(key, SheetCell())
        cell.server_value = score.score
        cell.server_comment = score.comment
        if cell.sync in (CellSync.EMPTY, CellSync.SYNCED):
            cell.value = score.score
            cell.comment = score.comment
            cell.sync = CellSync.SYNCED if score.score is not None else CellSync.EMPTY
        self._cell_changed(*key)

    def remove_score(self, contestant_id: int, criterion_id: int) -> None:
        """The server removed this judge's score (approved removal request)."""
        key = (contestant_id, criterion_id)
        cell = self._cells.get(key)
        if cell is None:
            return
        cell.server_value = None
        cell.server_comment = None
        if cell.sync is CellSync.SYNCED:
            cell.value = None
            cell.comment = None
            cell.sync = CellSync.EMPTY
        self._cell_changed(*key)

    def apply_entry(self, entry: OutboxEntry) -> None:
        """An outbox entry for one of this sheet's cells was added or changed state."""
        if entry.kind is not EntryKind.SCORE or entry.category_id != self.category_id:
            return
        if entry.contestant_id is None or entry.criterion_id is None:
            return
        key = (entry.contestant_id, entry.criterion_id)
        cell = self._cells.setdefault(key, SheetCell())
        if entry.id < cell.entry_id:
            return  # an older write for the same cell: the newer one decides
        cell.entry_id = entry.id
        if entry.state is EntryState.SYNCED:
            # the server's version decides, not the entry's own value: the outbox keeps
            # the newest synced entry of a cell, and since then the score may have been
            # deleted (approved removal) or changed. Live, the ack's Score has already
            # reached the state (and ``server_value``) when the entry resolves.
            cell.value = cell.server_value
            cell.comment = cell.server_comment
            cell.sync = CellSync.SYNCED if cell.server_value is not None else CellSync.EMPTY
            cell.reason = None
            self._cell_changed(*key)
            return
        raw = entry.payload.get("score")
        value = float(raw) if isinstance(raw, int | float) else cell.value
        cell.value = value
        comment = entry.payload.get("comment")
        cell.comment = comment if isinstance(comment, str) and comment else None
        if entry.state is EntryState.REJECTED:
            cell.sync = CellSync.REJECTED
            cell.reason = entry.error_message or entry.error_code or "refused by the server"
        else:
            cell.sync = CellSync.SAVED_LOCALLY
            cell.reason = None
        self._cell_changed(*key)

    def mark_saving(self, contestant_id: int, criterion_id: int, value: float) -> None:
        """Show a value the user just typed while the outbox commit is in flight."""
        cell = self._cells.setdefault((contestant_id, criterion_id), SheetCell())
        cell.value = value
        cell.sync = CellSync.SAVING
        cell.reason = None
        self._cell_changed(contestant_id, criterion_id)

    def revert_cell(self, contestant_id: int, criterion_id: int) -> None:
        """Show the server's value again (a typed value that could not be stored)."""
        cell = self._cells.get((contestant_id, criterion_id))
        if cell is None or cell.sync is not CellSync.SAVING:
            return
        cell.value = cell.server_value
        cell.comment = cell.server_comment
        cell.sync = CellSync.SYNCED if cell.server_value is not None else CellSync.EMPTY
        self._cell_changed(contestant_id, criterion_id)

    def dismiss_rejection(self, contestant_id: int, criterion_id: int) -> None:
        """Show the server's value again in place of a rejected write."""
        cell = self._cells.get((contestant_id, criterion_id))
        if cell is None or cell.sync is not CellSync.REJECTED:
            return
        cell.value = cell.server_value
        cell.comment = cell.server_comment
        cell.sync = CellSync.SYNCED if cell.server_value is not None else CellSync.EMPTY
        cell.reason = None
        self._cell_changed(contestant_id, criterion_id)

    def set_comment(self, contestant_id: int, criterion_id: int, comment: str | None) -> bool:
        """The judge changed the comment of a scored cell: save it with the score.

        False (nothing saved) when the cell has no score to carry the comment, when the
        sheet is locked, or when the comment did not change.
        """
        cell = self._cells.get((contestant_id, criterion_id))
        comment = comment.strip() if comment else None
        if self.locked or cell is None or cell.value is None:
            return False
        if cell.comment == (comment or None) and cell.sync is not CellSync.REJECTED:
            return False
        cell.comment = comment or None
        self.mark_saving(contestant_id, criterion_id, cell.value)
        self.score_entered.emit(contestant_id, criterion_id, cell.value)
        return True

    def rejected_entry_at(self, row: int, column: int) -> int | None:
        """The outbox entry id of a rejected cell (to dismiss it), else ``None``."""
        criterion = self.criterion_at(column)
        contestant = self.contestant_at(row)
        if criterion is None or contestant is None:
            return None
        cell = self._cells.get((contestant.id, criterion.id))
        if cell is None or cell.sync is not CellSync.REJECTED or not cell.entry_id:
            return None
        return cell.entry_id

    def forget_entry(self, entry_id: int) -> None:
        """An outbox entry was dismissed: a rejected cell shows the server's value again."""
        for (contestant_id, criterion_id), cell in self._cells.items():
            if cell.entry_id == entry_id and cell.sync is CellSync.REJECTED:
                self.dismiss_rejection(contestant_id, criterion_id)
                return

    def _cell_changed(self, contestant_id: int, criterion_id: int) -> None:
        index = self.index_of(contestant_id, criterion_id)
        if not index.isValid():
            return
        self.dataChanged.emit(index, index)
        total = self.index(index.row(), self.total_col)
        self.dataChanged.emit(total, total)

    # -- Qt model API -----------------------------------------------------------------

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.criterion_at(index.column()) is not None and not self.locked:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is not Qt.Orientation.Horizontal:
            return None
        criterion = self.criterion_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if section == COL_NUMBER:
                return "#"
            if section == COL_NAME:
                return "Contestant"
            if section == self.total_col:
                return "My total"
            if criterion is not None:
                return f"{criterion.name} (/{format_score(criterion.max_score)})"
        if role == Qt.ItemDataRole.ToolTipRole and criterion is not None:
            return f"{criterion.name}: 0 to {format_score(criterion.max_score)}"
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._contestants)):
            return None
        contestant = self._contestants[index.row()]
        column = index.column()
        if column == COL_NUMBER:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(contestant.number)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if column == COL_NAME:
            return contestant.name if role == Qt.ItemDataRole.DisplayRole else None
        if column == self.total_col:
            return self._total_data(contestant.id, role)
        criterion = self.criterion_at(column)
        if criterion is None:
            return None
        return self._score_data(contestant.id, criterion, role)

    def _total_data(self, contestant_id: int, role: int) -> Any:
        values = [
            cell.value
            for crit in self._criteria
            if (cell := self._cells.get((contestant_id, crit.id))) is not None
            and cell.value is not None
            and cell.sync is not CellSync.REJECTED
        ]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_score(sum(values)) if values else ""
        if role == VALUE_ROLE:
            return sum(values) if values else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{len(values)} of {len(self._criteria)} criteria scored"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None

    def _score_data(self, contestant_id: int, criterion: Criterion, role: int) -> Any:
        cell = self._cells.get((contestant_id, criterion.id), SheetCell())
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if cell.value is None else format_score(cell.value)
        if role == Qt.ItemDataRole.EditRole:
            return "" if cell.value is None else format_score(cell.value)
        if role == VALUE_ROLE:
            return cell.value
        if role == SYNC_ROLE:
            return cell.sync
        if role == MAX_SCORE_ROLE:
            return criterion.max_score
        if role == COMMENT_ROLE:
            return cell.comment
        if role == Qt.ItemDataRole.ToolTipRole:
            text = LABELS[cell.sync]
            if cell.sync is CellSync.REJECTED:
                text += f": {cell.reason}"
                if cell.server_value is not None:
                    text += f"\nThe server keeps {format_score(cell.server_value)}."
            if cell.comment:
                text += f"\nComment: {cell.comment}"
            elif cell.value is not None and not self.locked:
                text += "\nShift+Enter adds a comment."
            return text
        if role == Qt.ItemDataRole.DecorationRole:
            name = ICON_NAMES.get(cell.sync)
            return icon(name) if name else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return tint(cell.sync)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.locked:
            return False
        criterion = self.criterion_at(index.column())
        contestant = self.contestant_at(index.row())
        if criterion is None or contestant is None:
            return False
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        if not 0 <= number <= criterion.max_score:
            return False
        current = self._cells.get((contestant.id, criterion.id))
        if (
            current is not None
            and current.value == number
            and current.sync
            in (
                CellSync.SYNCED,
                CellSync.SAVED_LOCALLY,
                CellSync.SAVING,
            )
        ):
            return True  # unchanged: no new write
        self.mark_saving(contestant.id, criterion.id, number)
        self.score_entered.emit(contestant.id, criterion.id, number)
        return True
