"""The score cell editor: any text typed is kept, checked on commit, explained when refused.

Enter and Tab commit and move on to the next score cell (the table's ``moveCursor``
decides which). The editor accepts every keystroke — a validator that silently drops
keys turned "-3" into "3" — and the text is checked when the judge commits it
(:func:`~.plausibility.read_score`): a refused value stays in the editor, selected,
with a message that says what to type instead. A value that is allowed but unusual for
this judge (:class:`~.plausibility.PlausibilityRule`) is saved only after the judge
confirms it. A value refused while the editor closes anyway (the judge clicked
elsewhere, switched category, closed the window) is reported with the text and the
cell, so nothing typed disappears without a word. Shift+Enter saves the value and
asks for a comment on it; a cell with a comment carries a mark in its corner.
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
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QPainter, QPalette, QPolygon
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QLineEdit,
    QMessageBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from .judge_sheet_model import COMMENT_ROLE, MAX_SCORE_ROLE, JudgeSheetModel
from .plausibility import EntryError, PlausibilityRule, parse_score, read_score

Confirm = Callable[[QWidget, str], bool]
PanelScores = Callable[[int, int], list[float]]
"""Other judges' visible values for (contestant id, criterion id)."""

MAX_TEXT = 24
"""Characters the editor takes (far more than any score; a stuck key stays visible)."""


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
        input_accepted(): a typed value passed every check (saved, or unchanged).
        comment_requested(QModelIndex): Shift+Enter in the editor — the value is
            committed, and the judge wants to comment on it.
    """

    input_refused = Signal(str)
    input_confirmed = Signal(str)
    input_accepted = Signal()
    comment_requested = Signal(QModelIndex)

    def __init__(
        self,
        parent: QObject | None = None,
        confirm: Confirm | None = None,
        rule: PlausibilityRule | None = None,
    ) -> None:
        super().__init__(parent)
        self.confirm: Confirm = confirm or ask_to_confirm
        self.rule = rule or PlausibilityRule()
        self.panel_scores: PanelScores | None = None
        self._confirmed: tuple[QPersistentModelIndex, float] | None = None
        self._editing: dict[QWidget, QPersistentModelIndex] = {}

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = QLineEdit(parent)
        editor.setMaxLength(MAX_TEXT)
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
        value = self._checked_value(editor, index, text, closing=True)
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
                    return True  # refused: stay in the cell, the text kept for correcting
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    shift = cast(QKeyEvent, event).modifiers() & Qt.KeyboardModifier.ShiftModifier
                    self.commitData.emit(watched)
                    if shift and index is not None:  # stay on the cell and comment on it
                        self.closeEditor.emit(watched, QAbstractItemDelegate.EndEditHint.NoHint)
                        self.comment_requested.emit(index.sibling(index.row(), index.column()))
                    else:
                        self.closeEditor.emit(
                            watched, QAbstractItemDelegate.EndEditHint.EditNextItem
                        )
                    return True
        return super().eventFilter(watched, event)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        if not index.data(COMMENT_ROLE):
            return
        rect = option.rect
        size = max(6, rect.height() // 4)
        corner = rect.topRight()
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(option.palette.color(QPalette.ColorRole.Link))
        painter.drawPolygon(QPolygon([corner, corner - QPoint(size, 0), corner + QPoint(0, size)]))
        painter.restore()

    def _checked_value(
        self,
        editor: QWidget,
        index: QModelIndex | QPersistentModelIndex,
        text: str,
        closing: bool = False,
    ) -> float | None:
        """The value to save, or ``None`` (refused, declined, or left empty)."""
        max_score = index.data(MAX_SCORE_ROLE)
        if not isinstance(max_score, float | int):
            return None
        try:
            value = read_score(text, float(max_score), self._criterion_name(index))
        except EntryError as exc:
            self._refuse(editor, index, text, str(exc), closing)
            return None
        if value is None:
            return None
        persistent = QPersistentModelIndex(index)
        if self._confirmed != (persistent, value):
            warning = self._warning(index, value, float(max_score))
            if warning is not None:
                if not self.confirm(editor, warning):
                    self._refuse(editor, index, text, "Not saved. " + warning, closing)
                    return None
                self._confirmed = (persistent, value)
                self.input_confirmed.emit(warning)
        self.input_accepted.emit()
        return value

    def _refuse(
        self,
        editor: QWidget,
        index: QModelIndex | QPersistentModelIndex,
        text: str,
        message: str,
        closing: bool,
    ) -> None:
        """Say why ``text`` was not saved: at the cell, and in the sheet's message line."""
        if closing:  # the editor goes away: name what was typed and where
            message = f"“{text.strip()}” for {self._cell_name(index)} was not saved: {message}"
        editor.setToolTip(message)
        if editor.isVisible():
            QToolTip.showText(editor.mapToGlobal(QPoint(0, editor.height())), message, editor)
        self.input_refused.emit(message)

    @staticmethod
    def _criterion_name(index: QModelIndex | QPersistentModelIndex) -> str:
        model = index.model()
        if isinstance(model, JudgeSheetModel):
            criterion = model.criterion_at(index.column())
            if criterion is not None:
                return criterion.name
        return "this criterion"

    @staticmethod
    def _cell_name(index: QModelIndex | QPersistentModelIndex) -> str:
        model = index.model()
        if isinstance(model, JudgeSheetModel):
            contestant = model.contestant_at(index.row())
            criterion = model.criterion_at(index.column())
            if contestant is not None and criterion is not None:
                return f"{contestant.name}, {criterion.name}"
        return "this cell"

    def _warning(
        self, index: QModelIndex | QPersistentModelIndex, value: float, max_score: float
    ) -> str | None:
        model = index.model()
        if not isinstance(model, JudgeSheetModel):
            return None
        current = index.data(Qt.ItemDataRole.EditRole)
        if current and parse_score(str(current)) == value:
            return None  # re-entering what is already there
        criterion = model.criterion_at(index.column())
        contestant = model.contestant_at(index.row())
        if criterion is None or contestant is None:
            return None
        own = model.own_scores(criterion.id, contestant.id)
        panel = self.panel_scores(contestant.id, criterion.id) if self.panel_scores else []
        return self.rule.warning(value, max_score, own, panel)
