"""Under the tally table: the selected contestant's breakdown, outlier flags, tie decisions.

Selecting a contestant row (or one judge's cell) in the tally shows each criterion's
score, weight and the judges' totals, dropped totals struck through. A flagged score
can be cleared with a note or sent back to its judge; a tie the rules leave to the
tally master (``manual``) can be ordered here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from scoring_console.protocol.catalog import may_call
from scoring_console.protocol.entities import PAST_JUDGES_STEP, Contestant, OutlierAction, Score
from scoring_console.protocol.events import ClientEvent
from scoring_console.protocol.roles import Role

from .notifications.aio import async_slot
from .notifications.failures import describe_failure
from .score_breakdown import FIRST_JUDGE, BreakdownModel
from .tie_decision_dialog import TieDecisionDialog, TieOrder

if TYPE_CHECKING:
    from .bridge import CoreBridge
    from .tally_table_model import TallyTableModel

AskNote = Callable[[QWidget, str], "str | None"]
"""Asks for a note (title given); ``None`` when cancelled."""
AskTieOrder = Callable[[QWidget, str, list[Contestant]], "TieOrder | None"]
"""Asks for the order of tied contestants; ``None`` when cancelled."""


def ask_note_dialog(parent: QWidget, title: str) -> str | None:
    """The default :data:`AskNote`."""
    text, ok = QInputDialog.getText(parent, title, "Note (kept with the flag's record):")
    return text.strip() if ok and text.strip() else None


def ask_tie_order_dialog(parent: QWidget, category: str, tied: list[Contestant]) -> TieOrder | None:
    """The default :data:`AskTieOrder`."""
    dialog = TieDecisionDialog(category, tied, parent)
    return dialog.order() if dialog.exec() == QDialog.DialogCode.Accepted else None


class TallyReviewPane(QWidget):
    """Breakdown of the selected contestant, flag actions and tie decisions.

    Signals:
        review_finished(bool): an outlier review or tie decision ended (True: accepted).
    """

    review_finished = Signal(bool)

    def __init__(
        self, bridge: CoreBridge, tally: TallyTableModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.tally = tally
        self.ask_note: AskNote = ask_note_dialog
        self.ask_tie_order: AskTieOrder = ask_tie_order_dialog
        self.model = BreakdownModel(bridge.core.state, tally.category_id, self)
        self.caption = QLabel(self)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setWordWrap(True)
        self.flags_label = QLabel(self)
        self.flags_label.setObjectName("outlierFlagsLabel")
        self.message = QLabel(self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.comment_label = QLabel(self)
        self.comment_label.setObjectName("judgeCommentLabel")
        self.comment_label.setTextFormat(Qt.TextFormat.PlainText)
        self.comment_label.setWordWrap(True)
        self.comment_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.comment_label.hide()
        self.table = QTableView(self)
        self.table.setObjectName("breakdownTable")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.clear_button = QPushButton("&Clear flag…", self)
        self.ask_button = QPushButton("Ask &judge to check…", self)
        self.tie_button = QPushButton("Decide &tie…", self)
        self.removal_button = QPushButton("Request &removal…", self)
        self.removal_button.setObjectName("requestRemovalButton")
        self.removal_button.setToolTip(
            "Ask for the selected judge's score to be removed, with a reason; it counts "
            "until another person approves the removal"
        )
        self.removal_button.clicked.connect(self.on_removal_clicked)
        self.clear_button.clicked.connect(self.on_clear_clicked)
        self.ask_button.clicked.connect(self.on_ask_clicked)
        self.tie_button.clicked.connect(self.on_tie_clicked)
        actions = QHBoxLayout()
        actions.addWidget(self.flags_label, 1)
        actions.addWidget(self.clear_button)
        actions.addWidget(self.ask_button)
        actions.addWidget(self.tie_button)
        actions.addWidget(self.removal_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Breakdown</b>", self))
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.comment_label)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._refresh_buttons())
        self.table.selectionModel().currentChanged.connect(self.on_current_changed)
        tally.flushed.connect(self.on_tally_flushed)
        self._focus_judge: int | None = None
        self.on_tally_flushed(0)

    # -- following the tally ------------------------------------------------------------

    def show_cell(self, index: QModelIndex) -> None:
        """Show the contestant of a tally cell; a judge cell selects that judge's column."""
        contestant = self.tally.contestant_at(index.row()) if index.isValid() else None
        self._focus_judge = self.tally.judge_at(index.column()) if index.isValid() else None
        self.model.show_contestant(contestant, self.tally.open_flags, self.tally.result)
        self._after_reset()

    @Slot(QModelIndex, QModelIndex)
    def on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """Show the judge's comment on the selected score (the ✎ in its cell)."""
        comment = self.model.comment_at(current) if current.isValid() else None
        cell = self.model.cell_at(current) if current.isValid() else None
        if comment is None or cell is None:
            self.comment_label.hide()
            self.comment_label.clear()
            return
        name = self.model.index(current.row(), 0).data()
        judge = self.model.judge_name(cell[1])
        self.comment_label.setText(f"{judge}'s comment on {name}: {comment}")
        self.comment_label.show()

    @Slot(int)
    def on_tally_flushed(self, _changed: int) -> None:
        """The tally changed: refresh the breakdown, the flag count and the tie button."""
        current = self.table.currentIndex()
        self.model.show_contestant(
            self.model.contestant_id, self.tally.open_flags, self.tally.result
        )
        self._after_reset(current.row(), current.column())

    def _after_reset(self, row: int = -1, column: int = -1) -> None:
        self.caption.setText(self.model.caption())
        if self._focus_judge is not None and row < 0:
            for col in range(FIRST_JUDGE, self.model.columnCount()):
                if self._judge_of(col) == self._focus_judge:
                    row, column = 0, col
        if row >= 0 and row < self.model.rowCount() and column < self.model.columnCount():
            self.table.setCurrentIndex(self.model.index(row, column))
        self.on_current_changed(self.table.currentIndex(), QModelIndex())
        count = len(self.tally.open_flags)
        self.flags_label.setText(
            f"<b>{count} outlier flag(s) open</b>: the tally cannot be signed until they are "
            "cleared"
            if count
            else "No outlier flags open."
        )
        self._refresh_buttons()

    def _judge_of(self, column: int) -> int | None:
        cell = self.model.cell_at(self.model.index(0, column))
        return cell[1] if cell else None

    def _selected_flag_cell(self) -> tuple[int, int, int] | None:
        index = self.table.currentIndex()
        cell = self.model.cell_at(index) if index.isValid() else None
        if cell is None or self.model.contestant_id is None:
            return None
        if not any(
            (f.contestant_id, f.criterion_id, f.judge_id)
            == (self.model.contestant_id, cell[0], cell[1])
            for f in self.tally.open_flags
        ):
            return None
        return (self.model.contestant_id, cell[0], cell[1])

    def _selected_score(self) -> Score | None:
        """The stored score in the selected breakdown cell, if any."""
        index = self.table.currentIndex()
        cell = self.model.cell_at(index) if index.isValid() else None
        if cell is None or self.model.contestant_id is None:
            return None
        score = self.bridge.core.state.score_for(
            self.tally.category_id, self.model.contestant_id, cell[0], cell[1]
        )
        return score if score is not None and score.score is not None else None

    def _refresh_buttons(self) -> None:
        """Enable what applies to the selection; show only what the user's role may do
        (re-read each time: the role can change after "Log in again…")."""
        user = self.bridge.core.state.user
        role = user.role if user is not None else None
        reviews = may_call(role, ClientEvent.OUTLIERS_REVIEW)
        self.clear_button.setVisible(reviews)
        self.ask_button.setVisible(reviews)
        self.removal_button.setVisible(may_call(role, ClientEvent.SCORE_REMOVAL_REQUESTED))
        self.removal_button.setEnabled(self._selected_score() is not None)
        flagged = self._selected_flag_cell() is not None
        self.clear_button.setEnabled(flagged)
        self.ask_button.setEnabled(flagged)
        result = self.tally.result
        self.tie_button.setVisible(
            bool(result and result.open_ties) and may_call(role, ClientEvent.TIES_DECIDE)
        )

    # -- actions ------------------------------------------------------------------------

    @Slot()
    def on_clear_clicked(self) -> None:
        """Clear the selected flag with a note."""
        self._review(OutlierAction.CLEAR, "Clear the outlier flag")

    @Slot()
    def on_ask_clicked(self) -> None:
        """Ask the judge to check the selected score."""
        self._review(OutlierAction.ASK_JUDGE, "Ask the judge to check this score")

    def _review(self, action: OutlierAction, title: str) -> None:
        cell = self._selected_flag_cell()
        if cell is None:
            return
        note = self.ask_note(self, title)
        if note:
            self._send_review(action, cell, note)

    @async_slot(object, object, str)
    async def _send_review(
        self, action: OutlierAction, cell: tuple[int, int, int], note: str
    ) -> None:
        try:
            await self.bridge.core.review_outlier(self.tally.category_id, cell, action, note)
        except Exception as exc:
            self.message.setText(describe_failure("Reviewing the flag", exc))
            self.review_finished.emit(False)
            return
        done = "Flag cleared." if action is OutlierAction.CLEAR else "The judge was asked."
        self.message.setText(done)
        self.tally.mark_all()
        self.review_finished.emit(True)

    @Slot()
    def on_removal_clicked(self) -> None:
        """Ask for the selected score's removal, with a reason."""
        score = self._selected_score()
        if score is None:
            self.message.setText("Select a judge's score in the breakdown first.")
            return
        state = self.bridge.core.state
        contestant = state.contestants.get(score.contestant_id)
        category = state.categories.get(score.category_id)
        criterion = next(
            (c.name for c in (category.criteria if category else []) if c.id == score.criterion_id),
            "this criterion",
        )
        judge = self.model.judge_name(score.judge_id)
        who = f"#{contestant.number} {contestant.name}" if contestant else "this contestant"
        what = f"{judge}'s {criterion} score for {who}"
        signed = self._signed_by(score.judge_id)
        if signed is not None:  # the server refuses it: say so before asking for a reason
            self.message.setText(
                f"{what[0].upper()}{what[1:]} cannot be removed: {signed}. To correct it, "
                f"{judge} asks to reopen the sheet (Outputs → Ask to reopen a signed sheet…) "
                "and you approve it (Outputs → Reopen requests…)."
            )
            return
        reason = self.ask_note(self, f"Request removal of {what}")
        if reason:
            self._send_removal(score.id, reason, what)

    def _signed_by(self, judge_id: int) -> str | None:
        """Why a score of ``judge_id`` is frozen by a signature, or ``None`` if it is not."""
        cert = self.bridge.core.state.certifications.get(self.tally.category_id)
        if cert is None:
            return None
        if cert.status in PAST_JUDGES_STEP:
            return "the tally master has signed this category"
        if any(s.role is Role.JUDGE and s.user_id == judge_id for s in cert.signoffs):
            return f"{self.model.judge_name(judge_id)} has signed this sheet"
        return None

    @async_slot(int, str, str)
    async def _send_removal(self, score_id: int, reason: str, what: str) -> None:
        try:
            await self.bridge.core.request_removal(score_id, reason)
        except Exception as exc:
            self.message.setText(describe_failure("Requesting the removal", exc))
            return
        self.message.setText(
            f"Removal of {what} requested; the score counts until the removal is approved."
        )

    @Slot()
    def on_tie_clicked(self) -> None:
        """Order the first open tie group."""
        result = self.tally.result
        state = self.bridge.core.state
        category = state.categories.get(self.tally.category_id)
        if not result or not result.open_ties or category is None:
            return
        tied = [state.contestants[c] for c in result.open_ties[0] if c in state.contestants]
        order = self.ask_tie_order(self, category.name, tied)
        if order is not None:
            self._send_tie(order)

    @async_slot(object)
    async def _send_tie(self, order: TieOrder) -> None:
        try:
            await self.bridge.core.decide_tie(
                self.tally.category_id, order.contestant_ids, order.reason
            )
        except Exception as exc:
            self.message.setText(describe_failure("Recording the tie order", exc))
            self.review_finished.emit(False)
            return
        self.message.setText("Tie order recorded.")
        self.tally.mark_all()
        self.review_finished.emit(True)
