"""The judge sheet's table view: keyboard-first, moving only between score cells."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

FRAME_WIDTH = 2
"""Width of the frame that marks the current cell, in pixels."""


class ScoreTable(QTableView):
    """A table where Tab, Enter and typing walk through the editable cells only.

    Typing on a cell opens its editor with that key; Enter or Tab saves and moves to
    the next score cell in reading order (across the criteria, then down to the next
    contestant); Shift+Tab moves back. The walk stops at the ends of the sheet: Enter
    on the last cell saves and closes the editor instead of wrapping to the first one.
    The current cell carries a frame whether or not the table has the focus, so the
    judge always sees where the next keystroke goes.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # No SelectedClicked: Qt opens that editor only after the double-click interval
        # and, meanwhile, refuses the editor a typed key would open — the key was lost
        # ("edit: editing failed"). Typing, a double click, F2 or Enter open the editor.
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
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
        palette = self.palette()  # the selected cell keeps its colour without the focus
        for role in (QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText):
            palette.setColor(
                QPalette.ColorGroup.Inactive, role, palette.color(QPalette.ColorGroup.Active, role)
            )
        self.setPalette(palette)

    def current_frame_color(self) -> QColor:
        """The colour of the frame around the current cell."""
        highlight = self.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
        return highlight.darker(170)

    def first_score_cell(self, row: int = 0) -> QModelIndex:
        """The first editable cell of ``row`` (invalid when there is none)."""
        model = self.model()
        if model is None:
            return QModelIndex()
        for column in range(model.columnCount()):
            candidate = model.index(row, column)
            if candidate.flags() & Qt.ItemFlag.ItemIsEditable:
                return candidate
        return QModelIndex()

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
        position = current.row() * cols + current.column() if current.isValid() else -step
        position += step
        while 0 <= position < rows * cols:  # no wrap: past either end there is no next cell
            candidate = model.index(position // cols, position % cols)
            if candidate.flags() & Qt.ItemFlag.ItemIsEditable:
                return candidate
            position += step
        return QModelIndex()

    def focusInEvent(self, event: QFocusEvent) -> None:
        if not self.currentIndex().isValid():
            first = self.first_score_cell()
            if first.isValid():
                self.setCurrentIndex(first)
        super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        current = self.currentIndex()
        text = event.text()
        if (
            text.strip()
            and text.isprintable()
            and current.isValid()
            and not current.flags() & Qt.ItemFlag.ItemIsEditable
            and self.state() != QAbstractItemView.State.EditingState
        ):
            # typing on the name column: start in the row's first score cell
            first = self.first_score_cell(current.row())
            if first.isValid():
                self.setCurrentIndex(first)
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.state() != QAbstractItemView.State.EditingState
        ):
            index = self.currentIndex()
            if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEditable:
                self.edit(index)
                return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        index = self.currentIndex()
        if not index.isValid():
            return
        rect = self.visualRect(index)
        if rect.isEmpty() or not rect.intersects(event.rect()):
            return
        painter = QPainter(self.viewport())
        pen = QPen(self.current_frame_color(), FRAME_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        half = FRAME_WIDTH // 2
        painter.drawRect(rect.adjusted(half, half, -half - 1, -half - 1))
        painter.end()
