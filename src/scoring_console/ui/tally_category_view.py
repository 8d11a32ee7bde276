"""One category as the tally master sees it: live table, progress, breakdown, judges.

The rules line under the title states the category's scoring rules in words (method,
drop high/low and its small-panel rule, tie-breaks, missing scores).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.state import ChangeKind
from scoring_console.protocol.entities import Contest, Deduction, Presence, Score
from scoring_console.protocol.scoring import rules_in_words

from .frame_coalescer import FrameCoalescer
from .judges_model import JudgesModel
from .tally_review_pane import TallyReviewPane
from .tally_table_model import COL_NAME, COL_NUMBER, TallyTableModel

if TYPE_CHECKING:
    from scoring_console.client.state import StateChange

    from .bridge import CoreBridge


def _readonly_table(parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(28)
    table.horizontalHeader().setHighlightSections(False)
    return table


class TallyCategoryView(QWidget):
    """The live tally of one category."""

    def __init__(self, bridge: CoreBridge, category_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.category_id = category_id
        state = bridge.core.state
        category = state.categories[category_id]
        contest = state.contests.get(category.contest_id)

        self.model = TallyTableModel(state, category_id, parent=self)
        self.judges_model = JudgesModel(
            state, category_id, parent=self, clock=bridge.core.server_now
        )

        self.title = QLabel(f"<h2>{html.escape(category.name)}</h2>", self)
        self.subtitle = QLabel(contest.name if contest else "", self)
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)  # names are text, not markup
        self.rules_label = QLabel(rules_in_words(category), self)
        self.rules_label.setTextFormat(Qt.TextFormat.PlainText)
        self.rules_label.setObjectName("scoringRulesLabel")
        self.rules_label.setWordWrap(True)
        self.status_label = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(True)
        self.progress.setMinimumWidth(260)
        self.progress.setFormat("%v of %m scores received")

        self.table = _readonly_table(self)
        self.table.setObjectName("tallyTable")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(48)
        self._apply_column_modes()
        self.model.columnsInserted.connect(lambda *_: self._apply_column_modes())
        self.model.modelReset.connect(self._apply_column_modes)

        self.judges_table = _readonly_table(self)
        self.judges_table.setObjectName("judgesTable")
        self.judges_table.setModel(self.judges_model)
        judges_header = self.judges_table.horizontalHeader()
        judges_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.judges_table.resizeColumnsToContents()
        judges_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        titles.addWidget(self.rules_label)
        head.addLayout(titles, 1)
        head.addWidget(self.status_label, 0, Qt.AlignmentFlag.AlignBottom)
        head.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignBottom)

        judges_box = QWidget(self)
        judges_layout = QVBoxLayout(judges_box)
        judges_layout.setContentsMargins(0, 0, 0, 0)
        judges_layout.addWidget(QLabel("<b>Judges</b>", judges_box))
        judges_layout.addWidget(self.judges_table)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("tallySplitter")
        self.review = TallyReviewPane(bridge, self.model, self)
        self.table.selectionModel().currentChanged.connect(
            lambda current, _previous: self.review.show_cell(current)
        )
        self.table.activated.connect(self.review.show_cell)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.review)
        self.splitter.addWidget(judges_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([self._fitted_table_height(), 200, 200])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(head)
        layout.addWidget(self.splitter, 1)

        self._progress = self.model.progress
        self._progress_coalescer = FrameCoalescer(self._show_progress, 250, self)
        self.model.progress_changed.connect(self.on_model_progress_changed)
        self._show_progress()
        self._apply_contest(contest)
        bridge.score_changed.connect(self.on_score_changed)
        bridge.score_deleted.connect(self.on_score_deleted)  # bound: the tab may be deleted
        bridge.deduction_changed.connect(self.on_deduction_changed)
        bridge.snapshot_loaded.connect(self.on_snapshot_loaded)
        bridge.presence_changed.connect(self.on_presence_changed)
        bridge.assignment_changed.connect(self.on_assignment_changed)
        bridge.contest_changed.connect(self.on_contest_changed)
        bridge.state_changed.connect(self.on_state_changed)

    def _fitted_table_height(self) -> int:
        """Room for the contestants (up to 16 rows before the table scrolls)."""
        rows = min(max(self.model.rowCount(), 4), 16)
        header = self.table.horizontalHeader().sizeHint().height()
        return header + rows * self.table.verticalHeader().defaultSectionSize() + 6

    def _apply_column_modes(self) -> None:
        """Judges share the width; number, name and the summary columns fit their text.

        The fitted columns are measured once here (on structure changes), not kept in
        ``ResizeToContents`` mode, which would re-measure every row on each update.
        """
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        fitted = {
            COL_NUMBER: "0000",
            self.model.deductions_col: "Deductions",
            self.model.total_col: "000.00",
            self.model.rank_col: "00 · 00 of 00",  # a provisional rank: "3 · 12 of 15"
        }
        for column, sample in fitted.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            width = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title))
            header.resizeSection(column, width + 24)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnToContents(COL_NAME)
        header.resizeSection(COL_NAME, max(header.sectionSize(COL_NAME), 160))

    def on_score_changed(self, score: Score) -> None:
        """A score arrived: its contestant's row is recomputed at the next frame."""
        if score.category_id == self.category_id:
            if score.judge_id not in self.model.judges:
                self.model.mark_all()
            else:
                self.model.mark_score(score.contestant_id)
            self.judges_model.mark_changed()

    def on_deduction_changed(self, deduction: Deduction) -> None:
        """A deduction was requested or decided."""
        if deduction.category_id == self.category_id:
            self.model.mark_score(deduction.contestant_id)

    def on_score_deleted(self, _score_id: int) -> None:
        """A score was removed: totals and ranks may change."""
        self.model.mark_all()

    def on_snapshot_loaded(self) -> None:
        """Everything may have changed."""
        self.model.mark_all()
        self.judges_model.mark_changed()
        category = self.bridge.core.state.categories.get(self.category_id)
        if category is not None:
            self._apply_contest(self.bridge.core.state.contests.get(category.contest_id))

    def on_presence_changed(self, presence: Presence) -> None:
        """A judge came online, went offline, or reported unsynced entries."""
        del presence
        self.judges_model.mark_changed()

    def on_assignment_changed(self, change: StateChange) -> None:
        """Judges were assigned or unassigned."""
        del change
        self.model.mark_all()
        self.judges_model.mark_changed()

    def on_state_changed(self, change: StateChange) -> None:
        """Tie decisions and outlier reviews re-rank or re-flag the category."""
        if change.kind in (ChangeKind.TIE_DECISION, ChangeKind.OUTLIER_REVIEW):
            if getattr(change.value, "category_id", None) == self.category_id:
                self.model.mark_all()
        elif change.kind is ChangeKind.CATEGORY:
            category = self.bridge.core.state.categories.get(self.category_id)
            if category is not None:
                self.rules_label.setText(rules_in_words(category))
                self.model.mark_all()

    def on_contest_changed(self, contest: Contest) -> None:
        """A contest was locked or unlocked."""
        category = self.bridge.core.state.categories.get(self.category_id)
        if category is not None and category.contest_id == contest.id:
            self._apply_contest(contest)

    def on_model_progress_changed(self, received: int, expected: int) -> None:
        """Scores received against scores expected (shown at most 4 times a second:
        ``QProgressBar.setValue`` repaints synchronously)."""
        self._progress = (received, expected)
        self._progress_coalescer.request()

    def _show_progress(self) -> None:
        received, expected = self._progress
        self.progress.setMaximum(max(expected, 1))
        self.progress.setValue(min(received, max(expected, 1)))
        self.progress.setFormat(f"{received} of {expected} scores received")

    def _apply_contest(self, contest: Contest | None) -> None:
        self.status_label.setText("<b>Locked</b>  " if contest and contest.locked else "")
