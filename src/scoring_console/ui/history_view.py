"""The history view: the audit trail per score, per category or per user, with filters.

Judges see only their own history (the server enforces it; the view also hides the
user filter for them). Opened from the Outputs menu or from a score cell's context
menu (:func:`attach_score_history`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from scoring_console.protocol.audit import AuditEntry, AuditQuery
from scoring_console.protocol.roles import Role

from .history_model import COL_WHAT, AuditTableModel
from .notifications.failures import describe_failure
from .tasks import TaskSet

if TYPE_CHECKING:
    from .bridge import CoreBridge

log = logging.getLogger(__name__)

ALL = 0


@dataclass(frozen=True)
class HistoryTarget:
    """What a table cell's history is: one score, or a judge's scores of one contestant."""

    score_id: int | None = None
    category_id: int | None = None
    user_id: int | None = None
    text: str = ""


CellLookup = Callable[[int, int], "HistoryTarget | None"]
"""``(row, column) → HistoryTarget`` of a score table's cell (``None``: no history)."""


class HistoryDialog(QDialog):
    """Filters on top, the audit table below, "Export CSV…" at the bottom.

    Signals:
        loaded(int): a page of history arrived (its number of entries).
    """

    loaded = Signal(int)

    def __init__(
        self,
        bridge: CoreBridge,
        *,
        category_id: int | None = None,
        user_id: int | None = None,
        score_id: int | None = None,
        text: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("historyDialog")
        self.bridge = bridge
        self.core = bridge.core
        self.tasks = TaskSet()
        self.score_id = score_id
        self._closed = False
        state = self.core.state
        me = state.user
        self.is_judge = me is not None and me.role is Role.JUDGE
        self.setWindowTitle("History" if score_id is None else "History of this score")
        self.resize(1000, 520)

        self.category_box = QComboBox(self)
        self.category_box.addItem("All categories", ALL)
        for cid, category in sorted(state.categories.items()):
            self.category_box.addItem(category.name, cid)
        self.user_box = QComboBox(self)
        self.user_box.addItem("Everyone", ALL)
        names = {p.user_id: p.name for p in state.presence.values()}
        names.update({a.user_id: a.user_name for a in state.assignments.values() if a.user_name})
        if me is not None:
            names[me.id] = me.name
        if user_id is not None:
            names.setdefault(user_id, "the selected judge")
        for uid, name in sorted(names.items(), key=lambda item: item[1]):
            self.user_box.addItem(name, uid)
        self.user_box.setVisible(not self.is_judge)
        self.text_edit = QLineEdit(text, self)
        self.text_edit.setPlaceholderText("Filter: a name, a number, an action, a reason…")
        self.text_edit.setClearButtonEnabled(True)
        self._select(self.category_box, category_id)
        self._select(self.user_box, user_id)

        self.model = AuditTableModel(self)
        self.model.set_text_filter(text)
        self.table = QTableView(self)
        self.table.setObjectName("historyTable")
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(COL_WHAT, QHeaderView.ResizeMode.Stretch)
        self.status_label = QLabel(self)
        self.export_button = QPushButton("Export CSV…", self)
        self.refresh_button = QPushButton("Refresh", self)
        close = QPushButton("Close", self)

        filters = QHBoxLayout()
        if score_id is None:
            filters.addWidget(QLabel("Category:", self))
            filters.addWidget(self.category_box)
            if not self.is_judge:
                filters.addWidget(QLabel("User:", self))
                filters.addWidget(self.user_box)
        else:
            self.category_box.hide()
            self.user_box.hide()
        filters.addWidget(self.text_edit, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.category_box.currentIndexChanged.connect(self.on_filter_changed)
        self.user_box.currentIndexChanged.connect(self.on_filter_changed)
        self.text_edit.textChanged.connect(self.model.set_text_filter)
        self.text_edit.textChanged.connect(lambda _t: self._show_count())
        self.refresh_button.clicked.connect(self.on_filter_changed)
        self.export_button.clicked.connect(self.on_export_clicked)
        close.clicked.connect(self.accept)
        self.on_filter_changed()

    @staticmethod
    def _select(box: QComboBox, value: int | None) -> None:
        index = box.findData(value if value is not None else ALL)
        if index >= 0:
            box.setCurrentIndex(index)

    def query(self) -> AuditQuery:
        """The server query for the current filters."""
        if self.score_id is not None:
            return AuditQuery(entity_kind="score", entity_id=str(self.score_id))
        category = self.category_box.currentData()
        user = self.user_box.currentData()
        return AuditQuery(
            category_id=category or None,
            user_id=None if self.is_judge else (user or None),
        )

    def on_filter_changed(self, *_args: object) -> None:
        """Reload from the server with the current filters."""
        self.status_label.setText("Loading…")
        self.tasks.spawn(self._load(self.query()), "history_load")

    async def _load(self, query: AuditQuery) -> None:
        try:
            page = await self.core.audit_history(query)
        except Exception as exc:  # offline, refused: say so in the dialog
            log.info("history not loaded: %s", exc)
            if not self._closed:
                self.status_label.setText(describe_failure("Loading the history", exc))
            return
        if self._closed:
            return
        self.model.set_entries(page.entries)
        self.table.resizeRowsToContents()
        self._show_count(more=page.more)
        self.loaded.emit(len(page.entries))

    def _show_count(self, more: bool = False) -> None:
        shown = self.model.rowCount()
        tail = " (older entries exist: narrow the filters)" if more else ""
        self.status_label.setText(f"{shown} changes{tail}")

    def on_export_clicked(self) -> None:
        """Write the rows shown to a CSV file."""
        name, _ = QFileDialog.getSaveFileName(self, "Export history", "history.csv", "CSV (*.csv)")
        if name:
            self.export_csv(Path(name))

    def export_csv(self, path: Path) -> None:
        """The rows shown, as the audit report's CSV."""
        from scoring_console.export.audit_report import build_audit
        from scoring_console.export.csv_out import write_csv
        from scoring_console.export.source import ExportSource

        from .export_actions import now

        source = ExportSource.from_state(self.core.state, now())
        entries: list[AuditEntry] = self.model.entries
        write_csv(build_audit(source, entries, "History", self.windowTitle()), path)
        self.status_label.setText(f"Exported {len(entries)} changes to {path}")

    def done(self, result: int) -> None:
        self._closed = True  # a load still under way must not touch a closed dialog
        super().done(result)


def attach_score_history(table: QTableView, bridge: CoreBridge, cell_of: CellLookup) -> QAction:
    """Add "History of this score…" to a score table's context menu.

    ``cell_of(row, column)`` says what the cell's history is (:class:`HistoryTarget`),
    ``None`` for a cell without one.
    """
    action = QAction("History of this score…", table)
    action.setObjectName("scoreHistoryAction")

    def on_triggered() -> None:
        index = table.currentIndex()
        target = cell_of(index.row(), index.column()) if index.isValid() else None
        if target is None:
            return
        dialog = HistoryDialog(
            bridge,
            score_id=target.score_id,
            category_id=target.category_id,
            user_id=target.user_id,
            text=target.text,
            parent=table.window(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    action.triggered.connect(on_triggered)
    table.addAction(action)
    if table.contextMenuPolicy() != Qt.ContextMenuPolicy.ActionsContextMenu:
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return action
