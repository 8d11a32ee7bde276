"""The Competition workspace: structure, accounts, assignments and announcements as tabs."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QTabWidget, QWidget

from ..bridge import CoreBridge
from .accounts import AccountsPage
from .announce import AnnouncementComposer
from .assignments import AssignmentsPage
from .structure import StructurePage

#: The dock's first height (before the user drags it): low enough that the tally above
#: keeps several rows on a 780-pixel-high window, high enough for five criteria rows.
DEFAULT_HEIGHT = 240


class CompetitionWorkspace(QTabWidget):
    """Everything an organizer or admin sets up, each page talking to the server itself."""

    def __init__(self, bridge: CoreBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("competitionWorkspace")
        self.structure = StructurePage(bridge)
        self.accounts = AccountsPage(bridge)
        self.assignments = AssignmentsPage(bridge)
        self.announcements = AnnouncementComposer(bridge)
        self.addTab(self.structure, "Structure")
        self.addTab(self.accounts, "Accounts")
        self.addTab(self.assignments, "Assignments")
        self.addTab(self.announcements, "Announcements")
        self.currentChanged.connect(self.on_current_changed)

    def sizeHint(self) -> QSize:
        """Wide and low: the main window gives the bottom dock this height at first."""
        return QSize(super().sizeHint().width(), DEFAULT_HEIGHT)

    def on_current_changed(self, index: int) -> None:
        """Load the account list when its page is first shown."""
        if self.widget(index) is self.accounts and not self.accounts.accounts:
            self.accounts.on_refresh_clicked()

    def task_sets(self) -> list[object]:
        """Background calls of every page (for shutdown)."""
        pages = (self.structure.nodes, self.structure.category, self.accounts, self.assignments)
        return [page.tasks for page in (*pages, self.announcements)]
