"""Corrections after sign-off in the console.

* :class:`ReopenRequestDialog` — a judge asks to reopen a signed sheet, with a reason.
* :class:`ReopenDecisionsDialog` — a tally master or admin approves or rejects requests.
* :class:`ReasonBar` — above a reopened judge sheet: the reason every change now needs.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from scoring_console.export.text import when
from scoring_console.protocol.entities import RequestStatus
from scoring_console.protocol.reopen import REOPEN_APPROVED_TITLE, ReopenRequest
from scoring_console.protocol.roles import Role

from .notifications.failures import describe_failure
from .rows_model import RowsTableModel
from .tasks import TaskSet

if TYPE_CHECKING:
    from scoring_console.client.state import StateStore

    from .bridge import CoreBridge

log = logging.getLogger(__name__)
AnyIndex = QModelIndex | QPersistentModelIndex


def signed_categories(bridge: CoreBridge) -> list[tuple[int, str]]:
    """(id, name) of the categories the logged-in judge has signed."""
    state = bridge.core.state
    me = state.user
    found = []
    for cid, cert in sorted(state.certifications.items()):
        mine = any(s.role is Role.JUDGE and me and s.user_id == me.id for s in cert.signoffs)
        if mine and cid in state.categories:
            found.append((cid, state.categories[cid].name))
    return found


class ReopenRequestDialog(QDialog):
    """A judge's request to reopen one of their signed sheets.

    Signals:
        requested(object): the server accepted the request (a ReopenRequest).
    """

    requested = Signal(object)

    def __init__(
        self, bridge: CoreBridge, category_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reopenRequestDialog")
        self.setWindowTitle("Ask to reopen a signed sheet")
        self.core = bridge.core
        self.tasks = TaskSet()
        self.category_box = QComboBox(self)
        for cid, name in signed_categories(bridge):
            self.category_box.addItem(name, cid)
        if category_id is not None and self.category_box.findData(category_id) >= 0:
            self.category_box.setCurrentIndex(self.category_box.findData(category_id))
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setPlaceholderText("Why must the sheet be corrected?")
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.send_button = QPushButton("Send request", self)
        self.send_button.setDefault(True)
        cancel = QPushButton("Close", self)
        if self.category_box.count() == 0:
            self.status_label.setText("You have not signed a sheet yet: nothing to reopen.")
            self.send_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Category:", self))
        layout.addWidget(self.category_box)
        layout.addWidget(QLabel("Reason (the tally master sees it):", self))
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.status_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.send_button)
        row.addWidget(cancel)
        layout.addLayout(row)
        self.send_button.clicked.connect(self.on_send_clicked)
        cancel.clicked.connect(self.reject)

    def on_send_clicked(self) -> None:
        """Send the request (the reason must not be blank)."""
        reason = self.reason_edit.toPlainText().strip()
        if not reason:
            self.status_label.setText("Give a reason: the tally master decides on it.")
            return
        self.send_button.setEnabled(False)
        self.status_label.setText("Sending…")
        self.tasks.spawn(self._send(int(self.category_box.currentData()), reason), "reopen")

    async def _send(self, category_id: int, reason: str) -> None:
        try:
            request = await self.core.request_reopen(category_id, reason)
        except Exception as exc:  # refused or offline: the judge must know
            log.info("reopen request refused: %s", exc)
            self.status_label.setText(describe_failure("Sending the request", exc))
            self.send_button.setEnabled(True)
            return
        self.status_label.setText("Request sent. You will be told when the tally master decides.")
        self.requested.emit(request)


def reopen_consequences(state: StateStore, request: ReopenRequest) -> str:
    """What approving ``request`` undoes, in words (asked before it is sent).

    The server sets aside the judge's signature and every signature after the judges'
    step, and withdraws published results (:mod:`~scoring_console.server.service.reopen`).
    """
    category = state.categories.get(request.category_id)
    name = category.name if category is not None else "this category"
    cert = state.certifications.get(request.category_id)
    later = [
        f"{s.user_name} ({s.role.value.replace('_', ' ').lower()})"
        for s in (cert.signoffs if cert is not None else [])
        if s.role is not Role.JUDGE
    ]
    lines = [
        f"Reopen {request.judge_name}'s sheet of {name}?",
        f"{request.judge_name}'s signature is set aside (its receipt stays in the audit "
        "trail); every change now needs a reason, and the sheet must be signed again.",
    ]
    if later:
        lines.append(
            "These signatures are set aside too and must be given again: " + ", ".join(later) + "."
        )
    if category is not None and category.published:
        lines.append(
            "The published results are withdrawn until the category is certified and "
            "published again."
        )
    return "\n\n".join(lines)


class ReopenTableModel(RowsTableModel[ReopenRequest]):
    """Reopen requests, one row each."""

    HEADERS = ("Category", "Judge", "Reason", "Asked at", "Status")

    def __init__(self, names: dict[int, str], parent: Any = None) -> None:
        super().__init__(parent)
        self.names = names

    @property
    def requests(self) -> list[ReopenRequest]:
        """The requests shown, in row order."""
        return self._rows

    def set_requests(self, requests: list[ReopenRequest]) -> None:
        """Show these requests (a short list, replaced whole)."""
        self.beginResetModel()
        self._rows = list(requests)
        self.endResetModel()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        request = self._rows[index.row()]
        return (
            self.names.get(request.category_id, "category"),
            request.judge_name,
            request.reason,
            when(request.created_at),
            request.status.value.lower(),
        )[index.column()]


class ReopenDecisionsDialog(QDialog):
    """Pending and decided reopen requests; approve or reject the selected one.

    Signals:
        decided(object): the server recorded a decision (the updated ReopenRequest).
    """

    decided = Signal(object)

    def __init__(self, bridge: CoreBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reopenDecisionsDialog")
        self.setWindowTitle("Reopen requests")
        self.resize(760, 380)
        self.core = bridge.core
        self.tasks = TaskSet()
        names = {cid: c.name for cid, c in self.core.state.categories.items()}
        self.model = ReopenTableModel(names, self)
        self.table = QTableView(self)
        self.table.setObjectName("reopenTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText(
            "Note to the judge (required when an admin reopens a certified category)"
        )
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.count_label = QLabel(self)
        self.approve_button = QPushButton("Approve — reopen the sheet", self)
        self.reject_button = QPushButton("Reject", self)
        close = QPushButton("Close", self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note_edit)
        layout.addWidget(self.status_label)
        row = QHBoxLayout()
        row.addWidget(self.count_label)
        row.addStretch(1)
        row.addWidget(self.approve_button)
        row.addWidget(self.reject_button)
        row.addWidget(close)
        layout.addLayout(row)
        self.approve_button.clicked.connect(lambda: self.on_decide_clicked(True))
        self.reject_button.clicked.connect(lambda: self.on_decide_clicked(False))
        close.clicked.connect(self.accept)
        self.refresh()

    def refresh(self) -> None:
        """Reload the list from the server."""
        self.tasks.spawn(self._load(), "reopen_list")

    async def _load(self) -> None:
        try:
            requests = await self.core.list_reopens()
        except Exception as exc:
            self.status_label.setText(describe_failure("Listing the reopen requests", exc))
            return
        self.model.set_requests(requests)
        pending = [i for i, q in enumerate(requests) if q.status is RequestStatus.PENDING]
        if pending:
            self.table.selectRow(pending[0])
        self.count_label.setText(f"{len(pending)} pending")

    def selected(self) -> ReopenRequest | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.requests[rows[0].row()] if rows else None

    def on_decide_clicked(self, approve: bool) -> None:
        """Send the decision on the selected request."""
        request = self.selected()
        if request is None or request.status is not RequestStatus.PENDING:
            self.status_label.setText("Select a pending request first.")
            return
        note = self.note_edit.text().strip() or None
        if approve:
            question = reopen_consequences(self.core.state, request)
            answer = QMessageBox.question(
                self,
                "Reopen the sheet?",
                question,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self.status_label.setText("Nothing changed: the sheet stays signed.")
                return
        self.tasks.spawn(self._decide(request, approve, note), "reopen_decide")

    async def _decide(self, request: ReopenRequest, approve: bool, note: str | None) -> None:
        try:
            result = await self.core.decide_reopen(request.id, approve, note)
        except Exception as exc:
            verb = "Reopening" if approve else "Rejecting the request for"
            self.status_label.setText(describe_failure(f"{verb} {request.judge_name}'s sheet", exc))
            return
        verb = "reopened" if approve else "kept signed"
        self.status_label.setText(f"{result.judge_name}'s sheet is {verb}; the judge is told.")
        self.decided.emit(result)
        await self._load()


class ReasonBar(QWidget):
    """Shown above a judge's reopened sheet: the reason sent with every change.

    Hidden while the sheet was never reopened (live entry needs no reason) and again
    once the judge has signed the corrected sheet. Decided from the local state: the
    server's "Sheet reopened" notification for this category, and our sign-off.
    """

    def __init__(self, bridge: CoreBridge, category_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reasonBar")
        self.core = bridge.core
        self.category_id = category_id
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("reasonEdit")
        self.edit.setPlaceholderText("Reason for your corrections (required)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.addWidget(self.label)
        layout.addWidget(self.edit)
        self.hide()
        bridge.certification_changed.connect(self.on_state_changed)
        bridge.notification_changed.connect(self.on_state_changed)
        bridge.snapshot_loaded.connect(self.on_state_changed)
        self.on_state_changed()

    def reason(self) -> str | None:
        """The reason to send with a change, ``None`` when none is needed or given."""
        if self.isHidden():
            return None
        return self.edit.text().strip() or None

    def on_state_changed(self, *_args: object) -> None:
        """Show the bar while this sheet stands reopened and unsigned."""
        state = self.core.state
        me = state.user
        cert = state.certifications.get(self.category_id)
        signed = (
            cert is not None
            and me is not None
            and any(s.role is Role.JUDGE and s.user_id == me.id for s in cert.signoffs)
        )
        reopened = [
            n
            for n in state.notifications.values()
            if n.category_id == self.category_id and n.title == REOPEN_APPROVED_TITLE
        ]
        if reopened and not signed:
            latest = max(reopened, key=lambda n: n.id)
            self.label.setText(
                f"<b>{html.escape(latest.message)}.</b> Every change now needs a reason:"
            )
            self.show()
        else:
            self.hide()
