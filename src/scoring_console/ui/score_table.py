"""The judge sheet's table view: keyboard-first, moving only between score cells."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


class ScoreTable(QTableView):
    """A table where Tab, Enter and typing walk through the editable cells only.

    Typing a digit on a cell opens its editor with that digit; Enter or Tab saves and
    moves to the next score cell in reading order (across the criteria, then down to
    the next contestant); Shift+Tab moves back.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setTabKeyNavigation(True)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(30)
        self.horizontalHeader().setHighlightSections(False)
        self.horizontalHeader().setStretchLastSection(False)

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        step = {
            QAbstractItemView.CursorAction.MoveNext: 1,
            QAbstractItemView.CursorAction.MovePrevious: -1,
        }.get(cursorAction)
        model = self.model()
        if step is None or model is None:
            return super().moveCursor(cursorAction, modifiers)
        current = self.currentIndex()
        rows, cols = model.rowCount(), model.columnCount()
        if rows == 0 or cols == 0:
            return QModelIndex()
        position = current.row() * cols + current.column() if current.isValid() else -step
        for _ in range(rows * cols):
            position = (position + step) % (rows * cols)
            candidate = model.index(position // cols, position % cols)
            if candidate.flags() & Qt.ItemFlag.ItemIsEditable:
                return candidate
        return current

    def keyPressEvent(self, event: QKeyEvent) -> None:
        current = self.currentIndex()
        if (
            event.text().isdigit()
            and current.isValid()
            and not current.flags() & Qt.ItemFlag.ItemIsEditable
            and self.state() != QAbstractItemView.State.EditingState
        ):
            # typing on the name column: start in the row's first score cell
            model = current.model()
            for column in range(model.columnCount()):
                candidate = model.index(current.row(), column)
                if candidate.flags() & Qt.ItemFlag.ItemIsEditable:
                    self.setCurrentIndex(candidate)
                    break
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.state() != QAbstractItemView.State.EditingState
        ):
            index = self.currentIndex()
            if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEditable:
                self.edit(index)
                return
        super().keyPressEvent(event)
