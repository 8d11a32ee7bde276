"""The lower half of the certification panel: contest lock, publication, ranked results.

Shows whether the category's contest is locked and whether its results are published;
board, organizers and admins lock/unlock the contest and publish a certified category
after a confirmation. Published results are shown as a ranked table — from the
``results:published`` event, from this console's own publish call, or (for roles that
see every score, after a restart) computed from the scores on this console.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.core import ClientCore
from scoring_console.protocol.catalog import may_call
from scoring_console.protocol.entities import Category, CertificationStatus, RankedTotal
from scoring_console.protocol.events import ClientEvent
from scoring_console.protocol.roles import FULL_VIEW_ROLES

from .certification_models import ResultsTableModel
from .icons import icon, icon_path
from .notifications.aio import async_slot
from .notifications.failures import describe_failure

ConfirmAction = Callable[[QWidget, str, str], bool]
"""``confirm(parent, title, question) -> bool``: a seam for the confirmation dialogs."""


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


class PublicationSection(QWidget):
    """Contest lock and results publication of one category.

    Signals:
        contest_lock_changed(int, bool): this section locked (True) or unlocked a contest.
        results_published(int): this section published a category's results.
        message_shown(str, bool): an outcome to show the user (True: an error).
    """

    contest_lock_changed = Signal(int, bool)
    results_published = Signal(int)
    message_shown = Signal(str, bool)

    def __init__(
        self, core: ClientCore, confirm: ConfirmAction, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._core = core
        self._state = core.state
        self.confirm = confirm
        self._category: Category | None = None
        self._status = CertificationStatus.NOT_STARTED
        self._published_answer: dict[int, list[RankedTotal]] = {}
        self._busy = False

        self.results_model = ResultsTableModel(self)
        self.contest_label = QLabel()
        self.contest_label.setWordWrap(True)
        self.published_label = QLabel()
        self.published_label.setWordWrap(True)
        self.lock_button = QPushButton(icon("lock"), "&Lock contest")
        self.lock_button.clicked.connect(self.on_lock_clicked)
        self.publish_button = QPushButton(icon("publish"), "&Publish results")
        self.publish_button.clicked.connect(self.on_publish_clicked)
        self.results_caption = QLabel()
        self.results_view = QTableView()
        self.results_view.setModel(self.results_model)
        self.results_view.setObjectName("published_results")
        self.results_view.setAccessibleName("Published results")
        self.results_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.setTabKeyNavigation(False)  # Tab leaves a read-only table
        self.results_view.verticalHeader().hide()
        header = self.results_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.contest_label, 1)
        buttons.addWidget(self.lock_button)
        published = QHBoxLayout()
        published.addWidget(self.published_label, 1)
        published.addWidget(self.publish_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addLayout(published)
        layout.addWidget(self.results_caption)
        layout.addWidget(self.results_view, 10)
        layout.addStretch(1)  # keeps the labels together while no results are shown
        self._show_role_actions()

    def _show_role_actions(self) -> None:
        """Lock and publish buttons for the roles that may use them (re-read every refresh:
        the user is known only after the first sync and the role may change)."""
        user = self._state.user
        role = user.role if user is not None else None
        self.lock_button.setVisible(may_call(role, ClientEvent.CONTEST_LOCK))
        self.publish_button.setVisible(may_call(role, ClientEvent.RESULTS_PUBLISH))

    def show_category(self, category: Category | None, status: CertificationStatus) -> None:
        """Show the lock and publication state of ``category`` at ``status``."""
        self._category = category
        self._status = status
        self.refresh()

    def refresh(self) -> None:
        """Re-read the contest, the publication and the results from the state."""
        self._show_role_actions()
        category = self._category
        if category is None:
            self.results_model.set_rows([])
            self.contest_label.clear()
            self.published_label.clear()
            self.results_caption.hide()
            self.results_view.hide()
            self.lock_button.setEnabled(False)
            self.publish_button.setEnabled(False)
            return
        self._refresh_contest(category)
        self._refresh_results(category)

    # -- lock -----------------------------------------------------------------------

    @Slot()
    def on_lock_clicked(self) -> None:
        """Lock (or unlock) the category's contest, after confirming.

        The confirmation runs here, in a plain slot: a modal dialog's nested event loop
        inside an asyncio task would run other tasks re-entrantly.
        """
        category = self._category
        contest = self._state.contests.get(category.contest_id) if category else None
        if contest is None or self._busy:
            return
        lock = not contest.locked
        question = (
            f"Lock the contest “{contest.name}”?\n\nJudges can no longer enter or change "
            "scores in any of its categories until it is unlocked."
            + self._judges_at_risk(contest.id)
            if lock
            else f"Unlock the contest “{contest.name}”?\n\nJudges can change scores again."
        )
        if self.confirm(self, "Lock contest" if lock else "Unlock contest", question):
            self._set_busy(True)
            self._lock(contest.id, contest.name, lock)

    def _judges_at_risk(self, contest_id: int) -> str:
        """A warning naming the contest's judges who are offline, may still hold unsent
        entries, or had writes refused (the core's one rule, :mod:`client.judges`)."""
        check = self._core.lock_check(contest_id)
        if check.clear:
            return ""
        return "\n\nWarning — entries that arrive after the lock are refused.\n" + check.describe()

    @async_slot(int, str, bool)
    async def _lock(self, contest_id: int, name: str, lock: bool) -> None:
        try:
            await self._core.lock_contest(contest_id, lock)
        except Exception as exc:
            self.message_shown.emit(describe_failure("Locking" if lock else "Unlocking", exc), True)
        else:
            self.message_shown.emit(f"Contest “{name}” {'locked' if lock else 'unlocked'}.", False)
            self.contest_lock_changed.emit(contest_id, lock)
        finally:
            self._set_busy(False)

    def _refresh_contest(self, category: Category) -> None:
        contest = self._state.contests.get(category.contest_id)
        if contest is None:
            self.contest_label.clear()
            self.lock_button.setEnabled(False)
            return
        public = [
            c.name
            for c in self._state.categories.values()
            if c.contest_id == contest.id and (c.published or c.id in self._state.results)
        ]
        if contest.locked:
            self.contest_label.setText(
                f"{_img('lock')} <b>Contest “{contest.name}” is locked</b> — "
                "no score changes accepted."
                + (
                    f" Results of {', '.join(sorted(public))} are public: it stays locked."
                    if public
                    else ""
                )
            )
            self.lock_button.setText("Un&lock contest")
            self.lock_button.setIcon(icon("unlock"))
            # published results are final: unlocking would let scores drift from them (the
            # server refuses it too); say so rather than offer a button that cannot work
            self.lock_button.setEnabled(not public and not self._busy)
            self.lock_button.setToolTip(
                "Results are already public, so the contest cannot be unlocked."
                if public
                else "Let judges change scores again."
            )
            return
        else:
            self.contest_label.setText(
                f"{_img('unlock')} Contest “{contest.name}” is open for scoring."
            )
            self.lock_button.setText("&Lock contest")
            self.lock_button.setIcon(icon("lock"))
            self.lock_button.setToolTip("Stop all score changes in this contest.")
        self.lock_button.setEnabled(not self._busy)

    # -- publish --------------------------------------------------------------------

    @Slot()
    def on_publish_clicked(self) -> None:
        """Publish the category's results, after confirming."""
        category = self._category
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
            self.message_shown.emit(describe_failure("Publishing", exc), True)
        else:
            self._published_answer[category_id] = list(totals.totals)
            self.message_shown.emit(f"Results of “{name}” published.", False)
            self.results_published.emit(category_id)
        finally:
            self._set_busy(False)

    def _refresh_results(self, category: Category) -> None:
        totals, caption = self._totals(category)
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
        certified = self._status is CertificationStatus.CERTIFIED
        self.publish_button.setEnabled(certified and not is_published and not self._busy)
        self.publish_button.setToolTip(
            "Results are published."
            if is_published
            else "Publish the ranking of this category."
            if certified
            else "Only a certified category can be published."
        )

    def _totals(self, category: Category) -> tuple[list[RankedTotal] | None, str]:
        published = self._state.results.get(category.id)
        if published is not None:
            when = published.published_at.astimezone().strftime("%Y-%m-%d %H:%M")
            return list(published.totals), f"Results published {when}"
        if category.id in self._published_answer:
            return self._published_answer[category.id], "Results published"
        if not category.published:
            return None, ""
        user = self._state.user
        if user is not None and user.role in FULL_VIEW_ROLES:
            return (
                self._state.totals(category.id),
                "Results published (ranking computed from the scores on this console)",
            )
        return None, "Results published; the ranking appears when the server sends it."

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.refresh()


def _img(name: str) -> str:
    return f'<img src="{icon_path(name).as_posix()}" width="16" height="16">'
