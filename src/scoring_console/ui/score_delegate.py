"""The score cell editor: numbers only, range-checked, implausible values confirmed.

Enter and Tab commit and move on to the next score cell (the table's ``moveCursor``
decides which). A value outside ``0..maxScore`` is refused with a message and the
editor stays open; a value that is in range but odd (0, exactly the maximum, far from
the judge's own average) is saved only after the judge confirms it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QLineEdit,
    QMessageBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from .judge_sheet_model import MAX_SCORE_ROLE, JudgeSheetModel
from .plausibility import parse_score, plausibility_warning, range_error

Confirm = Callable[[QWidget, str], bool]

_NUMBER = QRegularExpression(r"^\d{0,5}([.,]\d{0,2})?$")


def ask_to_confirm(parent: QWidget, message: str) -> bool:
    """The default confirmation: a small question box, "Save" preselected."""
    answer = QMessageBox.question(
        parent,
        "Check this score",
        f"{message}\n\nSave it anyway?",
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Save,
    )
    return answer == QMessageBox.StandardButton.Save


class ScoreDelegate(QStyledItemDelegate):
    """Editor and commit rules for the judge sheet's score cells.

    Signals:
        input_refused(str): a typed value was refused; the message says why.
        input_confirmed(str): an unusual value was saved after confirmation.
    """

    input_refused = Signal(str)
    input_confirmed = Signal(str)

    def __init__(self, parent: QObject | None = None, confirm: Confirm | None = None) -> None:
        super().__init__(parent)
        self.confirm: Confirm = confirm or ask_to_confirm
        self._confirmed: tuple[QPersistentModelIndex, float] | None = None
        self._editing: dict[QWidget, QPersistentModelIndex] = {}

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = QLineEdit(parent)
        editor.setValidator(QRegularExpressionValidator(_NUMBER, editor))
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.setFrame(False)
        self._editing[editor] = QPersistentModelIndex(index)
        editor.destroyed.connect(lambda *_: self._editing.pop(editor, None))
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        line = cast(QLineEdit, editor)
        if not line.text():  # keep the key that opened the editor (AnyKeyPressed)
            line.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
            line.selectAll()

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        text = cast(QLineEdit, editor).text()
        value = self._checked_value(editor, index, text)
        if value is not None:
            model.setData(index, value, Qt.ItemDataRole.EditRole)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(watched, QLineEdit):
            key = cast(QKeyEvent, event).key()
            moves = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
            if key in moves:
                index = self._editing.get(watched)
                text = watched.text()
                if (
                    index is not None
                    and text.strip()
                    and self._checked_value(watched, index, text) is None
                ):
                    watched.selectAll()
                    return True  # refused: stay in the cell
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self.commitData.emit(watched)
                    self.closeEditor.emit(watched, QAbstractItemDelegate.EndEditHint.EditNextItem)
                    return True
        return super().eventFilter(watched, event)

    def _checked_value(
        self, editor: QWidget, index: QModelIndex | QPersistentModelIndex, text: str
    ) -> float | None:
        """The value to save, or ``None`` (refused, declined, or left empty)."""
        if not text.strip():
            return None
        value = parse_score(text)
        max_score = index.data(MAX_SCORE_ROLE)
        if value is None or not isinstance(max_score, float | int):
            self.input_refused.emit(f"“{text}” is not a score.")
            return None
        error = range_error(value, float(max_score))
        if error is not None:
            self.input_refused.emit(error)
            return None
        persistent = QPersistentModelIndex(index)
        if self._confirmed == (persistent, value):
            return value
        warning = self._warning(index, value, float(max_score))
        if warning is not None:
            if not self.confirm(editor, warning):
                self.input_refused.emit("Not saved. " + warning)
                return None
            self._confirmed = (persistent, value)
            self.input_confirmed.emit(warning)
        return value

    @staticmethod
    def _warning(
        index: QModelIndex | QPersistentModelIndex, value: float, max_score: float
    ) -> str | None:
        model = index.model()
        history: list[float] = []
        if isinstance(model, JudgeSheetModel):
            criterion = model.criterion_at(index.column())
            contestant = model.contestant_at(index.row())
            current = index.data(Qt.ItemDataRole.EditRole)
            if current and parse_score(str(current)) == value:
                return None  # re-entering what is already there
            if criterion is not None:
                history = model.own_scores(
                    criterion.id, contestant.id if contestant is not None else None
                )
        return plausibility_warning(value, max_score, history)
