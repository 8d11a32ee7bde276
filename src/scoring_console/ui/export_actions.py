"""The console's Outputs menu: print (with preview), export to PDF/CSV, check receipts,
history, and the reopen flow. Installed into the main window by :func:`install_outputs`.

Every report comes from :mod:`scoring_console.export`, built from the console's own
state, so the preview, the printout and the exported file are the same document.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.errors import ClientError
from scoring_console.client.receipts import ReceiptStatus, check_category
from scoring_console.export import ExportError, ExportSource, Report, ReportKind, build_report
from scoring_console.protocol.audit import AuditQuery
from scoring_console.protocol.errors import AckFailed
from scoring_console.protocol.roles import Role

from .history_view import HistoryDialog
from .notifications.failures import describe_failure
from .paper import PaperConfirmDialog, PaperEntryDialog
from .reopen import ReopenDecisionsDialog, ReopenRequestDialog
from .tasks import TaskSet

if TYPE_CHECKING:
    from .bridge import CoreBridge

log = logging.getLogger(__name__)

KIND_LABELS: dict[ReportKind, str] = {
    ReportKind.RESULTS: "Results",
    ReportKind.SHEETS: "Score sheets",
    ReportKind.BLANK_SHEETS: "Blank paper sheets",
    ReportKind.AUDIT: "Audit report",
    ReportKind.CERTIFICATION: "Certification report",
}
_NEEDS_AUDIT = (ReportKind.AUDIT, ReportKind.CERTIFICATION)
_SHOWN_ERRORS = (ExportError, ClientError, AckFailed, OSError)
"""Failures an output reports to the user (anything else is a bug and is logged)."""


def _output_failure(action: str, exc: BaseException) -> str:
    """An export's own problem as it reads (it names the category), a server's or the
    connection's with what to do (:func:`describe_failure`)."""
    if isinstance(exc, ExportError | OSError):
        return f"{action} failed: {exc}"
    return describe_failure(action, exc)


CurrentCategory = Callable[[], "int | None"]


def now() -> datetime:
    """The time printed on reports made in the console."""
    return datetime.now(UTC)


def kinds_for(role: Role) -> list[ReportKind]:
    """What a role may print: judges their own sheets, blank sheets and history."""
    if role is Role.JUDGE:
        return [ReportKind.SHEETS, ReportKind.BLANK_SHEETS, ReportKind.AUDIT]
    return list(ReportKind)


