"""Dialogs of the requests panel: decide a request (with a note), request a deduction.

Both validate as the user types: problems are listed in words under the fields and
the OK button stays disabled until there are none, so the server's
``validation_error`` is the exception, not the way the user learns the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scoring_console.protocol.entities import Category, Contestant

MAX_NOTE = 500
MAX_REASON = 500
MAX_AMOUNT = 10_000.0


@dataclass(frozen=True)
class DeductionDraft:
    """What the user asked for in :class:`RequestDeductionDialog`."""

    category_id: int
    contestant_id: int
    amount: float
    reason: str


class DecisionDialog(QDialog):
    """Approve or reject one request, with an optional note for the record."""

    def __init__(
        self, title: str, summary: str, approve: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.approve = approve
        summary_label = QLabel(summary)
        summary_label.setWordWrap(True)
        summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(
            "Optional note for the record" if approve else "Why it is rejected (optional)"
        )
        self.note_edit.setAccessibleName("Decision note")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.textChanged.connect(self._validate)
        self.problem_label = QLabel()
        self.problem_label.setStyleSheet("color: #c0392b;")
        self.problem_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button: QPushButton = self.buttons.addButton(
            "&Approve" if approve else "&Reject", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary_label)
        layout.addWidget(QLabel("Note:"))
        layout.addWidget(self.note_edit)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self._validate()

    def note(self) -> str | None:
        """The note, stripped; ``None`` when empty."""
        text = self.note_edit.toPlainText().strip()
        return text or None

    def problems(self) -> list[str]:
        """What keeps the dialog from being accepted, in words."""
        length = len(self.note_edit.toPlainText().strip())
        if length > MAX_NOTE:
            return [f"The note has {length} characters; at most {MAX_NOTE} are allowed."]
        return []

    @Slot()
    def _validate(self) -> None:
        problems = self.problems()
        self.problem_label.setText("\n".join(problems))
        self.problem_label.setVisible(bool(problems))
        self.ok_button.setEnabled(not problems)


class RequestDeductionDialog(QDialog):
    """Propose a deduction: category, contestant, amount and a reason."""

    def __init__(
        self,
        categories: Sequence[Category],
        contestants: Mapping[int, Sequence[Contestant]],
        category_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Request a deduction")
        self._contestants = contestants
        self.category_combo = QComboBox()
        for category in categories:
            self.category_combo.addItem(category.name, category.id)
        self.contestant_combo = QComboBox()
        self.amount_spin = QDoubleSpinBox()
        self.amount_spin.setRange(0.0, MAX_AMOUNT)
        self.amount_spin.setDecimals(2)
        self.amount_spin.setSingleStep(0.5)
        self.amount_spin.setSuffix(" points")
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText("What happened, for the record")
        self.reason_edit.setTabChangesFocus(True)
        self.problem_label = QLabel()
        self.problem_label.setStyleSheet("color: #c0392b;")
        self.problem_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button: QPushButton = self.buttons.addButton(
            "&Request", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Category:", self.category_combo)
        form.addRow("C&ontestant:", self.contestant_combo)
        form.addRow("&Amount:", self.amount_spin)
        form.addRow("R&eason:", self.reason_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

        self.category_combo.currentIndexChanged.connect(self._fill_contestants)
        self.contestant_combo.currentIndexChanged.connect(self._validate)
        self.amount_spin.valueChanged.connect(self._validate)
        self.reason_edit.textChanged.connect(self._validate)
        if category_id is not None and self.category_combo.findData(category_id) >= 0:
            self.category_combo.setCurrentIndex(self.category_combo.findData(category_id))
        self._fill_contestants()

    def problems(self) -> list[str]:
        """What keeps the request from being sent, in words."""
        problems: list[str] = []
        if self.category_combo.currentData() is None:
            problems.append("There is no category you can request a deduction in.")
        elif self.contestant_combo.currentData() is None:
            problems.append("Choose the contestant the deduction is for.")
        amount = self.amount_spin.value()
        if amount <= 0:
            problems.append("Enter an amount greater than 0 points.")
        reason = self.reason_edit.toPlainText().strip()
        if not reason:
            problems.append("Give a reason: what happened, for the record.")
        elif len(reason) > MAX_REASON:
            problems.append(
                f"The reason has {len(reason)} characters; at most {MAX_REASON} are allowed."
            )
        return problems

    def draft(self) -> DeductionDraft:
        """The request as entered (call after the dialog was accepted)."""
        return DeductionDraft(
            category_id=int(self.category_combo.currentData()),
            contestant_id=int(self.contestant_combo.currentData()),
            amount=round(self.amount_spin.value(), 2),
            reason=self.reason_edit.toPlainText().strip(),
        )

    def accept(self) -> None:
        if self.problems():  # e.g. Enter pressed while invalid: stay open, say why
            self._validate()
            return
        super().accept()

    @Slot()
    def _fill_contestants(self) -> None:
        self.contestant_combo.clear()
        data = self.category_combo.currentData()
        for contestant in self._contestants.get(int(data), []) if data is not None else []:
            self.contestant_combo.addItem(f"{contestant.number} · {contestant.name}", contestant.id)
        self._validate()

    @Slot()
    def _validate(self) -> None:
        problems = self.problems()
        self.problem_label.setText("\n".join(f"• {p}" for p in problems))
        self.problem_label.setVisible(bool(problems))
        self.ok_button.setEnabled(not problems)
