"""Placement-impact preview: the ranking before and after a change, side by side.

Shown before a deduction, a score removal or a correction is approved (DOMjudge's
rejudge preview, for judged scores). Both rankings come from the protocol's rule code
over the console's live state (:mod:`scoring_console.client.standings`); every
contestant whose rank changes is highlighted on both sides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QWidget,
)

from scoring_console.client.standings import (
    PlacementPreview,
    preview_deduction,
    preview_removal,
)
from scoring_console.client.state import StateStore
from scoring_console.protocol.entities import Contestant, Deduction, RemovalRequest
from scoring_console.protocol.scoring import CategoryResult

from .requests_dialogs import DecisionDialog

CHANGED_ROLE = Qt.ItemDataRole.UserRole + 20
"""True on the rows of contestants whose rank changes."""
_HEADERS = ("Rank", "#", "Contestant", "Total")
AnyIndex = QModelIndex | QPersistentModelIndex


def placement_preview(
    state: StateStore, item: Deduction | RemovalRequest
) -> PlacementPreview | None:
    """The preview for approving a deduction or a removal request (``None``: unknown
    category, nothing to show)."""
    if isinstance(item, Deduction):
        return preview_deduction(state, item)
    return preview_removal(state, item)


class RankingModel(QAbstractTableModel):
    """One side of the preview: rank, number, name, total; changed rows highlighted."""

    def __init__(
        self,
        contestants: Mapping[int, Contestant],
        result: CategoryResult,
        changed: set[int],
        other: CategoryResult,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.contestants = contestants
        self.result = result
        self.changed = changed
        self._other = other.ranks()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.result.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[section] if 0 <= section < len(_HEADERS) else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.result.rows[index.row()]
        changed = row.contestant_id in self.changed
        if role == Qt.ItemDataRole.DisplayRole:
            contestant = self.contestants.get(row.contestant_id)
            if index.column() == 0:
                return str(row.rank)
            if index.column() == 1:
                return str(contestant.number) if contestant else ""
            if index.column() == 2:
                return contestant.name if contestant else f"Contestant {row.contestant_id}"
            return self.result.display(row.total)
        if role == CHANGED_ROLE:
            return changed
        if role == Qt.ItemDataRole.BackgroundRole and changed:
            return QColor(255, 200, 0, 110)
        if role == Qt.ItemDataRole.FontRole and changed:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and changed:
            other = self._other.get(row.contestant_id)
            return f"Rank {other} on the other side" if other is not None else None
        return None


def _table(model: RankingModel, parent: QWidget, name: str) -> QTableView:
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    return table


class PlacementPreviewWidget(QWidget):
    """Before and after, side by side, with a one-line summary of what moves."""

    def __init__(self, preview: PlacementPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        changed = preview.changed()
        people = preview.contestants
        self.before_model = RankingModel(people, preview.before, changed, preview.after, self)
        self.after_model = RankingModel(people, preview.after, changed, preview.before, self)
        self.before_table = _table(self.before_model, self, "previewBefore")
        self.after_table = _table(self.after_model, self, "previewAfter")
        names = [people[c].name if c in people else f"Contestant {c}" for c in sorted(changed)]
        text = "Placements change for: " + ", ".join(names) if changed else "No placement changes."
        self.summary = QLabel(text, self)
        self.summary.setObjectName("previewSummary")
        self.summary.setWordWrap(True)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Before</b>", self), 0, 0)
        layout.addWidget(QLabel("<b>After</b>", self), 0, 1)
        layout.addWidget(self.before_table, 1, 0)
        layout.addWidget(self.after_table, 1, 1)
        layout.addWidget(self.summary, 2, 0, 1, 2)


class PlacementDecisionDialog(DecisionDialog):
    """The approve dialog with the placement preview above the note."""

    def __init__(
        self,
        title: str,
        summary: str,
        preview: PlacementPreview,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, summary, True, parent)
        self.preview = PlacementPreviewWidget(preview, self)
        layout = self.layout()
        if layout is not None and hasattr(layout, "insertWidget"):
            layout.insertWidget(1, self.preview, 1)
        self.resize(760, 520)
