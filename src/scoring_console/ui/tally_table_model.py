"""The tally master's live table for one category: contestants × judges, totals, rank.

Fed from the :class:`StateStore` (read-only) through ``mark_score`` / ``mark_all``;
changes are coalesced to at most one flush per frame. A flush ranks the category by
its scoring rules (the protocol's rule code), recomputes the judge cells of the rows
that changed and emits ``dataChanged`` for the cells whose content differs, inserts
rows or judge columns that appeared, and briefly highlights changed cells. What a
cell shows is described in :mod:`.tally_cells`.
"""

from __future__ import annotations

import textwrap
import time
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette

from scoring_console.client.standings import outlier_flags
from scoring_console.client.state import StateStore
from scoring_console.protocol.scoring import CategoryResult, OutlierFlag

from .frame_coalescer import FrameCoalescer
from .tally_cells import EMPTY, CellInfo, judge_cell, summary_cells

COL_NUMBER = 0
COL_NAME = 1
FIRST_JUDGE_COL = 2
FLASH_SECONDS = 1.2

VALUE_ROLE = Qt.ItemDataRole.UserRole + 2
"""The cell's numeric value (judge sums, deductions, total, rank) or ``None``."""
FLASH_ROLE = Qt.ItemDataRole.UserRole + 4
"""True while the cell is highlighted after a change."""
CELL_ROLE = Qt.ItemDataRole.UserRole + 5
"""The cell's :class:`~.tally_cells.CellInfo` (partial, dropped, flagged, provisional)."""

AnyIndex = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CENTER = int(Qt.AlignmentFlag.AlignCenter)


def header_lines(name: str, width: int = 12, lines: int = 3) -> str:
    """A judge's name broken into short lines, so ten judges' columns stay readable."""
    wrapped = textwrap.wrap(name, width) or [name]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], " ".join(wrapped[lines - 1 :])]
    return "\n".join(wrapped)


