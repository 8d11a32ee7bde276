"""The certification panel: the sign-off chain of a category, locking and publishing.

For the chosen category it shows who signed when (with the receipt hash), whose turn
it is, whether the contest is locked and whether results are published — live from
the state. The current user's step has a sign button when it is their turn; a sign-off
goes through the durable outbox, so the panel follows its entry: saved locally, sent,
signed with the server's receipt, or refused with the server's reason. Board,
organizers and admins lock/unlock the contest and publish a certified category's
results after a confirmation; published results are shown as a ranked table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.state import ChangeKind, StateChange
from scoring_console.protocol.entities import Category, CertificationStatus, RankedTotal
from scoring_console.protocol.roles import FULL_VIEW_ROLES, Role
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry

from .bridge import CoreBridge
from .certification_models import (
    JUDGE_STAGE,
    NEXT_ROLE,
    ROLE_LABELS,
    CertificationChainModel,
    ResultsTableModel,
    chain_steps,
    is_my_turn,
)
from .icons import icon, icon_path
from .notifications.aio import async_slot
from .notifications.failures import describe_failure, describe_refusal

log = logging.getLogger(__name__)

ConfirmAction = Callable[[QWidget, str, str], bool]
"""``confirm(parent, title, question) -> bool``: a seam for the confirmation dialogs."""

SIGNING_ROLES = frozenset({Role.JUDGE, Role.TALLY_MASTER, Role.AUDITOR, Role.BOARD})
LOCK_PUBLISH_ROLES = frozenset({Role.BOARD, Role.ORGANIZER, Role.ADMIN})

STATUS_TEXT = {
    CertificationStatus.NOT_STARTED: "Not started",
    CertificationStatus.JUDGES_SIGNING: "Judges signing",
    CertificationStatus.JUDGES_SIGNED: "Judges signed — tally master next",
    CertificationStatus.TALLY_SIGNED: "Tally master signed — auditor next",
    CertificationStatus.AUDITOR_SIGNED: "Auditor signed — board next",
    CertificationStatus.CERTIFIED: "Certified",
}


def ask_question(parent: QWidget, title: str, question: str) -> bool:
    """The default confirmation: a question box with "No" preselected."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class CertificationPanel(QWidget):
    """Sign-off chain, sign button, contest lock and results of one category at a time.

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
        self.confirm: ConfirmAction = confirm or ask_question
        self._category_id: int | None = None
        self._sign_entries: dict[int, int] = {}  # category id -> outbox entry id
        self._published_answer: dict[int, list[RankedTotal]] = {}
        self._busy = False

        self.chain_model = CertificationChainModel(self)
        self.results_model = ResultsTableModel(self)
        self._build()
        bridge.state_changed.connect(self.on_state_changed)
        bridge.outbox_changed.connect(self.on_outbox_changed)
        self._fill_categories()

    # -- layout -------------------------------------------------------------------

    def _build(self) -> None:
        self.category_combo = QComboBox()
        self.category_combo.setAccessibleName("Category")
        self.category_combo.currentIndexChanged.connect(self._on_category_chosen)
        self.status_label = QLabel()
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.contest_label = QLabel()
        self.published_label = QLabel()
        self.chain_view = _table(self.chain_model, "Sign-off chain")
        self.sign_button = QPushButton(icon("certificate"), "&Sign my step")
        self.sign_button.clicked.connect(self.on_sign_clicked)
        self.lock_button = QPushButton(icon("lock"), "&Lock contest")
        self.lock_button.clicked.connect(self.on_lock_clicked)
        self.publish_button = QPushButton(icon("publish"), "&Publish results")
        self.publish_button.clicked.connect(self.on_publish_clicked)
        self.feedback_label = QLabel()
        self.feedback_label.setWordWrap(True)
        self.feedback_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.results_caption = QLabel()
        self.results_view = _table(self.results_model, "Published results")

        top = QHBoxLayout()
        top.addWidget(QLabel("Category:"))
        top.addWidget(self.category_combo, 1)
        top.addWidget(self.status_label, 2)
        actions = QHBoxLayout()
        actions.addWidget(self.sign_button)
        actions.addStretch(1)
        actions.addWidget(self.lock_button)
        actions.addWidget(self.publish_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.contest_label)
        layout.addWidget(self.published_label)
        layout.addWidget(self.chain_view, 2)
        layout.addLayout(actions)
        layout.addWidget(self.feedback_label)
        layout.addWidget(self.results_caption)
        layout.addWidget(self.results_view, 3)
        user = self._state.user
        role = user.role if user is not None else None
        self.sign_button.setVisible(role in SIGNING_ROLES)
        self.lock_button.setVisible(role in LOCK_PUBLISH_ROLES)
        self.publish_button.setVisible(role in LOCK_PUBLISH_ROLES)

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

    @Slot(object)
    def on_outbox_changed(self, entry: OutboxEntry) -> None:
        """Follow the sign-off entries this panel queued."""
        if entry.kind is not EntryKind.SIGNOFF or entry.category_id is None:
            return
        if self._sign_entries.get(entry.category_id) != entry.id:
            return
        if entry.category_id == self._category_id:
            self._show_entry(entry)
        if entry.state is EntryState.SYNCED:
            receipt = str((entry.result or {}).get("receipt", ""))
            self.sign_finished.emit(entry.category_id, receipt)
        elif entry.state is EntryState.REJECTED:
            self.sign_finished.emit(entry.category_id, "")

    # -- actions ------------------------------------------------------------------

    @async_slot()
    async def on_sign_clicked(self) -> None:
        """Queue the current user's sign-off of the category on show."""
        category_id = self._category_id
        if category_id is None or self._busy:
            return
        self._set_busy(True)
        try:
            entry = await self._core.sign_certification(category_id)
        except Exception as exc:
            self._show_error(describe_failure("Signing", exc))
            self.sign_finished.emit(category_id, "")
        else:
            self._sign_entries[category_id] = entry.id
            self._show_entry(entry)
        finally:
            self._set_busy(False)

    @Slot()
    def on_lock_clicked(self) -> None:
        """Lock (or unlock) the contest of the category on show, after confirming.

        The confirmation runs here, in a plain slot: a modal dialog's nested event loop
        inside an asyncio task would run other tasks re-entrantly.
        """
        category = self._category()
        if category is None or self._busy:
            return
        contest = self._state.contests.get(category.contest_id)
        if contest is None:
            return
        lock = not contest.locked
        question = (
            f"Lock the contest “{contest.name}”?\n\nJudges can no longer enter or change "
            "scores in any of its categories until it is unlocked."
            if lock
            else f"Unlock the contest “{contest.name}”?\n\nJudges can change scores again."
        )
        if self.confirm(self, "Lock contest" if lock else "Unlock contest", question):
            self._set_busy(True)
            self._lock(contest.id, contest.name, lock)

    @async_slot(int, str, bool)
    async def _lock(self, contest_id: int, name: str, lock: bool) -> None:
        try:
            await self._core.lock_contest(contest_id, lock)
        except Exception as exc:
            self._show_error(describe_failure("Locking" if lock else "Unlocking", exc))
        else:
            self._show_info(f"Contest “{name}” {'locked' if lock else 'unlocked'}.")
            self.contest_lock_changed.emit(contest_id, lock)
        finally:
            self._set_busy(False)

    @Slot()
    def on_publish_clicked(self) -> None:
        """Publish the results of the category on show, after confirming."""
        category = self._category()
        if category is None or self._busy:
            return
        question = (
            f"Publish the results of “{category.name}”?\n\nEveryone in the category sees "
            "the ranking. This cannot be undone."
        )
        if self.confirm(self, "Publish results", question):
            self._set_busy(True)
            self._publish(category.id, category.name)

    @async_slot(int, str)
    async def _publish(self, category_id: int, name: str) -> None:
        try:
            totals = await self._core.publish_results(category_id)
        except Exception as exc:
            self._show_error(describe_failure("Publishing", exc))
        else:
            self._published_answer[category_id] = list(totals.totals)
            self._show_info(f"Results of “{name}” published.")
            self.results_published.emit(category_id)
        finally:
            self._set_busy(False)

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
        if category is None:
            self.chain_model.set_rows([])
            self.results_model.set_rows([])
            self.status_label.setText("No category to certify yet.")
            for button in (self.sign_button, self.lock_button, self.publish_button):
                button.setEnabled(False)
            return
        cert = self._state.certifications.get(category.id)
        judges = self._judge_ids(category.id)
        self.chain_model.set_rows(chain_steps(cert, judges, self._name_of))
        status = cert.status if cert else CertificationStatus.NOT_STARTED
        signed = sum(1 for s in (cert.signoffs if cert else []) if s.role is Role.JUDGE)
        detail = f" ({signed} of {len(judges)} judges)" if status in JUDGE_STAGE else ""
        self.status_label.setText(f"<b>{STATUS_TEXT[status]}</b>{detail}")
        self._refresh_sign_button(judges)
        self._refresh_contest(category)
        self._refresh_results(category, status)

    def _refresh_sign_button(self, judges: list[int]) -> None:
        user = self._state.user
        category_cert = self._state.certifications.get(self._category_id or 0)
        mine = user is not None and is_my_turn(category_cert, judges, user)
        self.sign_button.setEnabled(mine and not self._busy)
        if mine:
            self.sign_button.setToolTip("Sign your step of this category's certification")
        else:
            self.sign_button.setToolTip(self._why_not_my_turn(judges))

    def _why_not_my_turn(self, judges: list[int]) -> str:
        user = self._state.user
        cert = self._state.certifications.get(self._category_id or 0)
        status = cert.status if cert else CertificationStatus.NOT_STARTED
        if status is CertificationStatus.CERTIFIED:
            return "The category is certified."
        if user is not None and user.role is Role.JUDGE:
            if user.id not in (cert.required_judge_ids if cert else judges):
                return "You are not a judge of this category."
            return "You signed this category already."
        if status in JUDGE_STAGE:
            return "Waiting for the judges to sign."
        waiting_for = NEXT_ROLE.get(status)
        label = ROLE_LABELS.get(waiting_for, "") if waiting_for else ""
        return f"Waiting for the {label.lower()} to sign." if label else "Not your step."

    def _refresh_contest(self, category: Category) -> None:
        contest = self._state.contests.get(category.contest_id)
        if contest is None:
            self.contest_label.setText("")
            self.lock_button.setEnabled(False)
            return
        if contest.locked:
            self.contest_label.setText(
                f"{_img('lock')} <b>Contest “{contest.name}” is locked</b> — "
                "no score changes accepted."
            )
            self.lock_button.setText("Un&lock contest")
            self.lock_button.setIcon(icon("unlock"))
        else:
            self.contest_label.setText(
                f"{_img('unlock')} Contest “{contest.name}” is open for scoring."
            )
            self.lock_button.setText("&Lock contest")
            self.lock_button.setIcon(icon("lock"))
        self.lock_button.setEnabled(not self._busy)

    def _refresh_results(self, category: Category, status: CertificationStatus) -> None:
        published = self._state.results.get(category.id)
        totals: list[RankedTotal] | None = None
        caption = ""
        if published is not None:
            totals = list(published.totals)
            when = published.published_at.astimezone().strftime("%Y-%m-%d %H:%M")
            caption = f"Results published {when}"
        elif category.id in self._published_answer:
            totals = self._published_answer[category.id]
            caption = "Results published"
        elif category.published:
            user = self._state.user
            if user is not None and user.role in FULL_VIEW_ROLES:
                totals = self._state.totals(category.id)
                caption = "Results published (ranking computed from the scores on this console)"
            else:
                caption = "Results published; the ranking appears when the server sends it."
        is_published = category.published or totals is not None
        self.published_label.setText(
            f"{_img('publish')} <b>Results published</b>"
            if is_published
            else "Results not published yet."
        )
        self.results_model.contestants = {c.id: c for c in self._state.contestants_in(category.id)}
        self.results_model.set_rows(totals or [])
        self.results_caption.setText(caption)
        self.results_caption.setVisible(bool(caption))
        self.results_view.setVisible(bool(totals))
        certified = status is CertificationStatus.CERTIFIED
        self.publish_button.setEnabled(certified and not is_published and not self._busy)
        self.publish_button.setToolTip(
            "Results are published."
            if is_published
            else "Publish the ranking of this category."
            if certified
            else "Only a certified category can be published."
        )

    def _judge_ids(self, category_id: int) -> list[int]:
        return [
            a.user_id
            for a in sorted(self._state.assignments.values(), key=lambda a: a.user_id)
            if a.category_id == category_id and a.role is Role.JUDGE
        ]

    def _name_of(self, user_id: int) -> str:
        presence = self._state.presence.get(user_id)
        if presence is not None:
            return presence.name
        user = self._state.user
        if user is not None and user.id == user_id:
            return user.name
        return f"Judge #{user_id}"

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

    def _show_entry(self, entry: OutboxEntry) -> None:
        if entry.state is EntryState.PENDING:
            connected = self._core.connection.connected
            self._show_info(
                "Sign-off saved locally — sending…"
                if connected
                else "Sign-off saved locally — it is sent when the connection is back."
            )
        elif entry.state is EntryState.SENDING:
            self._show_info("Sign-off sent — waiting for the server's receipt…")
        elif entry.state is EntryState.SYNCED:
            result = entry.result or {}
            receipt = str(result.get("receipt", ""))
            count = result.get("signedScoreCount")
            scores = f" over {count} scores" if isinstance(count, int) else ""
            self._show_info(f"Signed{scores}. Receipt <code>{receipt}</code>")
        else:
            self._show_error(
                describe_refusal("Sign-off", entry.error_code, entry.error_message or "")
            )

    def _show_info(self, text: str) -> None:
        self.feedback_label.setStyleSheet("")
        self.feedback_label.setText(text)

    def _show_error(self, text: str) -> None:
        self.feedback_label.setStyleSheet("color: #c0392b;")
        self.feedback_label.setText(text)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._refresh()


def _table(model: CertificationChainModel | ResultsTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setObjectName(name.replace(" ", "_").lower())
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _img(name: str) -> str:
    return f'<img src="{icon_path(name).as_posix()}" width="16" height="16">'
