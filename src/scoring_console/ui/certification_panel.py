"""The certification panel: the sign-off chain of a category, locking and publishing.

For the chosen category it shows who signed when (with the receipt hash) and whose
turn it is, live from the state. The current user's step has a sign button when it is
their turn; a sign-off goes through the durable outbox, so the panel follows its entry:
saved locally, sent, signed with the server's receipt, or refused with the server's
reason. Below the chain a :class:`PublicationSection` shows the contest lock and the
published ranking, with lock and publish actions for board, organizers and admins.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.state import ChangeKind, StateChange
from scoring_console.protocol.catalog import may_call
from scoring_console.protocol.entities import Category, Certification, CertificationStatus
from scoring_console.protocol.events import ClientEvent
from scoring_console.protocol.roles import Role
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry

from .bridge import CoreBridge
from .certification_models import (
    JUDGE_STAGE,
    CertificationChainModel,
    chain_steps,
    is_my_turn,
    why_not_my_turn,
)
from .certification_publication import ConfirmAction, PublicationSection, ask_question
from .icons import icon
from .notifications.aio import async_slot
from .notifications.failures import describe_failure, describe_refusal
from .signoff import ReceiptDialog, signoff_question, summarize_signoff

log = logging.getLogger(__name__)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "category"


STATUS_TEXT = {
    CertificationStatus.NOT_STARTED: "Not started",
    CertificationStatus.JUDGES_SIGNING: "Judges signing",
    CertificationStatus.JUDGES_SIGNED: "Judges signed — tally master next",
    CertificationStatus.TALLY_SIGNED: "Tally master signed — auditor next",
    CertificationStatus.AUDITOR_SIGNED: "Auditor signed — board next",
    CertificationStatus.CERTIFIED: "Certified",
}

__all__ = ["STATUS_TEXT", "CertificationPanel", "ConfirmAction", "ask_question"]


class CertificationPanel(QWidget):
    """Sign-off chain, sign button, contest lock and results of one category at a time.

    ``confirm(parent, title, question) -> bool`` asks before locking or publishing
    (a question box by default).

    Signals:
        sign_finished(int, str): a sign-off of a category ended; the receipt hash, or ""
            when it was refused.
        contest_lock_changed(int, bool): this panel locked (True) or unlocked a contest.
        results_published(int): this panel published a category's results.
    """

    sign_finished = Signal(int, str)
    contest_lock_changed = Signal(int, bool)
    results_published = Signal(int)

    def __init__(
        self,
        bridge: CoreBridge,
        parent: QWidget | None = None,
        confirm: ConfirmAction | None = None,
    ) -> None:
        super().__init__(parent)
        self._core = bridge.core
        self._state = bridge.core.state
        self._category_id: int | None = None
        self._sign_entries: dict[int, int] = {}  # category id -> outbox entry id
        self._busy = False
        self.confirm = confirm or ask_question
        self.receipt_dialog: ReceiptDialog | None = None

        self.chain_model = CertificationChainModel(self)
        self.publication = PublicationSection(self._core, confirm or ask_question, self)
        self.publication.contest_lock_changed.connect(self.contest_lock_changed)
        self.publication.results_published.connect(self.results_published)
        self.publication.message_shown.connect(self._show_message)
        # the section's widgets, for callers and tests
        self.results_model = self.publication.results_model
        self.results_view = self.publication.results_view
        self.results_caption = self.publication.results_caption
        self.contest_label = self.publication.contest_label
        self.published_label = self.publication.published_label
        self.lock_button = self.publication.lock_button
        self.publish_button = self.publication.publish_button
        self._build()
        bridge.state_changed.connect(self.on_state_changed)
        bridge.outbox_changed.connect(self.on_outbox_changed)
        self._fill_categories()

    def _build(self) -> None:
        self.category_combo = QComboBox()
        self.category_combo.setAccessibleName("Category")
        # long "name — status" texts must not widen the dock past the window
        self.category_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.category_combo.setMinimumContentsLength(14)
        self.category_combo.currentIndexChanged.connect(self._on_category_chosen)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)  # a narrow dock wraps rather than scrolls
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chain_view = QTableView()
        self.chain_view.setModel(self.chain_model)
        self.chain_view.setObjectName("certification_chain")
        self.chain_view.setAccessibleName("Sign-off chain")
        self.chain_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.chain_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.chain_view.setTabKeyNavigation(False)  # Tab leaves a read-only table
        self.chain_view.verticalHeader().hide()
        header = self.chain_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # as tall as its five-odd rows, no taller: the space below is for the results
        self.chain_view.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.chain_view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.sign_button = QPushButton(icon("certificate"), "&Sign my step")
        self.sign_button.clicked.connect(self.on_sign_clicked)
        self.feedback_label = QLabel()
        self.feedback_label.setWordWrap(True)
        self.feedback_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(QLabel("Category:"))
        top.addWidget(self.category_combo, 1)
        sign = QHBoxLayout()
        sign.addWidget(self.sign_button)
        sign.addWidget(self.feedback_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status_label)
        layout.addLayout(sign)  # above the chain: the action stays in view with ten judges
        layout.addWidget(self.chain_view)
        layout.addWidget(self.publication, 1)

    # -- public -------------------------------------------------------------------

    @property
    def category_id(self) -> int | None:
        """The category on show."""
        return self._category_id

    def set_category(self, category_id: int) -> None:
        """Show ``category_id`` (must be one of the categories the user sees)."""
        index = self.category_combo.findData(category_id)
        if index < 0:
            raise KeyError(f"category {category_id} is not visible to this user")
        self.category_combo.setCurrentIndex(index)

    # -- state --------------------------------------------------------------------

    @Slot(object)
    def on_state_changed(self, change: StateChange) -> None:
        """Refresh what a change touches: chain, contest, publication, categories."""
        if change.kind is ChangeKind.SNAPSHOT or change.kind is ChangeKind.CATEGORY:
            self._fill_categories()
        elif change.kind in (ChangeKind.CERTIFICATION, ChangeKind.RESULTS):
            self._update_combo_texts()
            if change.key == self._category_id:
                self._refresh()
        elif change.kind in (ChangeKind.CONTEST, ChangeKind.PRESENCE, ChangeKind.ASSIGNMENT):
            self._refresh()
        elif change.kind in (ChangeKind.SCORE, ChangeKind.SCORE_DELETED):
            self._refresh_judge_sign()

    @Slot(object)
    def on_outbox_changed(self, entry: OutboxEntry) -> None:
        """Follow the sign-off entries this panel queued (and a judge's pending scores)."""
        if entry.kind is EntryKind.SCORE:
            self._refresh_judge_sign()
        if entry.kind is not EntryKind.SIGNOFF or entry.category_id is None:
            return
        if self._sign_entries.get(entry.category_id) != entry.id:
            return
        if entry.category_id == self._category_id:
            self._show_entry(entry)
        if entry.state is EntryState.SYNCED:
            receipt = str((entry.result or {}).get("receipt", ""))
            if receipt:
                self._show_receipt(entry.category_id, receipt)
            self.sign_finished.emit(entry.category_id, receipt)
        elif entry.state is EntryState.REJECTED:
            self.sign_finished.emit(entry.category_id, "")

    # -- signing ------------------------------------------------------------------

    @Slot()
    def on_sign_clicked(self) -> None:
        """Show what is about to be signed; queue the sign-off once confirmed.

        The confirmation runs here, in a plain slot: a modal dialog's nested event loop
        inside an asyncio task would run other tasks re-entrantly.
        """
        category_id = self._category_id
        if category_id is None or self._busy:
            return
        summary = summarize_signoff(self._state, category_id)
        if not self.confirm(self, f"Sign {summary.title}", signoff_question(summary)):
            self._show_message("Not signed.", False)
            return
        self._set_busy(True)
        self._sign(category_id)

    @async_slot(int)
    async def _sign(self, category_id: int) -> None:
        try:
            entry = await self._core.sign_certification(category_id)
        except Exception as exc:
            self._show_message(describe_failure("Signing", exc), True)
            self.sign_finished.emit(category_id, "")
        else:
            self._sign_entries[category_id] = entry.id
            self._show_entry(entry)
        finally:
            self._set_busy(False)

    def _show_entry(self, entry: OutboxEntry) -> None:
        if entry.state is EntryState.PENDING:
            self._show_message(
                "Sign-off saved locally — sending…"
                if self._core.connection.connected
                else "Sign-off saved locally — it is sent when the connection is back.",
                False,
            )
        elif entry.state is EntryState.SENDING:
            self._show_message("Sign-off sent — waiting for the server's receipt…", False)
        elif entry.state is EntryState.SYNCED:
            result = entry.result or {}
            count = result.get("signedScoreCount")
            scores = f" over {count} scores" if isinstance(count, int) else ""
            receipt = str(result.get("receipt", ""))
            self._show_message(f"Signed{scores}. Receipt <code>{receipt}</code>", False)
        else:
            text = describe_refusal("Sign-off", entry.error_code, entry.error_message or "")
            self._show_message(text, True)

    def _show_receipt(self, category_id: int, receipt: str) -> None:
        """Keep the receipt: save it beside the profile's data and show it to copy."""
        summary = summarize_signoff(self._state, category_id)
        user = self._state.user
        signer = user.name if user is not None else self._core.username
        now = self._core.clock()
        folder = self._core.profile_dir / "receipts"
        dialog = ReceiptDialog(summary.title, receipt, signer, now, save_dir=folder, parent=self)
        name = f"{now:%Y%m%d-%H%M%S}-{_slug(summary.title)}-{receipt[:8]}.txt"
        dialog.save_to(folder / name)  # kept with the sheet, whatever the user does next
        if self.receipt_dialog is not None:
            self.receipt_dialog.close()
        self.receipt_dialog = dialog
        dialog.show()

    def _last_sign_entry(self) -> OutboxEntry | None:
        if self._category_id is None:
            return None
        entry_id = self._sign_entries.get(self._category_id)
        for entry in reversed(self._core.outbox_entries()):
            if (
                entry.kind is EntryKind.SIGNOFF
                and entry.category_id == self._category_id
                and (entry_id is None or entry.id == entry_id)
            ):
                self._sign_entries[self._category_id] = entry.id
                return entry
        return None

    # -- internals ----------------------------------------------------------------

    def _fill_categories(self) -> None:
        categories = sorted(
            self._state.categories.values(), key=lambda c: (c.contest_id, c.name, c.id)
        )
        wanted = [c.id for c in categories]
        current = [self.category_combo.itemData(i) for i in range(self.category_combo.count())]
        if wanted != current:
            keep = self._category_id
            self.category_combo.blockSignals(True)
            self.category_combo.clear()
            for category in categories:
                self.category_combo.addItem(category.name, category.id)
            index = self.category_combo.findData(keep) if keep is not None else -1
            self.category_combo.setCurrentIndex(max(index, 0) if categories else -1)
            self.category_combo.blockSignals(False)
            data = self.category_combo.currentData()
            self._category_id = int(data) if data is not None else None
        self._update_combo_texts()
        self._refresh()

    def _update_combo_texts(self) -> None:
        for i in range(self.category_combo.count()):
            category = self._state.categories.get(int(self.category_combo.itemData(i)))
            if category is not None:
                cert = self._state.certifications.get(category.id)
                status = cert.status if cert else CertificationStatus.NOT_STARTED
                self.category_combo.setItemText(i, f"{category.name} — {STATUS_TEXT[status]}")

    @Slot(int)
    def _on_category_chosen(self, index: int) -> None:
        data = self.category_combo.itemData(index) if index >= 0 else None
        self._category_id = int(data) if data is not None else None
        self.feedback_label.clear()
        self._refresh()
        entry = self._last_sign_entry()
        if entry is not None:
            self._show_entry(entry)

    def _category(self) -> Category | None:
        return self._state.categories.get(self._category_id) if self._category_id else None

    def _refresh(self) -> None:
        category = self._category()
        user = self._state.user
        self.chain_model.current_user_id = user.id if user else None
        self.chain_model.current_role = user.role if user else None
        # the user (and role) is known only after the first sync, and may change later
        self.sign_button.setVisible(
            may_call(user.role if user else None, ClientEvent.CERTIFICATION_SIGN)
        )
        if category is None:
            self.chain_model.set_rows([])
            self.status_label.setText("No category to certify yet.")
            self.sign_button.setEnabled(False)
            self.publication.show_category(None, CertificationStatus.NOT_STARTED)
            return
        cert = self._state.certifications.get(category.id)
        judges = self._judge_ids(category.id)
        self.chain_model.set_rows(chain_steps(cert, judges, self._name_of))
        status = cert.status if cert else CertificationStatus.NOT_STARTED
        signed = sum(1 for s in (cert.signoffs if cert else []) if s.role is Role.JUDGE)
        detail = f" ({signed} of {len(judges)} judges)" if status in JUDGE_STAGE else ""
        self.status_label.setText(f"<b>{STATUS_TEXT[status]}</b>{detail}")
        self._refresh_sign(cert, judges)
        self.publication.show_category(category, status)

    def _refresh_sign(self, cert: Certification | None, judges: list[int]) -> None:
        """Enable "Sign my step" when it is the user's turn (a judge: with a sheet ready)."""
        user = self._state.user
        mine = user is not None and is_my_turn(cert, judges, user)
        why_not = None if mine else why_not_my_turn(cert, judges, user)
        if mine and user is not None and user.role is Role.JUDGE and self._category_id:
            why_not = self._core.sheet_not_ready(self._category_id)
        self.sign_button.setEnabled(why_not is None and not self._busy)
        self.sign_button.setToolTip(why_not or "Sign your step of this category's certification")

    def _refresh_judge_sign(self) -> None:
        """A judge's own score or outbox changed: re-check only their sign button."""
        user = self._state.user
        category = self._category()
        if user is None or user.role is not Role.JUDGE or category is None:
            return
        self._refresh_sign(
            self._state.certifications.get(category.id), self._judge_ids(category.id)
        )

    def _judge_ids(self, category_id: int) -> list[int]:
        return [
            a.user_id
            for a in sorted(self._state.assignments.values(), key=lambda a: a.user_id)
            if a.category_id == category_id and a.role is Role.JUDGE
        ]

    def _name_of(self, user_id: int) -> str:
        return self._state.user_name(user_id) or f"Judge #{user_id}"

    @Slot(str, bool)
    def _show_message(self, text: str, error: bool) -> None:
        self.feedback_label.setStyleSheet("color: #c0392b;" if error else "")
        self.feedback_label.setText(text)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._refresh()
