"""A judge asks for one of their stored scores to be removed, with a reason.

One context-menu action ("Request removal of this score…") on the judge sheet. The
request goes through the outbox like every write (it reaches the server when the
connection allows) and an admin decides it in the requests panel.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QTableView, QWidget

from scoring_console.client.core import ClientCore

from .judge_sheet_model import JudgeSheetModel
from .notifications.failures import describe_failure
from .tasks import TaskSet

ShowMessage = Callable[[str, bool], None]
AskReason = Callable[[QWidget, str], str | None]


def ask_reason_dialog(parent: QWidget, what: str) -> str | None:
    """Ask for the reason; ``None`` when cancelled or left blank."""
    text, ok = QInputDialog.getText(parent, "Request removal", f"Why should {what} be removed?")
    return text.strip() if ok and text.strip() else None


class RemovalRequestAction(QObject):
    """The action on one judge sheet's table."""

    def __init__(
        self,
        table: QTableView,
        model: JudgeSheetModel,
        core: ClientCore,
        category_id: int,
        show_message: ShowMessage,
    ) -> None:
        super().__init__(table)
        self.table = table
        self.model = model
        self.core = core
        self.category_id = category_id
        self._show_message = show_message
        self.ask_reason: AskReason = ask_reason_dialog
        """Replaceable (tests): asks for the reason."""
        self.tasks = TaskSet()
        self.action = QAction("Request removal of this score…", table)
        self.action.setToolTip("Ask an administrator to remove this stored score")
        self.action.triggered.connect(self.on_action_triggered)
        table.addAction(self.action)

    @Slot()
    def on_action_triggered(self) -> None:
        """Request removal of the score in the current cell (it must be on the server)."""
        index = self.table.currentIndex()
        contestant = self.model.contestant_at(index.row()) if index.isValid() else None
        criterion = self.model.criterion_at(index.column()) if index.isValid() else None
        user = self.core.user or self.core.state.user
        if contestant is None or criterion is None or user is None:
            self._show_message("Select a score to ask for its removal.", True)
            return
        score = self.core.state.score_for(self.category_id, contestant.id, criterion.id, user.id)
        what = f"your {criterion.name} score for #{contestant.number} {contestant.name}"
        if score is None:
            self._show_message(f"There is no stored score to remove ({what}).", True)
            return
        reason = self.ask_reason(self.table, what)
        if reason is None:
            return
        self.tasks.spawn(self._request(score.id, reason, what), "request removal")

    async def _request(self, score_id: int, reason: str, what: str) -> None:
        try:
            await self.core.request_removal(score_id, reason)
        except Exception as exc:
            self._show_message(describe_failure("Requesting the removal", exc), True)
            return
        self._show_message(f"Removal of {what} requested; an administrator decides.", False)
