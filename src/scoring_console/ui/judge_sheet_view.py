"""One category's scoring sheet for a judge: the table, progress and "Certify my scores".

The sheet shows only the judge's own scores. Typed values go to the core's durable
outbox (``submit_score``); each cell then follows its entry from "saved locally" to
"synced" or "rejected". Certification is offered only when every cell is filled and
nothing for the category still waits in the outbox; the server's receipt hash is
shown once it is signed, and the sheet is then read-only (the server refuses writes
to a signed sheet), as it is when the contest is locked. Shift+Enter (or "Comment…"
in the cell's context menu) adds a comment to a score; it is sent with the score.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.errors import PendingEntriesError
from scoring_console.protocol.entities import Certification, Contest, Score
from scoring_console.protocol.roles import Role
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry

from .icons import icon
from .judge_sheet_comments import SheetComments
from .judge_sheet_model import COL_NAME, COL_NUMBER, FIRST_CRITERION_COL, JudgeSheetModel
from .plausibility import PlausibilityRule, format_score
from .removal_request import RemovalRequestAction
from .score_delegate import Confirm, ScoreDelegate
from .score_table import ScoreTable
from .sync_state import ICON_NAMES, CellSync
from .tasks import TaskSet

if TYPE_CHECKING:
    from .bridge import CoreBridge

log = logging.getLogger(__name__)


def _legend_item(icon_name: str, text: str, parent: QWidget) -> QWidget:
    box = QWidget(parent)
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(4)
    picture = QLabel(box)
    size = box.fontMetrics().height()
    picture.setPixmap(icon(icon_name).pixmap(size, size))
    label = QLabel(text, box)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    row.addWidget(picture)
    row.addWidget(label)
    return box


class JudgeSheetView(QWidget):
    """The sheet of one category for the logged-in judge.

    Signals:
        progress_changed(int, int): cells filled, cells on the sheet.
    """

    progress_changed = Signal(int, int)

    def __init__(
        self,
        bridge: CoreBridge,
        category_id: int,
        confirm: Confirm | None = None,
        parent: QWidget | None = None,
        rule: PlausibilityRule | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.core = bridge.core
        self.category_id = category_id
        self.tasks = TaskSet()
        state = self.core.state
        category = state.categories[category_id]
        user = state.user
        self.judge_id = user.id if user is not None else 0
        self.model = JudgeSheetModel(
            category, state.contestants_in(category_id), self.judge_id, parent=self
        )
        self.model.score_entered.connect(self.on_score_entered)

        self.title = QLabel(f"<h2>{html.escape(category.name)}</h2>", self)
        contest = state.contests.get(category.contest_id)
        self.subtitle = QLabel(contest.name if contest else "", self)
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)  # names are text, not markup
        self.lock_label = QLabel(self)
        self.lock_label.setWordWrap(True)
        self.lock_label.setVisible(False)

        self.table = ScoreTable(self)
        self.table.setModel(self.model)
        self.delegate = ScoreDelegate(self.table, confirm, rule)
        self.delegate.panel_scores = self.panel_scores
        for column in range(FIRST_CRITERION_COL, self.model.total_col):
            self.table.setItemDelegateForColumn(column, self.delegate)
        self.delegate.input_refused.connect(self.on_input_refused)
        self.delegate.input_confirmed.connect(self.on_input_confirmed)
        self.delegate.input_accepted.connect(self.on_input_accepted)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(48)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # the criteria share
        for column in (COL_NUMBER, COL_NAME, self.model.total_col):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        dismiss = QAction("Dismiss the rejected entry", self.table)
        dismiss.setShortcut(QKeySequence(Qt.Key.Key_Delete))
        dismiss.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        dismiss.triggered.connect(self.on_dismiss_triggered)
        self.table.addAction(dismiss)
        self.comments = SheetComments(self.table, self.model, self.delegate, self.show_message)
        self.removal = RemovalRequestAction(
            self.table, self.model, self.core, category_id, self.show_message
        )
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.change_reason: Callable[[], str | None] = lambda: None
        """The reason sent with a change (set by ui.reopen once a signed sheet is reopened)."""
        self.table.setToolTip(
            "Type a score; Enter or Tab moves to the next cell; Shift+Enter adds a comment"
        )

        self.message_label = QLabel(self)
        self.message_label.setObjectName("sheetMessage")
        self.message_label.setWordWrap(True)
        self._message_is_error = False
        self.progress_label = QLabel(self)
        self.certify_button = QPushButton("Certify my scores", self)
        self.certify_button.setToolTip(
            "Sign your scores for this category. Possible when every cell is filled "
            "and everything has reached the server."
        )
        self.certify_button.clicked.connect(self.on_certify_clicked)
        self.receipt_label = QLabel(self)
        self.receipt_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.receipt_label.setWordWrap(True)

        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        head.addWidget(self.certify_button, 0, Qt.AlignmentFlag.AlignBottom)

        foot = QHBoxLayout()
        foot.addWidget(self.progress_label, 1)
        foot.addWidget(self.message_label, 2)
        legend = QHBoxLayout()
        legend.setSpacing(16)
        for sync, text in (
            (CellSync.SYNCED, "synced"),
            (CellSync.SAVED_LOCALLY, "saved locally"),
            (CellSync.REJECTED, "refused (Delete dismisses)"),
        ):
            legend.addWidget(_legend_item(ICON_NAMES[sync], text, self))
        legend.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(head)
        layout.addWidget(self.lock_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(foot)
        layout.addLayout(legend)
        layout.addWidget(self.receipt_label)

        for score in state.scores_in(category_id):
            self.model.apply_score(score)
        for entry in self.core.outbox_entries():
            self.model.apply_entry(entry)
        self._signed_receipt: str | None = None
        self._signing = False
        self._contest_locked = False
        self._apply_certification(state.certifications.get(category_id))
        self._apply_contest(contest)

        bridge.score_changed.connect(self.on_score_changed)
        bridge.score_deleted.connect(self.on_score_deleted)
        bridge.outbox_changed.connect(self.on_outbox_changed)
        bridge.outbox_removed.connect(self.model.forget_entry)
        bridge.certification_changed.connect(self.on_certification_changed)
        bridge.contest_changed.connect(self.on_contest_changed)
        bridge.snapshot_loaded.connect(self.on_snapshot_loaded)
        # a bound slot, not a lambda: a sheet rebuilt after a set-up change is deleted,
        # and Qt drops a deleted receiver's connections only for its own methods
        bridge.pending_count_changed.connect(self.on_pending_count_changed)
        self._update_progress()
        first = self.model.index(0, FIRST_CRITERION_COL)
        if first.isValid():
            self.table.setCurrentIndex(first)

    # -- slots ------------------------------------------------------------------------

    def on_score_entered(self, contestant_id: int, criterion_id: int, value: float) -> None:
        """The judge committed a value: write it to the outbox.

        A durable task: shutdown waits for it (an editor committed by closing the
        window must still reach the outbox).
        The cell's comment goes with the value (the server replaces both at once).
        """
        comment = self.model.cell(contestant_id, criterion_id).comment
        self.tasks.spawn(
            self._submit(contestant_id, criterion_id, value, comment),
            "submit_score",
            durable=True,
        )

    async def _submit(
        self, contestant_id: int, criterion_id: int, value: float, comment: str | None
    ) -> None:
        try:
            reason = self.change_reason()  # only a reopened sheet needs one
            extra = {} if reason is None else {"reason": reason}
            entry = await self.core.submit_score(
                self.category_id, contestant_id, criterion_id, value, comment=comment, **extra
            )
        except Exception as exc:  # the outbox could not store it: say so, loudly
            log.exception("submit_score failed")
            self.show_message(f"Could not save {format_score(value)}: {exc}", error=True)
            self.model.revert_cell(contestant_id, criterion_id)
            return
        self.model.apply_entry(entry)
        self._update_progress()

    def on_score_changed(self, score: Score) -> None:
        """A score arrived (own scores only are used)."""
        if score.category_id == self.category_id and score.judge_id == self.judge_id:
            self.model.apply_score(score)
            self._update_progress()

    def on_score_deleted(self, score_id: int) -> None:
        """A score was removed on the server: rebuild affected cells from the state."""
        del score_id
        self._reload_scores()

    def on_snapshot_loaded(self) -> None:
        """A fresh snapshot: reconcile every own score."""
        self._reload_scores()
        state = self.core.state
        self._apply_certification(state.certifications.get(self.category_id))
        category = state.categories.get(self.category_id)
        if category is not None:
            self.model.add_contestants(state.contestants_in(self.category_id))
            self._apply_contest(state.contests.get(category.contest_id))

    def _reload_scores(self) -> None:
        state = self.core.state
        known = {
            (s.contestant_id, s.criterion_id)
            for s in state.scores_in(self.category_id)
            if s.judge_id == self.judge_id
        }
        for score in state.scores_in(self.category_id):
            if score.judge_id == self.judge_id:
                self.model.apply_score(score)
        for contestant in state.contestants_in(self.category_id):
            category = state.categories.get(self.category_id)
            for criterion in category.criteria if category else []:
                if (contestant.id, criterion.id) not in known:
                    self.model.remove_score(contestant.id, criterion.id)
        self._update_progress()

    def on_outbox_changed(self, entry: OutboxEntry) -> None:
        """An outbox entry changed state (saved → synced / rejected)."""
        if entry.category_id != self.category_id:
            return
        if entry.kind is EntryKind.SCORE:
            self.model.apply_entry(entry)
            if entry.state is EntryState.REJECTED:
                self.show_message(
                    f"The server refused a score: {entry.error_message or entry.error_code}",
                    error=True,
                )
        elif entry.kind is EntryKind.SIGNOFF:
            self._apply_signoff_entry(entry)
        self._update_progress()

    def on_certification_changed(self, certification: Certification) -> None:
        """The category's sign-off chain changed."""
        if certification.category_id == self.category_id:
            self._apply_certification(certification)

    def on_contest_changed(self, contest: Contest) -> None:
        """A contest changed; lock the sheet when ours is locked."""
        category = self.core.state.categories.get(self.category_id)
        if category is not None and contest.id == category.contest_id:
            self._apply_contest(contest)

    def on_dismiss_triggered(self) -> None:
        """Delete on a rejected cell: drop the refused entry, show the server's value."""
        index = self.table.currentIndex()
        entry_id = self.model.rejected_entry_at(index.row(), index.column())
        if entry_id is not None:
            self.core.dismiss(entry_id)
            self.model.forget_entry(entry_id)
            self._update_progress()

    def on_input_refused(self, message: str) -> None:
        """The delegate refused a typed value."""
        self.show_message(message, error=True)

    def on_input_confirmed(self, message: str) -> None:
        """An unusual value was saved after confirmation."""
        self.show_message("Saved after confirmation: " + message)

    def on_input_accepted(self) -> None:
        """A typed value passed the checks: an earlier refusal no longer applies."""
        if self._message_is_error:
            self.show_message("")

    def set_rule(self, rule: PlausibilityRule) -> None:
        """Use ``rule`` to decide which values need a confirmation."""
        self.delegate.rule = rule

    def panel_scores(self, contestant_id: int, criterion_id: int) -> list[float]:
        """Other judges' values for one cell that this user may see (usually none)."""
        return [
            s.score
            for s in self.core.state.scores_in(self.category_id)
            if s.judge_id != self.judge_id
            and s.contestant_id == contestant_id
            and s.criterion_id == criterion_id
            and s.score is not None
        ]

    def on_certify_clicked(self) -> None:
        """Sign the judge's scores of this category."""
        self._signing = True
        self.certify_button.setEnabled(False)
        self.show_message("Signing…")
        self.tasks.spawn(self._sign(), "sign_certification", durable=True)

    async def _sign(self) -> None:
        try:
            entry = await self.core.sign_certification(self.category_id)
        except PendingEntriesError as exc:
            self._signing = False
            self.show_message(f"Not yet: {exc}. Wait until everything is synced.", error=True)
            self._update_progress()
            return
        except Exception as exc:
            self._signing = False
            log.exception("sign_certification failed")
            self.show_message(f"Could not sign: {exc}", error=True)
            self._update_progress()
            return
        self._apply_signoff_entry(entry)

    # -- helpers ----------------------------------------------------------------------

    def _apply_signoff_entry(self, entry: OutboxEntry) -> None:
        if entry.kind is not EntryKind.SIGNOFF or entry.category_id != self.category_id:
            return
        if entry.state is EntryState.SYNCED:
            self._signing = False
            receipt = (entry.result or {}).get("receipt")
            if isinstance(receipt, str):
                self._show_receipt(receipt)
            self.show_message("Your scores are certified.")
        elif entry.state is EntryState.REJECTED:
            self._signing = False
            self.show_message(
                f"Certification refused: {entry.error_message or entry.error_code}", error=True
            )
        else:
            self.show_message("Signature saved locally; it is sent when the server is reachable.")
        self._update_progress()

    def _apply_certification(self, certification: Certification | None) -> None:
        if certification is None:
            return
        for signoff in certification.signoffs:
            if signoff.role is Role.JUDGE and signoff.user_id == self.judge_id:
                self._signing = False
                self._show_receipt(signoff.receipt or "")  # own receipts are never hidden
        self._update_progress()

    def _show_receipt(self, receipt: str) -> None:
        self._signed_receipt = receipt
        self.receipt_label.setText(
            f"Certified. Receipt (SHA-256 of the signed scores): <code>{receipt}</code>"
        )
        self.receipt_label.setObjectName("receiptLabel")
        self._apply_lock()  # the server refuses writes to a signed sheet

    def _apply_contest(self, contest: Contest | None) -> None:
        self._contest_locked = bool(contest and contest.locked)
        self._apply_lock()
        self._update_progress()

    def _apply_lock(self) -> None:
        """Read-only cells and a notice when the contest is locked or the judge signed."""
        signed = self._signed_receipt is not None
        locked = self._contest_locked or signed
        self.model.locked = locked
        self.lock_label.setVisible(locked)
        if self._contest_locked:
            self.lock_label.setText(
                "<b>This contest is locked.</b> Scores can no longer be entered or changed."
            )
        elif signed:
            self.lock_label.setText(
                "<b>You have certified this sheet.</b> Your signed scores can no longer be changed."
            )

    @property
    def receipt(self) -> str | None:
        """The receipt of the judge's signature, once signed."""
        return self._signed_receipt

    def show_message(self, text: str, error: bool = False) -> None:
        """A one-line note under the sheet (refusals, confirmations)."""
        escaped = html.escape(text)
        self._message_is_error = error and bool(text)
        self.message_label.setText(f"<b>{escaped}</b>" if error else escaped)

    def on_pending_count_changed(self, _count: int) -> None:
        """Entries were sent or queued: the progress line counts them."""
        self._update_progress()

    def _update_progress(self) -> None:
        filled, total = self.model.filled_count(), self.model.cell_count()
        pending = self.core.pending_count(self.category_id)
        text = f"{filled} of {total} scored"
        if pending:
            text += f" · {pending} waiting to sync"
        self.progress_label.setText(text)
        self.progress_changed.emit(filled, total)
        signed = self._signed_receipt is not None
        # the one readiness rule (the certification panel's "Sign my step" follows it too)
        why_not = self.core.sheet_not_ready(self.category_id)
        self.certify_button.setEnabled(why_not is None and not signed and not self._signing)
        if signed:
            self.certify_button.setText("Certified")
        else:
            self.certify_button.setToolTip(why_not or "Sign your scores for this category.")
