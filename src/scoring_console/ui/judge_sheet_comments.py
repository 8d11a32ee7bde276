"""Comments on the judge's scores: the "Comment…" action, Shift+Enter, and the dialog.

Shift+Enter in a cell's editor saves the value and asks for its comment; Shift+Enter
on a scored cell (or "Comment…" in its context menu) edits the comment. The comment
is saved through the model, which sends it to the outbox with the cell's score.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTableView

from .comment_dialog import CommentDialog
from .judge_sheet_model import JudgeSheetModel
from .score_delegate import ScoreDelegate

ShowMessage = Callable[[str, bool], None]


class SheetComments(QObject):
    """The comment feature of one judge sheet."""

    def __init__(
        self,
        table: QTableView,
        model: JudgeSheetModel,
        delegate: ScoreDelegate,
        show_message: ShowMessage,
    ) -> None:
        super().__init__(table)
        self.table = table
        self.model = model
        self._show_message = show_message
        self.dialog: CommentDialog | None = None
        self.action = QAction("Comment…", table)
        self.action.setShortcuts([QKeySequence("Shift+Return"), QKeySequence("Shift+Enter")])
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.action.setToolTip("Add or change your comment on this score")
        self.action.triggered.connect(self.on_action_triggered)
        table.addAction(self.action)
        delegate.comment_requested.connect(self.on_delegate_comment_requested)

    def on_action_triggered(self) -> None:
        """Shift+Enter on the table (or "Comment…"): comment on the current cell."""
        self.edit(self.table.currentIndex())

    def on_delegate_comment_requested(self, index: QModelIndex) -> None:
        """Shift+Enter in the editor: the value is saved; now its comment."""
        self.edit(index)

    def edit(self, index: QModelIndex) -> CommentDialog | None:
        """Open the comment dialog for a scored cell (or say why it cannot be)."""
        contestant = self.model.contestant_at(index.row())
        criterion = self.model.criterion_at(index.column())
        if contestant is None or criterion is None:
            self._show_message("Pick a score cell to comment on.", True)
            return None
        if self.model.locked:
            self._show_message("This sheet is locked: comments can no longer change.", True)
            return None
        cell = self.model.cell(contestant.id, criterion.id)
        if cell.value is None:
            self._show_message(
                f"Type the score for {contestant.name}, {criterion.name} first; "
                "then Shift+Enter adds a comment.",
                True,
            )
            return None
        dialog = CommentDialog(f"{contestant.name}, {criterion.name}", cell.comment, self.table)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save(contestant.id, criterion.id, dialog.comment()))
        dialog.finished.connect(lambda _result: self._forget(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _forget(self, dialog: CommentDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _save(self, contestant_id: int, criterion_id: int, comment: str | None) -> None:
        if self.model.set_comment(contestant_id, criterion_id, comment):
            text = "Comment saved with the score." if comment else "Comment removed."
            self._show_message(text, False)