class OutputsMenu(QObject):
    """The Outputs menu and the dialogs it opens.

    Signals:
        preview_opened(object): a print preview is on screen (its QPrintPreviewDialog).
        exported(str): a report was written to this path.
        failed(str): an output could not be made (the message shown).
    """

    preview_opened = Signal(object)
    exported = Signal(str)
    failed = Signal(str)

    def __init__(
        self, window: QMainWindow, bridge: CoreBridge, current_category: CurrentCategory
    ) -> None:
        super().__init__(window)
        self.window = window
        self.bridge = bridge
        self.core = bridge.core
        self.current_category = current_category
        self.tasks = TaskSet()
        self._previews: dict[int, object] = {}
        user = self.core.state.user or self.core.user
        self.role = user.role if user is not None else Role.JUDGE
        self.menu = QMenu("&Outputs", window)
        self.menu.setObjectName("outputsMenu")
        self.actions: dict[str, QAction] = {}
        for kind in kinds_for(self.role):
            self._add(
                f"print:{kind.value}",
                f"Print {KIND_LABELS[kind].lower()}…",
                lambda _c=False, k=kind: self.on_print_triggered(k),
            )
        self.menu.addSeparator()
        self._add("export", "Export to PDF or CSV…", self.on_export_triggered)
        self._add("receipts", "Check receipts…", self.on_receipts_triggered)
        self._add("history", "History…", self.on_history_triggered)
        self.menu.addSeparator()
        if self.role is Role.JUDGE:
            self._add("reopen", "Ask to reopen a signed sheet…", self.on_reopen_triggered)
        elif self.role in (Role.TALLY_MASTER, Role.ADMIN):
            self._add("reopen", "Reopen requests…", self.on_reopen_triggered)
        if self.role is Role.TALLY_MASTER:
            self._add("paper-enter", "Enter a paper sheet…", self.on_paper_enter_triggered)
        if self.role in (Role.TALLY_MASTER, Role.AUDITOR, Role.ADMIN):
            self._add("paper-confirm", "Paper sheets to confirm…", self.on_paper_confirm_triggered)
        window.menuBar().insertMenu(window.menuBar().actions()[-1], self.menu)

    def _add(self, key: str, text: str, slot: object) -> None:
        action = QAction(text, self.window)
        action.setObjectName(f"outputs:{key}")
        action.triggered.connect(slot)
        self.menu.addAction(action)
        self.actions[key] = action

    # -- building -----------------------------------------------------------------------

    async def report(self, kind: ReportKind, category_id: int) -> Report:
        """Build one report of a category from the console's state (and the audit)."""
        audit = []
        if kind in _NEEDS_AUDIT:
            audit = (await self.core.audit_history(AuditQuery(category_id=category_id))).entries
        source = ExportSource.from_state(self.core.state, now(), audit)
        return build_report(kind, source, category_id=category_id)

    def _category(self) -> int | None:
        category_id = self.current_category()
        if category_id is None:
            self._fail("Open a category first.")
        return category_id

    def _fail(self, message: str) -> None:
        self.failed.emit(message)
        QMessageBox.warning(self.window, "Outputs", message)

    # -- slots ----------------------------------------------------------------------------

    def on_print_triggered(self, kind: ReportKind) -> None:
        """Preview the report; the preview's Print button opens the system print dialog."""
        category_id = self._category()
        if category_id is not None:
            self.tasks.spawn(self._preview(kind, category_id), f"preview:{kind.value}")

    async def _preview(self, kind: ReportKind, category_id: int) -> None:
        from scoring_console.export.pdf import document_for

        try:
            report = await self.report(kind, category_id)
        except _SHOWN_ERRORS as exc:
            self._fail(_output_failure(f"Printing the {KIND_LABELS[kind].lower()}", exc))
            return
        document = document_for(report)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(report.title)
        dialog = QPrintPreviewDialog(printer, self.window)
        dialog.setObjectName("printPreview")
        dialog.setWindowTitle(f"Print preview — {report.title}")
        dialog.paintRequested.connect(document.print_)
        # the dialog keeps raw pointers to both: they live as long as it is open
        key = id(dialog)
        self._previews[key] = (printer, document)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None, k=key: self._previews.pop(k, None))
        dialog.open()
        self.preview_opened.emit(dialog)

    def on_export_triggered(self) -> None:
        """Choose a report, a format and a file; write it."""
        dialog = ExportDialog(self, self.window)
        dialog.open()

    async def export(self, kind: ReportKind, category_id: int, path: Path, page: str) -> None:
        """Write one report to ``path`` (PDF or CSV by its suffix)."""
        from scoring_console.export.csv_out import write_csv
        from scoring_console.export.pdf import PageSize, write_pdf

        try:
            report = await self.report(kind, category_id)
            if path.suffix.lower() == ".csv":
                write_csv(report, path)
            else:
                write_pdf(report, path, PageSize(page))
        except _SHOWN_ERRORS as exc:
            self._fail(_output_failure(f"Exporting the {KIND_LABELS[kind].lower()}", exc))
            return
        self.exported.emit(str(path))

    def on_receipts_triggered(self) -> None:
        category_id = self._category()
        if category_id is not None:
            ReceiptsDialog(self.bridge, category_id, self.window).open()

    def on_history_triggered(self) -> None:
        dialog = HistoryDialog(
            self.bridge,
            category_id=self.current_category(),
            parent=self.window,
        )
        dialog.open()

    def on_reopen_triggered(self) -> None:
        if self.role is Role.JUDGE:
            ReopenRequestDialog(self.bridge, self.current_category(), self.window).open()
        else:
            ReopenDecisionsDialog(self.bridge, self.window).open()

    def on_paper_enter_triggered(self) -> None:
        category_id = self._category()
        if category_id is not None:
            PaperEntryDialog(self.bridge, category_id, self.window).open()

    def on_paper_confirm_triggered(self) -> None:
        category_id = self._category()
        if category_id is not None:
            PaperConfirmDialog(self.bridge, category_id, self.window).open()


