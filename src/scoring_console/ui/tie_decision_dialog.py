"""The tally master orders contestants whose totals stay equal, with a reason.

The order is recorded (``ties:decide``), audited, and shown with the results; the
``manual`` tie-break uses it. The dialog refuses to finish without a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scoring_console.protocol.entities import Contestant


@dataclass(frozen=True)
class TieOrder:
    """What the tally master decided: contestant ids best first, and why."""

    contestant_ids: list[int]
    reason: str


class TieDecisionDialog(QDialog):
    """Move the tied contestants into order (best first) and give the reason."""

    def __init__(
        self, category_name: str, tied: list[Contestant], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Decide the tie in {category_name}")
        self._ids = [c.id for c in tied]
        self.list = QListWidget(self)
        self.list.setAccessibleName("Order, best first")
        for contestant in tied:
            self.list.addItem(f"#{contestant.number} {contestant.name}")
        self.list.setCurrentRow(0)
        self.up_button = QPushButton("Move &up", self)
        self.down_button = QPushButton("Move &down", self)
        self.up_button.clicked.connect(self.on_up_clicked)
        self.down_button.clicked.connect(self.on_down_clicked)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText("Why this order (shown with the results)")
        self.reason_edit.setAccessibleName("Reason")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Record order")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._validate)
        moves = QHBoxLayout()
        moves.addWidget(self.up_button)
        moves.addWidget(self.down_button)
        moves.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("These contestants have equal totals. Order them, best first:"))
        layout.addWidget(self.list)
        layout.addLayout(moves)
        layout.addWidget(QLabel("Reason:"))
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.buttons)
        self._validate()

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self._ids.insert(target, self._ids.pop(row))
        self.list.setCurrentRow(target)

    @Slot()
    def on_up_clicked(self) -> None:
        """Move the selected contestant one place up."""
        self._move(-1)

    @Slot()
    def on_down_clicked(self) -> None:
        """Move the selected contestant one place down."""
        self._move(1)

    def _validate(self) -> None:
        self.ok_button.setEnabled(bool(self.reason_edit.text().strip()))

    def order(self) -> TieOrder:
        """The order as it stands, best first, and the reason."""
        return TieOrder(list(self._ids), self.reason_edit.text().strip())
