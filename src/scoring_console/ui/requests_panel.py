"""The requests panel: pending deductions and score removal requests, and their decisions.

Tally masters, auditors and admins approve or reject deductions; admins decide score
removals (an online call each, with an optional note). Judges, tally masters,
organizers and admins request a deduction through a validated dialog; the request
goes through the durable outbox, and the panel follows it to "sent" or to the
server's refusal. Both lists follow the state live.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.standings import PlacementPreview
from scoring_console.client.state import StateChange
from scoring_console.protocol.catalog import may_call
from scoring_console.protocol.entities import (
    Category,
    Contestant,
    Deduction,
    RemovalRequest,
    RequestStatus,
)
from scoring_console.protocol.events import ClientEvent
from scoring_console.protocol.roles import Role
from scoring_console.protocol.second_person import DEDUCTION_APPROVERS, may_decide_deduction
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry

from .bridge import CoreBridge
from .notifications.aio import async_slot
from .notifications.failures import describe_failure, describe_refusal
from .placement_preview import PlacementDecisionDialog, placement_preview
from .requests_dialogs import DecisionDialog, DeductionDraft, RequestDeductionDialog
from .requests_models import DeductionTableModel, RemovalTableModel, RequestTableModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DecisionQuestion:
    """What :attr:`RequestsPanel.ask_decision` is asked: which request, which answer."""

    kind: str  # "deduction" or "removal"
    request_id: int
    approve: bool
    summary: str
    preview: PlacementPreview | None = None
    """Rankings before/after approving (issue 9: placement-impact preview)."""


@dataclass(frozen=True)
class DecisionAnswer:
    """The user confirmed a decision, with an optional note."""

    note: str | None = None


AskDecision = Callable[[QWidget, DecisionQuestion], DecisionAnswer | None]
"""Returns the answer, or ``None`` when the user cancelled."""

AskDeduction = Callable[
    [QWidget, Sequence[Category], Mapping[int, Sequence[Contestant]], int | None],
    "DeductionDraft | None",
]
"""Returns the requested deduction, or ``None`` when cancelled."""


def ask_decision_dialog(parent: QWidget, question: DecisionQuestion) -> DecisionAnswer | None:
    """The default :data:`AskDecision`: a :class:`DecisionDialog`."""
    verb = "Approve" if question.approve else "Reject"
    what = "deduction" if question.kind == "deduction" else "score removal"
    if question.preview is not None:
        dialog: DecisionDialog = PlacementDecisionDialog(
            f"{verb} {what}", question.summary, question.preview, parent
        )
    else:
        dialog = DecisionDialog(f"{verb} {what}", question.summary, question.approve, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return DecisionAnswer(dialog.note())


def ask_deduction_dialog(
    parent: QWidget,
    categories: Sequence[Category],
    contestants: Mapping[int, Sequence[Contestant]],
    category_id: int | None,
) -> DeductionDraft | None:
    """The default :data:`AskDeduction`: a :class:`RequestDeductionDialog`."""
    dialog = RequestDeductionDialog(categories, contestants, category_id, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.draft()


class RequestsPanel(QWidget):
    """Deductions and removal requests, with approve / reject and "request deduction".

    Signals:
        pending_count_changed(int): pending requests listed here (for a tab badge).
        decision_finished(str, int, bool): a decision on ("deduction" | "removal", id)
            ended; True when the server accepted it.
        deduction_request_finished(int, bool): the outbox entry of a requested deduction
            reached the server (True) or was refused (False).
    """

    pending_count_changed = Signal(int)
    decision_finished = Signal(str, int, bool)
    deduction_request_finished = Signal(int, bool)

    def __init__(
        self,
        bridge: CoreBridge,
        parent: QWidget | None = None,
        ask_decision: AskDecision | None = None,
        ask_deduction: AskDeduction | None = None,
    ) -> None:
        super().__init__(parent)
        self._core = bridge.core
        self._state = bridge.core.state
        self.ask_decision: AskDecision = ask_decision or ask_decision_dialog
        self.ask_deduction: AskDeduction = ask_deduction or ask_deduction_dialog
        self.category_id: int | None = None
        """The category the "request deduction" dialog preselects (the main window's)."""
        self._busy = False
        self._my_requests: set[int] = set()  # outbox entry ids of deductions queued here
        self._pending = -1

        self.deductions_model = DeductionTableModel(self._state, parent=self)
        self.removals_model = RemovalTableModel(self._state, parent=self)
        self._build()
        bridge.state_changed.connect(self.on_state_changed)
        bridge.outbox_changed.connect(self.on_outbox_changed)
        self._refresh()

    # -- layout -------------------------------------------------------------------

    def _build(self) -> None:
        self.deductions_view = _table(self.deductions_model, "Deductions")
        self.removals_view = _table(self.removals_model, "Score removal requests")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.deductions_view, "Deductions")
        self.tabs.addTab(self.removals_view, "Score removals")
        self.tabs.currentChanged.connect(self._refresh)
        self.show_decided_box = QCheckBox("Show &decided")
        self.show_decided_box.toggled.connect(self.on_show_decided_toggled)
        self.approve_button = QPushButton("&Approve…")
        self.approve_button.clicked.connect(self.on_approve_clicked)
        self.reject_button = QPushButton("Re&ject…")
        self.reject_button.clicked.connect(self.on_reject_clicked)
        self.request_button = QPushButton("Request &deduction…")
        self.request_button.clicked.connect(self.on_request_deduction_clicked)
        self.hint_label = QLabel()
        self.hint_label.setObjectName("requestHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.hide()
        self.feedback_label = QLabel()
        self.feedback_label.setWordWrap(True)
        self.feedback_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for view in (self.deductions_view, self.removals_view):
            view.selectionModel().selectionChanged.connect(self._refresh)

        # two short rows rather than one long one: the dock is narrow (330 px at 1366×768)
        # and every control must stay reachable without scrolling sideways
        decide = QHBoxLayout()
        decide.addWidget(self.approve_button)
        decide.addWidget(self.reject_button)
        decide.addStretch(1)
        more = QHBoxLayout()
        more.addWidget(self.show_decided_box)
        more.addStretch(1)
        more.addWidget(self.request_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(decide)
        layout.addWidget(self.hint_label)
        layout.addLayout(more)
        layout.addWidget(self.feedback_label)

    # -- public -------------------------------------------------------------------

    def current_model(self) -> RequestTableModel[Deduction] | RequestTableModel[RemovalRequest]:
        """The model of the tab on show."""
        return self.deductions_model if self.tabs.currentIndex() == 0 else self.removals_model

    def selected_request(self) -> Deduction | RemovalRequest | None:
        """The request selected in the tab on show."""
        view = self.deductions_view if self.tabs.currentIndex() == 0 else self.removals_view
        rows = view.selectionModel().selectedRows()
        return self.current_model().request_at(rows[0].row()) if rows else None

    def select(self, kind: str, request_id: int) -> None:
        """Show the tab of ``kind`` and select one request (e.g. from a notification)."""
        self.tabs.setCurrentIndex(0 if kind == "deduction" else 1)
        model = self.current_model()
        view = self.deductions_view if kind == "deduction" else self.removals_view
        row = model.row_of(request_id)
        if row >= 0:
            view.selectRow(row)

    # -- state --------------------------------------------------------------------

    @Slot(object)
    def on_state_changed(self, change: StateChange) -> None:
        """Forward the change to both models and refresh buttons and counts."""
        self.deductions_model.on_state_changed(change)
        self.removals_model.on_state_changed(change)
        self._refresh()

    @Slot(object)
    def on_outbox_changed(self, entry: OutboxEntry) -> None:
        """Follow deduction requests queued from this panel."""
        if entry.kind is not EntryKind.DEDUCTION or entry.id not in self._my_requests:
            return
        if entry.state is EntryState.SYNCED:
            self._show_info("Deduction request sent; it now awaits a decision.")
            self.deduction_request_finished.emit(entry.id, True)
        elif entry.state is EntryState.REJECTED:
            self._show_error(
                describe_refusal("Deduction request", entry.error_code, entry.error_message or "")
            )
            self.deduction_request_finished.emit(entry.id, False)

    @Slot(bool)
    def on_show_decided_toggled(self, checked: bool) -> None:
        """List decided requests too, or pending ones only."""
        self.deductions_model.set_include_decided(checked)
        self.removals_model.set_include_decided(checked)
        self._refresh()

    # -- decisions ----------------------------------------------------------------

    @Slot()
    def on_approve_clicked(self) -> None:
        """Approve the selected request (asks for an optional note first)."""
        self._ask_and_decide(approve=True)

    @Slot()
    def on_reject_clicked(self) -> None:
        """Reject the selected request (asks for an optional note first)."""
        self._ask_and_decide(approve=False)

    def _ask_and_decide(self, approve: bool) -> None:
        item = self.selected_request()
        if item is None or self._busy or not self._may_decide(item, approve):
            return
        kind = "deduction" if isinstance(item, Deduction) else "removal"
        preview = placement_preview(self._state, item) if approve else None
        question = DecisionQuestion(kind, item.id, approve, self._summary(item), preview)
        answer = self.ask_decision(self, question)
        if answer is None:
            return
        self._set_busy(True)
        self._decide(kind, item.id, approve, answer.note or "")

    @async_slot(str, int, bool, str)
    async def _decide(self, kind: str, request_id: int, approve: bool, note: str) -> None:
        verb = "Approving" if approve else "Rejecting"
        try:
            if kind == "deduction":
                await self._core.decide_deduction(request_id, approve, note or None)
            else:
                await self._core.decide_removal(request_id, approve, note or None)
        except Exception as exc:
            self._show_error(describe_failure(f"{verb} the {kind}", exc))
            ok = False
        else:
            what = "Deduction" if kind == "deduction" else "Score removal"
            self._show_info(f"{what} {'approved' if approve else 'rejected'}.")
            ok = True
        finally:
            self._set_busy(False)
        self.decision_finished.emit(kind, request_id, ok)

    # -- requesting ---------------------------------------------------------------

    @Slot()
    def on_request_deduction_clicked(self) -> None:
        """Ask for a deduction through the dialog, then queue it."""
        categories = self._requestable_categories()
        contestants = {c.id: self._state.contestants_in(c.id) for c in categories}
        draft = self.ask_deduction(self, categories, contestants, self.category_id)
        if draft is not None:
            self._set_busy(True)
            self._request(draft.category_id, draft.contestant_id, draft.amount, draft.reason)

    @async_slot(int, int, float, str)
    async def _request(
        self, category_id: int, contestant_id: int, amount: float, reason: str
    ) -> None:
        try:
            entry = await self._core.request_deduction(category_id, contestant_id, amount, reason)
        except Exception as exc:
            self._show_error(describe_failure("Requesting the deduction", exc))
        else:
            self._my_requests.add(entry.id)
            self._show_info(
                "Deduction request saved locally — sending…"
                if self._core.connection.connected
                else "Deduction request saved locally — it is sent when the connection is back."
            )
        finally:
            self._set_busy(False)

    # -- internals ----------------------------------------------------------------

    def _requestable_categories(self) -> list[Category]:
        user = self._state.user
        categories = sorted(self._state.categories.values(), key=lambda c: (c.contest_id, c.name))
        if user is None or user.role in (Role.ORGANIZER, Role.ADMIN):
            return categories
        mine = {a.category_id for a in self._state.assignments.values() if a.user_id == user.id}
        return [c for c in categories if c.id in mine]

    def _may_decide(self, item: Deduction | RemovalRequest, approve: bool) -> bool:
        """The role may decide this kind of request, and the two-person rule allows it."""
        user = self._state.user
        decide = (
            ClientEvent.DEDUCTION_DECIDE
            if isinstance(item, Deduction)
            else ClientEvent.SCORE_REMOVAL_DECIDE
        )
        if not may_call(user.role if user is not None else None, decide):
            return False
        if isinstance(item, Deduction):
            me = user.id if user is not None else None
            return may_decide_deduction(item.requested_by, me, approve)
        return True

    def _summary(self, item: Deduction | RemovalRequest) -> str:
        names = self.deductions_model.names
        by = names.user(item.requested_by, item.requested_by_name)
        if isinstance(item, Deduction):
            return (
                f"−{item.amount:g} points for {names.contestant(item.contestant_id)} in "
                f"{names.category(item.category_id)}, requested by {by}.\nReason: {item.reason}"
            )
        return (
            f"Remove {names.user(item.judge_id, item.judge_name)}'s score for "
            f"{names.contestant(item.contestant_id)} on "
            f"{names.criterion(item.category_id, item.criterion_id)} in "
            f"{names.category(item.category_id)}, requested by {by}.\nReason: {item.reason}"
        )

    def _refresh(self, *_: object) -> None:
        deductions = self.deductions_model.pending_count()
        removals = self.removals_model.pending_count()
        self.tabs.setTabText(0, f"Deductions ({deductions})" if deductions else "Deductions")
        self.tabs.setTabText(1, f"Score removals ({removals})" if removals else "Score removals")
        item = self.selected_request()
        pending = item is not None and item.status is RequestStatus.PENDING
        for button, approve in ((self.approve_button, True), (self.reject_button, False)):
            may = pending and item is not None and self._may_decide(item, approve)
            button.setEnabled(may and not self._busy)
        own = (
            pending
            and item is not None
            and self._may_decide(item, False)
            and not self._may_decide(item, True)
        )
        self.hint_label.setText(
            f"You requested this deduction: {DEDUCTION_APPROVERS} must approve it. "
            "You may reject it to withdraw it."
            if own
            else ""
        )
        self.hint_label.setVisible(own)
        # the user (and role) is known only after the first sync, and may change later
        user = self._state.user
        role = user.role if user is not None else None
        decide = (
            ClientEvent.DEDUCTION_DECIDE
            if self.tabs.currentIndex() == 0
            else ClientEvent.SCORE_REMOVAL_DECIDE
        )
        for button in (self.approve_button, self.reject_button):
            button.setVisible(may_call(role, decide))
        self.request_button.setVisible(may_call(role, ClientEvent.DEDUCTION_REQUESTED))
        self.request_button.setEnabled(not self._busy)
        total = deductions + removals
        if total != self._pending:
            self._pending = total
            self.pending_count_changed.emit(total)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._refresh()

    def _show_info(self, text: str) -> None:
        self.feedback_label.setStyleSheet("")
        self.feedback_label.setText(text)

    def _show_error(self, text: str) -> None:
        self.feedback_label.setStyleSheet("color: #c0392b;")
        self.feedback_label.setText(text)


def _table(
    model: RequestTableModel[Deduction] | RequestTableModel[RemovalRequest], name: str
) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setObjectName(name.replace(" ", "_").lower())
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab leaves a read-only table
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view
