"""Paper sheets in the console: a tally master types in a judge's paper sheet; a second
person (another tally master, an auditor, an admin) confirms it before it counts."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from scoring_console.export.text import when
from scoring_console.protocol.entities import Category, RequestStatus
from scoring_console.protocol.paper import PaperScore, PaperSheet
from scoring_console.protocol.roles import Role
from scoring_console.protocol.second_person import PAPER_CONFIRMERS, may_decide_paper

from .notifications.failures import describe_failure
from .rows_model import RowsTableModel
from .tasks import TaskSet

if TYPE_CHECKING:
    from .bridge import CoreBridge

log = logging.getLogger(__name__)
AnyIndex = QModelIndex | QPersistentModelIndex


class PaperGridModel(QAbstractTableModel):
    """The paper sheet's grid: contestants × criteria, each box empty or a number."""

    def __init__(self, bridge: CoreBridge, category: Category, parent: Any = None) -> None:
        super().__init__(parent)
        state = bridge.core.state
        self.category = category
        self.contestants = state.contestants_in(category.id)
        self.values: dict[tuple[int, int], float] = {}

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.contestants)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.category.criteria)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            criterion = self.category.criteria[section]
            return f"{criterion.name} (max {criterion.max_score:g})"
        person = self.contestants[section]
        return f"{person.number} {person.name}"

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        value = self.values.get((index.row(), index.column()))
        return "" if value is None else f"{value:g}"

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        text = str(value).strip().replace(",", ".")
        key = (index.row(), index.column())
        if not text:
            self.values.pop(key, None)
        else:
            try:
                number = float(text)
            except ValueError:
                return False
            if not 0 <= number <= self.category.criteria[index.column()].max_score:
                return False
            self.values[key] = number
        self.dataChanged.emit(index, index)
        return True

    def entries(self) -> list[PaperScore]:
        """The filled boxes, in sheet order."""
        return [
            PaperScore(
                contestant_id=self.contestants[row].id,
                criterion_id=self.category.criteria[column].id,
                score=value,
            )
            for (row, column), value in sorted(self.values.items())
        ]


