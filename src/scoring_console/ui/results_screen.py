"""A results screen for the MC or a projector: one category, large type, live.

Shows final results only (once published) unless the tally master
ticks "Show provisional", which shows the live ranking marked PROVISIONAL. It follows
publication live: when results are published the screen switches to them at once.
:func:`open_results_screen` puts it full-screen on a second screen when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.state import ChangeKind
from scoring_console.protocol.entities import CertificationStatus
from scoring_console.protocol.roles import Role

if TYPE_CHECKING:
    from scoring_console.client.state import StateChange

    from .bridge import CoreBridge

_LIVE_KINDS = frozenset(
    {
        ChangeKind.SNAPSHOT,
        ChangeKind.SCORE,
        ChangeKind.SCORE_DELETED,
        ChangeKind.DEDUCTION,
        ChangeKind.CERTIFICATION,
        ChangeKind.CATEGORY,
        ChangeKind.RESULTS,
        ChangeKind.TIE_DECISION,
        ChangeKind.ASSIGNMENT,
    }
)


@dataclass(frozen=True)
class Placing:
    """One line on the screen."""

    rank: int
    number: str
    name: str
    total: str


class ResultsScreen(QWidget):
    """Placings of one category in large type.

    Signals:
        placings_changed(): what the screen shows changed.
    """

    placings_changed = Signal()

    def __init__(
        self, bridge: CoreBridge, category_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.bridge = bridge
        self.state = bridge.core.state
        self.setWindowTitle("Results")
        self.setObjectName("resultsScreen")
        self.category_box = QComboBox(self)
        self.category_box.setAccessibleName("Category")
        self.provisional_box = QCheckBox("Show &provisional results", self)
        user = self.state.user
        self.provisional_box.setVisible(user is not None and user.role is Role.TALLY_MASTER)
        self.title = QLabel(self)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setFont(_font(36, bold=True))
        self.contest_label = QLabel(self)
        self.contest_label.setObjectName("resultsContest")
        self.contest_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.contest_label.setFont(_font(24))
        self.status = QLabel(self)
        self.status.setObjectName("resultsStatus")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setFont(_font(22))
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("placings")
        self.table.setHorizontalHeaderLabels(["Place", "No.", "Name", "Total"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setVisible(False)
        self.table.setFont(_font(30))
        self.table.verticalHeader().setDefaultSectionSize(56)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        controls = QHBoxLayout()
        controls.addWidget(self.category_box, 1)
        controls.addWidget(self.provisional_box)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.title)
        layout.addWidget(self.contest_label)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.placings: list[Placing] = []
        self._fill_categories(category_id)
        self.category_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.provisional_box.toggled.connect(lambda _on: self.refresh())
        bridge.state_changed.connect(self.on_state_changed)
        self.refresh()

    def _fill_categories(self, category_id: int | None) -> None:
        for category in sorted(self.state.categories.values(), key=lambda c: c.id):
            contest = self._contest_name(category.contest_id)
            label = f"{category.name} ({contest})" if contest else category.name
            self.category_box.addItem(label, category.id)
        index = self.category_box.findData(category_id) if category_id is not None else 0
        self.category_box.setCurrentIndex(max(index, 0))

    @property
    def category_id(self) -> int | None:
        """The category on screen."""
        data = self.category_box.currentData()
        return int(data) if data is not None else None

    @Slot(object)
    def on_state_changed(self, change: StateChange) -> None:
        """Follow publication (and, when shown, the provisional ranking) live."""
        if change.kind in _LIVE_KINDS:
            self.refresh()

    def refresh(self) -> None:
        """Recompute what the screen shows."""
        category_id = self.category_id
        category = self.state.categories.get(category_id) if category_id else None
        placings: list[Placing] = []
        if category is None:
            self.title.setText("")
            self.contest_label.setText("")
            status = "No category"
        else:
            self.title.setText(category.name)
            self.contest_label.setText(self._contest_name(category.contest_id))
            status, placings = self._placings(category_id or 0)
        self.status.setText(status)
        if placings != self.placings:
            self.placings = placings
            self._show(placings)
            self.placings_changed.emit()

    def _contest_name(self, contest_id: int) -> str:
        """The contest's name (categories of the same name exist in several contests)."""
        contest = self.state.contests.get(contest_id)
        return contest.name if contest is not None else ""

    def _placings(self, category_id: int) -> tuple[str, list[Placing]]:
        published = self.state.results.get(category_id)
        category = self.state.categories[category_id]
        cert = self.state.certifications.get(category_id)
        certified = cert is not None and cert.status is CertificationStatus.CERTIFIED
        if published is not None and not published.totals and category.published:
            published = None  # an empty event (older server): compute the frozen ranking
        if published is not None:
            rows = [(t.contestant_id, t.rank, t.display_total or f"{t.total:.2f}")
                    for t in published.totals]  # fmt: skip
            return "Final results", self._named(rows)
        result = self.state.category_result(category_id)
        if result is None:
            return "Results not available", []
        rows = [(r.contestant_id, r.rank, result.display(r.total)) for r in result.rows]
        if category.published:  # certified results are frozen: this is what was published
            return "Final results", self._named(rows)
        if self.provisional_box.isChecked() and self.provisional_box.isVisible():
            # a contestant without one complete judge row has no total yet: listing them
            # with 0.00 in last place would put a made-up result on the projector
            scored = {r.contestant_id for r in result.rows if any(j.counted for j in r.judges)}
            rows = [row for row in rows if row[0] in scored]
            done = (
                "complete"
                if result.complete
                else f"scores still coming in; {len(rows)} of {len(result.rows)} contestants "
                "have a total"
            )
            return f"PROVISIONAL — not final ({done})", self._named(rows)
        if certified:
            return "Certified; the results appear here once they are published", []
        return "Results will appear here once they are final", []

    def _named(self, rows: list[tuple[int, int, str]]) -> list[Placing]:
        placings = []
        for contestant_id, rank, total in rows:
            contestant = self.state.contestants.get(contestant_id)
            placings.append(
                Placing(
                    rank,
                    str(contestant.number) if contestant else "",
                    contestant.name if contestant else f"Contestant {contestant_id}",
                    total,
                )
            )
        return placings

    def _show(self, placings: list[Placing]) -> None:
        self.table.setRowCount(len(placings))
        for row, placing in enumerate(placings):
            for column, text in enumerate(
                (str(placing.rank), placing.number, placing.name, placing.total)
            ):
                item = QTableWidgetItem(text)
                if column != 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape leaves full screen (or closes); F11 toggles full screen."""
        if event.key() == Qt.Key.Key_Escape:
            if self.isFullScreen():
                self.showNormal()
            else:
                self.close()
            return
        if event.key() == Qt.Key.Key_F11:
            self.showNormal() if self.isFullScreen() else self.showFullScreen()
            return
        super().keyPressEvent(event)


def _font(points: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    return font


def open_results_screen(
    bridge: CoreBridge, category_id: int | None, parent: QWidget | None = None
) -> ResultsScreen:
    """Open the results screen: full-screen on a second screen if there is one."""
    screen = ResultsScreen(bridge, category_id, parent)
    screen.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    screens = QGuiApplication.screens()
    if len(screens) > 1:
        target = screens[1]
        screen.setScreen(target)
        screen.setGeometry(target.geometry())
        screen.showFullScreen()
    else:
        screen.resize(1024, 720)
        screen.show()
    return screen
