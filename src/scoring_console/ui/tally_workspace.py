"""The tally master's workspace: one tab per visible category, each a live tally."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from .outputs_hooks import on_tally_view_created
from .tally_category_view import TallyCategoryView

if TYPE_CHECKING:
    from .bridge import CoreBridge


class TallyWorkspace(QWidget):
    """Tabs of :class:`TallyCategoryView`, added as categories become visible.

    Signals:
        category_shown(int): the tally of this category is now on screen.
    """

    category_shown = Signal(int)

    def __init__(self, bridge: CoreBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.views: dict[int, TallyCategoryView] = {}
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.empty_label = QLabel("No category to show yet.", self)
        self.empty_label.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(self.on_tabs_current_changed)
        bridge.snapshot_loaded.connect(self.refresh_categories)
        bridge.category_changed.connect(lambda _c: self.refresh_categories())
        bridge.assignment_changed.connect(lambda _c: self.refresh_categories())
        self.refresh_categories()

    def refresh_categories(self) -> None:
        """Add a tab for every category that appeared, follow renames, and drop the tab of
        a category that was deleted in the office (it used to stay, under its old name)."""
        state = self.bridge.core.state
        for category_id, view in list(self.views.items()):
            category = state.categories.get(category_id)
            if category is None:
                del self.views[category_id]
                self.tabs.removeTab(self.tabs.indexOf(view))
                view.deleteLater()
                continue
            index = self.tabs.indexOf(view)
            if self.tabs.tabText(index) != category.name:
                self.tabs.setTabText(index, category.name)
                view.title.setText(f"<h2>{html.escape(category.name)}</h2>")
        for category_id in sorted(state.categories):
            if category_id not in self.views:
                view = TallyCategoryView(self.bridge, category_id, self.tabs)
                on_tally_view_created(view, self.bridge)  # a score-history context menu entry
                self.views[category_id] = view
                self.tabs.addTab(view, state.categories[category_id].name)
        self.empty_label.setVisible(not self.views)
        self.tabs.setVisible(bool(self.views))

    def on_tabs_current_changed(self, _index: int) -> None:
        """Another category's tab was chosen."""
        view = self.current_view()
        if view is not None:
            self.category_shown.emit(view.category_id)

    def current_category_id(self) -> int | None:
        """The category on screen."""
        view = self.current_view()
        return view.category_id if view is not None else None

    def current_view(self) -> TallyCategoryView | None:
        """The tally on screen."""
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, TallyCategoryView) else None