class ExportDialog(QDialog):
    """Report kind, paper size and a file name; Export writes it."""

    def __init__(self, outputs: OutputsMenu, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export")
        self.outputs = outputs
        self.kind_box = QComboBox(self)
        for kind in kinds_for(outputs.role):
            self.kind_box.addItem(KIND_LABELS[kind], kind.value)
        self.format_box = QComboBox(self)
        self.format_box.addItems(["PDF", "CSV"])
        self.page_box = QComboBox(self)
        self.page_box.addItems(["A4", "Letter"])
        # the category on show when the dialog opened: switching tabs behind the open
        # dialog must not change what "Export…" writes
        self.category_id = outputs.current_category()
        self.category_label = QLabel(self._category_text(), self)
        self.category_label.setObjectName("exportCategory")
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        export = QPushButton("Export…", self)
        export.setDefault(True)
        close = QPushButton("Close", self)
        form = QFormLayout()
        form.addRow("Category:", self.category_label)
        form.addRow("Report:", self.kind_box)
        form.addRow("Format:", self.format_box)
        form.addRow("Paper (PDF):", self.page_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(export)
        row.addWidget(close)
        layout.addLayout(row)
        export.clicked.connect(self.on_export_clicked)
        close.clicked.connect(self.accept)
        outputs.exported.connect(lambda path: self.status_label.setText(f"Written: {path}"))
        outputs.failed.connect(self.status_label.setText)

    def _category_text(self) -> str:
        state = self.outputs.core.state
        category = state.categories.get(self.category_id) if self.category_id else None
        if category is None:
            return "none open: open a category first"
        contest = state.contests.get(category.contest_id)
        return f"{category.name} ({contest.name})" if contest is not None else category.name

    def suggested_name(self, kind: ReportKind, suffix: str) -> str:
        """The file name offered: the report and the category, e.g.
        ``"Results - Vocal Performance (Senior Showcase).pdf"`` (not ``results.pdf`` for
        every category, each export overwriting the last)."""
        label = f"{KIND_LABELS[kind]} - {self._category_text()}"
        if self.category_id is None or self.category_id not in self.outputs.core.state.categories:
            label = KIND_LABELS[kind]
        safe = "".join("-" if c in '/\\:*?"<>|' else c for c in label).strip(" .")
        return f"{safe}.{suffix}"

    def on_export_clicked(self) -> None:
        kind = ReportKind(self.kind_box.currentData())
        suffix = self.format_box.currentText().lower()
        name, _ = QFileDialog.getSaveFileName(
            self, "Export", self.suggested_name(kind, suffix), f"{suffix.upper()} (*.{suffix})"
        )
        if name:
            self.write(kind, Path(name), self.page_box.currentText())

    def write(self, kind: ReportKind, path: Path, page: str = "A4") -> None:
        """Export the category shown in the dialog, without the file dialog (its last step)."""
        if self.category_id is None:
            self.outputs._fail("Open a category first.")
            return
        self.status_label.setText(f"Writing {path.name}…")
        self.outputs.tasks.spawn(self.outputs.export(kind, self.category_id, path, page), "export")


class ReceiptsDialog(QDialog):
    """Each sign-off of a category: the server's receipt and our recomputation."""

    def __init__(self, bridge: CoreBridge, category_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("receiptsDialog")
        state = bridge.core.state
        name = state.categories[category_id].name if category_id in state.categories else ""
        self.setWindowTitle(f"Receipts — {name}")
        self.checks = check_category(state, category_id)
        layout = QVBoxLayout(self)
        if not self.checks:
            layout.addWidget(QLabel("Nobody has signed this category yet.", self))
        self.labels: list[QLabel] = []
        for check in self.checks:
            mark = "✔" if check.status is ReceiptStatus.MATCHES else "✖"
            label = QLabel(
                f"{mark} <b>{check.role.value.replace('_', ' ').lower()} "
                f"{html.escape(check.signer_name)}</b>: {html.escape(check.message)}<br>"
                f"<code>{check.server_receipt or '(hidden)'}</code>",
                self,
            )
            label.setWordWrap(True)
            label.setTextInteractionFlags(label.textInteractionFlags().TextSelectableByMouse)
            self.labels.append(label)
            row = QHBoxLayout()
            row.addWidget(label, 1)
            if check.server_receipt:
                copy = QPushButton("Copy", self)
                copy.clicked.connect(
                    lambda _c=False, r=check.server_receipt: QGuiApplication.clipboard().setText(r)
                )
                row.addWidget(copy)
            layout.addLayout(row)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        layout.addWidget(close)


def install_outputs(
    window: QMainWindow, bridge: CoreBridge, current_category: CurrentCategory
) -> OutputsMenu:
    """Add the Outputs menu to ``window`` (before its Help menu)."""
    return OutputsMenu(window, bridge, current_category)