class TallyTableModel(QAbstractTableModel):
    """Every judge's scores of one category, summed per contestant, with totals and rank.

    Signals:
        progress_changed(int, int): scores received and scores expected.
        flushed(int): a flush ran and emitted this many changed cells.
        flags_changed(int): the number of open outlier flags changed.
    """

    progress_changed = Signal(int, int)
    flushed = Signal(int)
    flags_changed = Signal(int)

    def __init__(
        self,
        state: StateStore,
        category_id: int,
        judge_names: dict[int, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.category_id = category_id
        self.judge_names = judge_names if judge_names is not None else {}
        self._contestants: list[int] = []
        self._judges: list[int] = []
        self._row_of: dict[int, int] = {}
        self._cells: dict[tuple[int, int], CellInfo] = {}  # (row, col) -> what it shows
        self.result: CategoryResult | None = None
        self.open_flags: list[OutlierFlag] = []
        """Outlier flags no tally master cleared yet (as of the last flush)."""
        self._dirty: set[int] = set()
        self._dirty_all = True
        self._flash: dict[tuple[int, int], float] = {}
        self.progress = (0, 0)
        self._coalescer = FrameCoalescer(self.flush, parent=self)
        self._flash_timer = QTimer(self)
        self._flash_timer.setInterval(150)
        self._flash_timer.timeout.connect(self.on_flash_timer_timeout)
        self.flush(highlight=False)

    # -- feeding ----------------------------------------------------------------------

    def mark_score(self, contestant_id: int) -> None:
        """A score of ``contestant_id`` in this category changed."""
        self._dirty.add(contestant_id)
        self._coalescer.request()

    def mark_all(self) -> None:
        """Structure or many values may have changed (snapshot, deductions, judges)."""
        self._dirty_all = True
        self._coalescer.request()

    def flush_now(self) -> None:
        """Apply pending changes immediately."""
        self._coalescer.flush_now()

    @property
    def judges(self) -> list[int]:
        """Judge user ids in column order."""
        return list(self._judges)

    @property
    def deductions_col(self) -> int:
        """Column of approved deductions."""
        return FIRST_JUDGE_COL + len(self._judges)

    @property
    def total_col(self) -> int:
        """Column of the total."""
        return self.deductions_col + 1

    @property
    def rank_col(self) -> int:
        """Column of the rank."""
        return self.deductions_col + 2

    def row_of(self, contestant_id: int) -> int | None:
        """The row showing ``contestant_id``."""
        return self._row_of.get(contestant_id)

    def contestant_at(self, row: int) -> int | None:
        """The contestant id shown in ``row``."""
        return self._contestants[row] if 0 <= row < len(self._contestants) else None

    def judge_at(self, column: int) -> int | None:
        """The judge id of a judge column (``None`` for other columns)."""
        offset = column - FIRST_JUDGE_COL
        return self._judges[offset] if 0 <= offset < len(self._judges) else None

    # -- flush --------------------------------------------------------------------------

    def flush(self, highlight: bool = True) -> None:
        """Bring the table up to date with the state; emit only what changed."""
        full = self._dirty_all
        dirty = set(self._dirty)
        self._dirty.clear()
        self._dirty_all = False
        if full:
            self._sync_structure()
            dirty = set(self._contestants)
        category = self.state.categories.get(self.category_id)
        criteria = [c.id for c in category.criteria] if category is not None else []
        result = self.state.category_result(self.category_id)
        flags = outlier_flags(self.state, self.category_id)
        dirty |= {f.contestant_id for f in set(flags) ^ set(self.open_flags)}
        changed: list[tuple[int, int]] = []
        for contestant_id in dirty:
            row = self._row_of.get(contestant_id)
            if row is None or category is None:
                continue
            result_row = result.row(contestant_id) if result is not None else None
            mine = [f for f in flags if f.contestant_id == contestant_id]
            for offset, judge_id in enumerate(self._judges):
                own = {
                    crit: s
                    for crit in criteria
                    if (s := self.state.score_for(self.category_id, contestant_id, crit, judge_id))
                    is not None
                }
                shown = judge_cell(
                    category, result_row, judge_id, own, mine, self.judge_name(judge_id)
                )
                self._put((row, FIRST_JUDGE_COL + offset), shown, changed)
        for contestant_id, row in self._row_of.items():
            result_row = result.row(contestant_id) if result is not None else None
            cells = summary_cells(result, result_row) if result is not None else (EMPTY,) * 3
            for column, shown in zip(
                (self.deductions_col, self.total_col, self.rank_col), cells, strict=True
            ):
                self._put((row, column), shown, changed)
        self.result = result
        flags_changed = len(flags) != len(self.open_flags)
        self.open_flags = flags
        self._emit_changes(changed, highlight and not full)
        self._update_progress(criteria)
        if flags_changed:
            self.flags_changed.emit(len(flags))
        self.flushed.emit(len(changed))

    def _put(self, key: tuple[int, int], shown: CellInfo, changed: list[tuple[int, int]]) -> None:
        if self._cells.get(key, EMPTY) != shown:
            self._cells[key] = shown
            changed.append(key)

    def _emit_changes(self, changed: list[tuple[int, int]], highlight: bool) -> None:
        if highlight and changed:
            expiry = time.monotonic() + FLASH_SECONDS
            for key in changed:
                if key[1] != self.rank_col:
                    self._flash[key] = expiry
            if not self._flash_timer.isActive():
                self._flash_timer.start()
        for row, column in changed:
            index = self.index(row, column)
            self.dataChanged.emit(index, index)

    def _update_progress(self, criteria: list[int]) -> None:
        received = sum(1 for s in self.state.scores_in(self.category_id) if s.score is not None)
        expected = len(self._contestants) * len(self._judges) * len(criteria)
        if (received, expected) != self.progress:
            self.progress = (received, expected)
            self.progress_changed.emit(received, expected)

    def _sync_structure(self) -> None:
        contestants = [c.id for c in self.state.contestants_in(self.category_id)]
        judges = self.state.judges_of(self.category_id)
        rows_kept = contestants[: len(self._contestants)] == self._contestants
        judges_kept = judges[: len(self._judges)] == self._judges
        if not (rows_kept and judges_kept):
            self.beginResetModel()  # something disappeared or moved: rare, not per event
            self._contestants, self._judges = contestants, judges
            self._row_of = {cid: row for row, cid in enumerate(contestants)}
            self._cells.clear()
            self._flash.clear()
            self.endResetModel()
            return
        new_judges = [j for j in judges if j not in self._judges]
        if new_judges:
            first = FIRST_JUDGE_COL + len(self._judges)
            self.beginInsertColumns(QModelIndex(), first, first + len(new_judges) - 1)
            self._judges.extend(new_judges)
            # summary columns move right: their cached values are keyed by column
            self._cells = {k: v for k, v in self._cells.items() if k[1] < first}
            self._flash.clear()
            self.endInsertColumns()
        new_rows = contestants[len(self._contestants) :]
        if new_rows:
            first = len(self._contestants)
            self.beginInsertRows(QModelIndex(), first, first + len(new_rows) - 1)
            for cid in new_rows:
                self._row_of[cid] = len(self._contestants)
                self._contestants.append(cid)
            self.endInsertRows()

    def on_flash_timer_timeout(self) -> None:
        """Un-highlight cells whose highlight time is over."""
        now = time.monotonic()
        expired = [key for key, until in self._flash.items() if until <= now]
        for key in expired:
            del self._flash[key]
            index = self.index(*key)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.BackgroundRole, FLASH_ROLE])
        if not self._flash:
            self._flash_timer.stop()

    # -- Qt model API -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._contestants)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.rank_col + 1

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def judge_name(self, judge_id: int) -> str:
        """How a judge is labelled: the name the state knows, else ``Judge <id>``."""
        named = self.state.user_name(judge_id)
        return named if named is not None else self.judge_names.get(judge_id, f"Judge {judge_id}")

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is not Qt.Orientation.Horizontal or not 0 <= section <= self.rank_col:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == COL_NUMBER:
                return "#"
            if section == COL_NAME:
                return "Contestant"
            if section == self.deductions_col:
                return "Deductions"
            if section == self.total_col:
                return "Total"
            if section == self.rank_col:
                return "Rank"
            return header_lines(self.judge_name(self._judges[section - FIRST_JUDGE_COL]))
        judge_section = FIRST_JUDGE_COL <= section < self.deductions_col
        if role == Qt.ItemDataRole.TextAlignmentRole and judge_section:
            # a name too long for a narrow column is cut at its end, not at both ends
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and judge_section:
            judge_id = self._judges[section - FIRST_JUDGE_COL]
            return f"{self.judge_name(judge_id)}: Σ weight × score over the criteria"
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._contestants):
            return None
        row, column = index.row(), index.column()
        contestant = self.state.contestants.get(self._contestants[row])
        if column == COL_NUMBER:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(contestant.number) if contestant else ""
            return _RIGHT if role == Qt.ItemDataRole.TextAlignmentRole else None
        if column == COL_NAME:
            if role == Qt.ItemDataRole.DisplayRole:
                return contestant.name if contestant else f"#{self._contestants[row]}"
            return None
        cell = self._cells.get((row, column), EMPTY)
        if role == Qt.ItemDataRole.DisplayRole:
            if cell.value is None and column < self.deductions_col:
                return "–"
            return cell.text
        if role == VALUE_ROLE:
            return cell.value
        if role == CELL_ROLE:
            return cell
        if role == FLASH_ROLE:
            return (row, column) in self._flash
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _CENTER if column == self.rank_col else _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and (
            cell.value is None or cell.off_panel or cell.dropped or cell.provisional
        ):
            return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(row, column, cell)
        if role == Qt.ItemDataRole.FontRole:
            return _font(cell, bold=column in (self.total_col, self.rank_col))
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell.tooltip or None
        return None

    def _background(self, row: int, column: int, cell: CellInfo) -> QColor | None:
        if (row, column) in self._flash:
            color = QColor(QGuiApplication.palette().color(QPalette.ColorRole.Highlight))
            color.setAlpha(70)
            return color
        if cell.flagged:
            return QColor(255, 170, 0, 90)  # amber: an open outlier flag
        return None


def _font(cell: CellInfo, bold: bool) -> QFont | None:
    """Bold for final totals and ranks; italic when partial or provisional; struck through
    when dropped."""
    if not (cell.partial or cell.dropped or cell.provisional or (bold and cell.value is not None)):
        return None
    font = QFont()
    font.setBold(bold and not cell.provisional and cell.value is not None)
    font.setItalic(cell.partial or cell.provisional)
    font.setStrikeOut(cell.dropped is not None)
    return font
