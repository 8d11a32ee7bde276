"""The judge's workspace: assigned categories on the left, the chosen sheet on the right.

Picking a category (click or arrow keys) shows its sheet and leaves the keyboard focus
in the list; Enter or Tab then moves into the sheet, onto its marked current cell —
so the first digit typed lands where the judge sees the frame, never one cell further.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from scoring_console.protocol.roles import Role

from .judge_sheet_view import JudgeSheetView
from .outputs_hooks import on_judge_sheet_created
from .plausibility import PlausibilityRule
from .score_delegate import Confirm
from .settings import UserSettings

if TYPE_CHECKING:
    from .bridge import CoreBridge

CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 1


class JudgeWorkspace(QWidget):
    """Category list and one :class:`JudgeSheetView` per category (built on first view).

    Signals:
        category_shown(int): the sheet of this category is now on screen.
    """

    category_shown = Signal(int)

    def __init__(
        self,
        bridge: CoreBridge,
        confirm: Confirm | None = None,
        parent: QWidget | None = None,
        settings: UserSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.confirm = confirm
        self.rule = rule_from(settings) if settings is not None else PlausibilityRule()
        self.sheets: dict[int, JudgeSheetView] = {}
        self._built_from: dict[int, tuple[object, ...]] = {}
        self.category_list = QListWidget(self)
        self.category_list.setObjectName("categoryList")
        self.category_list.setMinimumWidth(160)
        self.category_list.currentItemChanged.connect(self.on_category_list_current_changed)
        self.category_list.itemActivated.connect(self.on_category_list_item_activated)
        self.stack = QStackedWidget(self)
        self.empty_label = QLabel("No category is assigned to you yet.", self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setEnabled(False)
        self.stack.addWidget(self.empty_label)

        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(8, 8, 0, 8)
        heading = QLabel("<b>My categories</b>", side)
        side_layout.addWidget(heading)
        side_layout.addWidget(self.category_list)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("judgeSplitter")
        self.splitter.addWidget(side)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([210, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        bridge.snapshot_loaded.connect(self.refresh_categories)
        bridge.assignment_changed.connect(lambda _change: self.refresh_categories())
        bridge.category_changed.connect(lambda _category: self.refresh_categories())
        self.refresh_categories()

    def category_ids(self) -> list[int]:
        """Categories this judge scores: assigned ones (or all visible when none is)."""
        state = self.bridge.core.state
        user = state.user
        assigned = [
            a.category_id
            for a in state.assignments.values()
            if user is not None and a.user_id == user.id and a.role is Role.JUDGE
        ]
        ids = assigned or list(state.categories)
        return sorted({i for i in ids if i in state.categories})

    def refresh_categories(self) -> None:
        """Rebuild the category list (keeps the current category when still there)."""
        state = self.bridge.core.state
        current = self.current_category_id()
        ids = self.category_ids()
        shown = [
            self.category_list.item(row).data(CATEGORY_ROLE)
            for row in range(self.category_list.count())
        ]
        if shown != ids:
            self.category_list.blockSignals(True)
            self.category_list.clear()
            for category_id in ids:
                item = QListWidgetItem(state.categories[category_id].name)
                item.setData(CATEGORY_ROLE, category_id)
                self.category_list.addItem(item)
            self.category_list.blockSignals(False)
        self._drop_outdated_sheets()
        self._update_labels()
        target = current if current in ids else (ids[0] if ids else None)
        if target is None:
            self.stack.setCurrentWidget(self.empty_label)
        else:
            self.show_category(target)

    def _layout_of(self, category_id: int) -> tuple[object, ...]:
        """What a sheet is built from: the category's name, criteria and contestants."""
        state = self.bridge.core.state
        category = state.categories.get(category_id)
        if category is None:
            return ()
        return (
            category.name,
            tuple((c.id, c.name, c.max_score) for c in category.criteria),
            tuple((p.id, p.number, p.name) for p in state.contestants_in(category_id)),
        )

    def _drop_outdated_sheets(self) -> None:
        """Sheets built before a set-up change (a criterion added, a contestant renamed,
        the category renamed) are rebuilt on their next showing, so the judge scores what
        the office set up without restarting. Scores live in the state and the outbox;
        a sheet with a call still running is left for the next refresh."""
        for category_id, sheet in list(self.sheets.items()):
            if self._built_from.get(category_id) == self._layout_of(category_id):
                continue
            if len(sheet.tasks):
                continue
            del self.sheets[category_id]
            self.stack.removeWidget(sheet)
            sheet.hide()
            sheet.deleteLater()

    def current_category_id(self) -> int | None:
        """The category whose sheet is shown."""
        item = self.category_list.currentItem()
        value = item.data(CATEGORY_ROLE) if item is not None else None
        return value if isinstance(value, int) else None

    def current_sheet(self) -> JudgeSheetView | None:
        """The sheet on screen."""
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, JudgeSheetView) else None

    def show_category(self, category_id: int) -> JudgeSheetView:
        """Show (and build on first use) the sheet of ``category_id``."""
        sheet = self.sheets.get(category_id)
        if sheet is None:
            sheet = JudgeSheetView(self.bridge, category_id, self.confirm, self.stack, self.rule)
            sheet.progress_changed.connect(lambda *_: self._update_labels())
            on_judge_sheet_created(sheet, self.bridge)  # history menu entry, reopen reason
            self.sheets[category_id] = sheet
            self._built_from[category_id] = self._layout_of(category_id)
            self.stack.addWidget(sheet)
            self._update_labels()
        changed = self.stack.currentWidget() is not sheet
        self.stack.setCurrentWidget(sheet)
        QWidget.setTabOrder(self.category_list, sheet.table)  # Tab: list → the sheet's cells
        if changed:
            self.category_shown.emit(category_id)
        for row in range(self.category_list.count()):
            item = self.category_list.item(row)
            if item.data(CATEGORY_ROLE) == category_id and self.category_list.currentRow() != row:
                self.category_list.blockSignals(True)
                self.category_list.setCurrentRow(row)
                self.category_list.blockSignals(False)
        return sheet

    def _update_labels(self) -> None:
        """Each category with the judge's progress on it, e.g. ``Vocal (5/18)``."""
        state = self.bridge.core.state
        user = state.user
        for row in range(self.category_list.count()):
            item = self.category_list.item(row)
            category_id = item.data(CATEGORY_ROLE)
            category = state.categories.get(category_id)
            if category is None:
                continue
            sheet = self.sheets.get(category_id)
            if sheet is not None:
                filled, total = sheet.model.filled_count(), sheet.model.cell_count()
            else:
                total = len(category.criteria) * len(category.contestant_ids)
                filled = sum(
                    1
                    for s in state.scores_in(category_id)
                    if user is not None and s.judge_id == user.id and s.score is not None
                )
            item.setText(f"{category.name}  ({filled}/{total})")

    def apply_settings(self, settings: UserSettings) -> None:
        """Use changed user settings (the unusual-score question) on every sheet."""
        self.rule = rule_from(settings)
        for sheet in self.sheets.values():
            sheet.set_rule(self.rule)

    def on_category_list_current_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        """The judge picked another category: show it, the focus stays in the list.

        Moving the focus here made the judge's next Tab (meant to leave the list) move
        one cell on inside the sheet, and the next arrow key move in the sheet.
        """
        if current is not None:
            self.show_category(current.data(CATEGORY_ROLE))

    def on_category_list_item_activated(self, item: QListWidgetItem) -> None:
        """Enter (or a double click) on a category: into its sheet, at the current cell."""
        sheet = self.show_category(item.data(CATEGORY_ROLE))
        sheet.table.setFocus(Qt.FocusReason.OtherFocusReason)


def rule_from(settings: UserSettings) -> PlausibilityRule:
    """The unusual-score rule the user chose in the settings."""
    return PlausibilityRule(gap_percent=settings.unusual_score_gap)
