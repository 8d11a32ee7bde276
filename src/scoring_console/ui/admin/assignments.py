"""The assignments page: pick lists of judges and tally masters for one category."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scoring_console.protocol.roles import Role
from scoring_console.protocol.setup import Account

from ..bridge import CoreBridge
from .page import AdminPage

_ID_ROLE = Qt.ItemDataRole.UserRole


class AssignmentsPage(AdminPage):
    """Assign judges and tally masters to a category (their consoles follow at once)."""

    def __init__(self, bridge: CoreBridge, parent: QWidget | None = None) -> None:
        super().__init__(bridge, parent)
        self.accounts: list[Account] = []
        self.category = QComboBox(self)
        self.category.setObjectName("assignCategory")
        self.role = QComboBox(self)
        self.role.addItem("Judges", Role.JUDGE)
        self.role.addItem("Tally masters", Role.TALLY_MASTER)
        self.available = QListWidget(self)
        self.available.setObjectName("availableList")
        self.assigned = QListWidget(self)
        self.assigned.setObjectName("assignedList")
        self.assign = QPushButton("Assign →", self)
        self.assign.setObjectName("assignButton")
        self.unassign = QPushButton("← Remove", self)
        self.unassign.setObjectName("unassignButton")
        grid = QGridLayout()
        grid.addWidget(QLabel("Available", self), 0, 0)
        grid.addWidget(QLabel("Assigned", self), 0, 2)
        grid.addWidget(self.available, 1, 0, 2, 1)
        grid.addWidget(self.assign, 1, 1)
        grid.addWidget(self.unassign, 2, 1)
        grid.addWidget(self.assigned, 1, 2, 2, 1)
        column = QVBoxLayout(self)
        column.addWidget(self.category)
        column.addWidget(self.role)
        column.addLayout(grid, 1)
        column.addWidget(self.message)
        self.category.currentIndexChanged.connect(self.on_selection_changed)
        self.role.currentIndexChanged.connect(self.on_selection_changed)
        self.assign.clicked.connect(self.on_assign_clicked)
        self.unassign.clicked.connect(self.on_unassign_clicked)
        bridge.snapshot_loaded.connect(self.on_snapshot_loaded)
        bridge.assignment_changed.connect(lambda _change: self.fill_lists())

    @Slot()
    def on_snapshot_loaded(self) -> None:
        """Refill the category list; reload the accounts in the background."""
        current = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        state = self.state
        for cat in sorted(state.categories.values(), key=lambda c: (c.contest_id, c.id)):
            contest = state.contests.get(cat.contest_id)
            self.category.addItem(f"{cat.name} ({contest.name if contest else '?'})", cat.id)
        index = self.category.findData(current)
        self.category.setCurrentIndex(max(index, 0))
        self.category.blockSignals(False)
        self.tasks.spawn(self._load_accounts(), "load accounts")

    async def _load_accounts(self) -> None:
        try:
            self.accounts = await self.admin.accounts()
        except Exception as exc:
            self.message.show_error(f"Loading the accounts failed: {exc}")
            return
        self.fill_lists()

    @Slot()
    def on_selection_changed(self) -> None:
        """Another category or role: refill the pick lists."""
        self.fill_lists()

    def fill_lists(self) -> None:
        """Available vs. assigned people of the chosen role in the chosen category."""
        category_id, role = self.category.currentData(), self.role.currentData()
        assigned_ids = {
            a.user_id
            for a in self.state.assignments.values()
            if a.category_id == category_id and a.role == role
        }
        self.available.clear()
        self.assigned.clear()
        for account in self.accounts:
            if account.role != role or not account.active:
                continue
            target = self.assigned if account.id in assigned_ids else self.available
            item = QListWidgetItem(f"{account.name} ({account.username})", target)
            item.setData(_ID_ROLE, account.id)

    @Slot()
    def on_assign_clicked(self) -> None:
        """Assign the selected available person."""
        item, category_id = self.available.currentItem(), self.category.currentData()
        if item is not None and category_id is not None:
            # the lists are refilled while the call runs: keep the words, not the items
            user_id, who, where = int(item.data(_ID_ROLE)), item.text(), self.category.currentText()
            self.run(
                f"Assigning {who}",
                lambda: self.admin.assign(user_id, category_id),
                lambda _a: f"{who} assigned to {where}.",
            )

    @Slot()
    def on_unassign_clicked(self) -> None:
        """Remove the selected assigned person (refused for a judge who signed)."""
        item, category_id = self.assigned.currentItem(), self.category.currentData()
        if item is not None and category_id is not None:
            user_id, who, where = int(item.data(_ID_ROLE)), item.text(), self.category.currentText()
            self.run(
                f"Removing {who} from {where}",
                lambda: self.admin.unassign(user_id, category_id),
                lambda _a: f"{who} removed from {where}.",
            )

    def after_call(self) -> None:
        """Show the lists as the state has them now."""
        self.fill_lists()