class PaperEntryDialog(QDialog):
    """Type in one judge's paper sheet of a category; send it for confirmation.

    Signals:
        submitted(object): the server stored the sheet (a PaperSheet, still pending).
    """

    submitted = Signal(object)

    def __init__(self, bridge: CoreBridge, category_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("paperEntryDialog")
        state = bridge.core.state
        category = state.categories[category_id]
        self.setWindowTitle(f"Enter a paper sheet — {category.name}")
        self.resize(720, 420)
        self.core = bridge.core
        self.category = category
        self.tasks = TaskSet()
        self.judge_box = QComboBox(self)
        for assignment in sorted(state.assignments.values(), key=lambda a: a.user_name or ""):
            if assignment.category_id == category_id and assignment.role is Role.JUDGE:
                self.judge_box.addItem(assignment.user_name or "judge", assignment.user_id)
        self.model = PaperGridModel(bridge, category, self)
        self.table = QTableView(self)
        self.table.setObjectName("paperGrid")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText("Why from paper (e.g. the judge's laptop failed)")
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.send_button = QPushButton("Send for confirmation", self)
        close = QPushButton("Close", self)
        form = QFormLayout()
        form.addRow("Judge:", self.judge_box)
        form.addRow("Note:", self.note_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.send_button)
        row.addWidget(close)
        layout.addLayout(row)
        self.send_button.clicked.connect(self.on_send_clicked)
        close.clicked.connect(self.accept)

    def on_send_clicked(self) -> None:
        entries = self.model.entries()
        if not entries or self.judge_box.currentData() is None:
            self.status_label.setText("Choose the judge and fill at least one box.")
            return
        self.send_button.setEnabled(False)
        note = self.note_edit.text().strip() or None
        judge_id = int(self.judge_box.currentData())
        self.tasks.spawn(self._send(judge_id, entries, note), "paper_submit")

    async def _send(self, judge_id: int, entries: list[PaperScore], note: str | None) -> None:
        try:
            sheet = await self.core.submit_paper(self.category.id, judge_id, entries, note)
        except Exception as exc:  # refused or offline: show why, keep what was typed
            log.info("paper sheet refused: %s", exc)
            self.status_label.setText(describe_failure("Sending the paper sheet", exc))
            self.send_button.setEnabled(True)
            return
        self.status_label.setText(
            f"Sent: {len(sheet.entries)} scores of {sheet.judge_name}. They count once a "
            "second person confirms them."
        )
        self.submitted.emit(sheet)


class PaperListModel(RowsTableModel[PaperSheet]):
    """Paper sheets, one row each."""

    HEADERS = ("Judge", "Scores", "Entered by", "Entered at", "Note", "Status")

    @property
    def sheets(self) -> list[PaperSheet]:
        """The sheets shown, in row order."""
        return self._rows

    def set_sheets(self, sheets: list[PaperSheet]) -> None:
        """Show these sheets (a short list, replaced whole)."""
        self.beginResetModel()
        self._rows = list(sheets)
        self.endResetModel()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        sheet = self._rows[index.row()]
        return (
            sheet.judge_name,
            str(len(sheet.entries)),
            sheet.entered_by_name,
            when(sheet.created_at),
            sheet.note or "",
            sheet.status.value.lower(),
        )[index.column()]


class PaperConfirmDialog(QDialog):
    """Paper sheets of a category; confirm or reject one somebody else entered.

    Signals:
        decided(object): a decision was recorded (the updated PaperSheet).
    """

    decided = Signal(object)

    def __init__(self, bridge: CoreBridge, category_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("paperConfirmDialog")
        state = bridge.core.state
        self.setWindowTitle(f"Paper sheets — {state.categories[category_id].name}")
        self.resize(760, 360)
        self.core = bridge.core
        self.category_id = category_id
        self.tasks = TaskSet()
        self.model = PaperListModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("paperSheets")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.count_label = QLabel(self)
        self.confirm_button = QPushButton("Confirm — the scores count", self)
        self.reject_button = QPushButton("Reject", self)
        close = QPushButton("Close", self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        row = QHBoxLayout()
        row.addWidget(self.count_label)
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        row.addWidget(self.reject_button)
        row.addWidget(close)
        layout.addLayout(row)
        self.confirm_button.clicked.connect(lambda: self.on_decide_clicked(True))
        self.reject_button.clicked.connect(lambda: self.on_decide_clicked(False))
        close.clicked.connect(self.accept)
        self._own_hint = ""
        self.table.selectionModel().selectionChanged.connect(self.on_selection_changed)
        self.on_selection_changed()
        self.tasks.spawn(self._load(), "paper_list")

    def selected(self) -> PaperSheet | None:
        """The sheet selected in the list."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.sheets[rows[0].row()] if rows else None

    def on_selection_changed(self, *_args: object) -> None:
        """Offer a decision only on a pending sheet somebody else typed in (two-person rule)."""
        sheet = self.selected()
        me = self.core.state.user
        pending = sheet is not None and sheet.status is RequestStatus.PENDING
        mine = sheet is not None and not may_decide_paper(
            sheet.entered_by, me.id if me is not None else None
        )
        for button in (self.confirm_button, self.reject_button):
            button.setEnabled(pending and not mine)
        if sheet is not None and pending and mine:
            self._own_hint = (
                f"You entered {sheet.judge_name}'s sheet: {PAPER_CONFIRMERS} must confirm "
                "or reject it."
            )
            self.status_label.setText(self._own_hint)
        elif self._own_hint and self.status_label.text() == self._own_hint:
            self.status_label.clear()

    async def _load(self) -> None:
        try:
            sheets = await self.core.list_paper(self.category_id)
        except Exception as exc:
            self.status_label.setText(describe_failure("Listing the paper sheets", exc))
            return
        self.model.set_sheets(sheets)
        me = self.core.state.user
        pending = [i for i, s in enumerate(sheets) if s.status is RequestStatus.PENDING]
        others = [
            i for i in pending if may_decide_paper(sheets[i].entered_by, me.id if me else None)
        ]
        if others or pending:
            self.table.selectRow((others or pending)[0])
        self.on_selection_changed()
        self.count_label.setText(f"{len(others)} to confirm")

    def on_decide_clicked(self, approve: bool) -> None:
        sheet = self.selected()
        if sheet is None or sheet.status is not RequestStatus.PENDING:
            self.status_label.setText("Select a paper sheet waiting for confirmation.")
            return
        self.tasks.spawn(self._decide(sheet, approve), "paper_decide")

    async def _decide(self, sheet: PaperSheet, approve: bool) -> None:
        verb = "Confirming" if approve else "Rejecting"
        try:
            result = await self.core.decide_paper(sheet.id, approve)
        except Exception as exc:
            self.status_label.setText(describe_failure(f"{verb} {sheet.judge_name}'s sheet", exc))
            return
        verb = "confirmed: its scores count now" if approve else "rejected"
        self.status_label.setText(f"{result.judge_name}'s paper sheet is {verb}.")
        self.decided.emit(result)
        await self._load()
