"""The category editor: name, criteria (name, max score, in sheet order) and contestants."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.admin import name_clash, number_clash
from scoring_console.protocol.entities import Category
from scoring_console.protocol.setup import (
    CategorySave,
    ContestantSave,
    CriterionInput,
    SetupKind,
)

from ..bridge import CoreBridge
from .page import AdminPage, changes_text

_ID_ROLE = Qt.ItemDataRole.UserRole


class CategoryEditor(AdminPage):
    """Edit one category (or create one in a contest with :meth:`new_in`).

    Signals:
        category_created(int): a new category was saved (its id), so the tree selects it.
    """

    category_created = Signal(int)

    def __init__(self, bridge: CoreBridge, parent: QWidget | None = None) -> None:
        super().__init__(bridge, parent)
        self.category_id: int | None = None
        self.contest_id: int | None = None
        self.title = QLabel(self)
        self.name = QLineEdit(self)
        self.name.setObjectName("categoryName")
        self.criteria = QTableWidget(0, 3, self)
        self.criteria.setObjectName("criteriaTable")
        self.criteria.setHorizontalHeaderLabels(["Criterion", "Max score", "Weight"])
        self.criteria.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.add_criterion = QPushButton("Add criterion", self)
        self.remove_criterion = QPushButton("Remove criterion", self)
        self.save = QPushButton("Save category", self)
        self.save.setObjectName("saveCategory")
        self.delete = QPushButton("Delete category", self)
        self.delete.setObjectName("deleteCategory")
        self.contestants = QTableWidget(0, 2, self)
        self.contestants.setObjectName("contestantsTable")
        self.contestants.setHorizontalHeaderLabels(["Number", "Contestant"])
        self.contestants.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.contestants.setEditTriggers(
            QTableWidget.EditTrigger.DoubleClicked | QTableWidget.EditTrigger.EditKeyPressed
        )
        self.contestants.setToolTip("Double-click a name to correct it (everywhere they compete)")
        self.number = QLineEdit(self)
        self.number.setObjectName("contestantNumber")
        self.number.setPlaceholderText("Number")
        self.number.setMaximumWidth(80)
        self.person = QLineEdit(self)
        self.person.setObjectName("contestantName")
        self.person.setPlaceholderText("Name")
        self.add_contestant = QPushButton("Add contestant", self)
        self.add_contestant.setObjectName("addContestant")
        self.remove_contestant = QPushButton("Remove", self)
        self.remove_contestant.setToolTip("Take the selected contestant out of this category")
        self._layout()
        self.add_criterion.clicked.connect(self.on_add_criterion_clicked)
        self.remove_criterion.clicked.connect(self.on_remove_criterion_clicked)
        self.save.clicked.connect(self.on_save_clicked)
        self.delete.clicked.connect(self.on_delete_clicked)
        self.add_contestant.clicked.connect(self.on_add_contestant_clicked)
        self.remove_contestant.clicked.connect(self.on_remove_contestant_clicked)
        self.contestants.itemChanged.connect(self.on_contestant_item_changed)
        self.criteria_edited = False
        self.criteria.itemChanged.connect(self.on_criteria_edited)

    def _layout(self) -> None:
        # criteria and contestants side by side, few rows of buttons: the dock is wide and
        # low, so the tally above it keeps its rows
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(QLabel("Name", self))
        heading.addWidget(self.name, 1)
        heading.addWidget(self.save)
        heading.addWidget(self.delete)
        criteria_buttons = QHBoxLayout()
        for button in (self.add_criterion, self.remove_criterion):
            criteria_buttons.addWidget(button)
        criteria_column = QVBoxLayout()
        criteria_column.addWidget(self.criteria, 1)
        criteria_column.addLayout(criteria_buttons)
        adding = QHBoxLayout()
        for widget in (self.number, self.person, self.add_contestant, self.remove_contestant):
            adding.addWidget(widget)
        contestants_column = QVBoxLayout()
        contestants_column.addWidget(self.contestants, 1)
        contestants_column.addLayout(adding)
        columns = QHBoxLayout()
        columns.addLayout(criteria_column, 1)
        columns.addLayout(contestants_column, 1)
        column = QVBoxLayout(self)
        column.addLayout(heading)
        column.addLayout(columns, 1)
        column.addWidget(self.message)

    # -- showing ------------------------------------------------------------------------

    def show_category(self, category_id: int, keep_edits: bool = False) -> None:
        """Edit an existing category; ``keep_edits`` (a refresh after a sync) keeps what
        was typed into this category's name and criteria and not saved yet."""
        category: Category | None = self.state.categories.get(category_id)
        if category is None:
            return
        same = keep_edits and category_id == self.category_id
        self.category_id, self.contest_id = category.id, category.contest_id
        contest = self.state.contests.get(category.contest_id)
        self.title.setText(f"<b>{category.name}</b> — {contest.name if contest else ''}")
        # a sync while the office types (someone else's change, or adding a contestant
        # here) must not throw away the name and criteria not saved yet
        if not (same and self.name.isModified()):
            self.name.setText(category.name)
        if not (same and self.criteria_edited):
            self._fill_criteria([(c.id, c.name, c.max_score, c.weight) for c in category.criteria])
        self._fill_contestants()

    def new_in(self, contest_id: int) -> None:
        """Prepare a new category in a contest (one criterion to start from)."""
        self.category_id, self.contest_id = None, contest_id
        contest = self.state.contests.get(contest_id)
        self.title.setText(f"<b>New category</b> — {contest.name if contest else ''}")
        self.name.clear()
        self._fill_criteria([(None, "", 10.0, Decimal(1))])
        self.contestants.setRowCount(0)

    def _fill_criteria(self, rows: list[tuple[int | None, str, float, Decimal]]) -> None:
        self.criteria.blockSignals(True)
        self.criteria.setRowCount(0)
        for criterion_id, name, max_score, weight in rows:
            self._append_criterion(criterion_id, name, f"{max_score:g}", str(weight))
        self.criteria.blockSignals(False)
        self.criteria_edited = False

    @Slot()
    def on_criteria_edited(self) -> None:
        """The criteria table differs from the server's until it is saved."""
        self.criteria_edited = True

    def _append_criterion(
        self, criterion_id: int | None, name: str, max_text: str, weight_text: str = "1"
    ) -> None:
        row = self.criteria.rowCount()
        self.criteria.insertRow(row)
        item = QTableWidgetItem(name)
        item.setData(_ID_ROLE, criterion_id)
        self.criteria.setItem(row, 0, item)
        self.criteria.setItem(row, 1, QTableWidgetItem(max_text))
        self.criteria.setItem(row, 2, QTableWidgetItem(weight_text))

    def _fill_contestants(self) -> None:
        people = self.state.contestants_in(self.category_id) if self.category_id else []
        self.contestants.blockSignals(True)
        self.contestants.setRowCount(0)
        for person in people:
            row = self.contestants.rowCount()
            self.contestants.insertRow(row)
            number = QTableWidgetItem(str(person.number))
            number.setData(_ID_ROLE, person.id)
            number.setFlags(number.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.contestants.setItem(row, 0, number)
            self.contestants.setItem(row, 1, QTableWidgetItem(person.name))
        self.contestants.blockSignals(False)

    def after_call(self) -> None:
        """Show the category as the server has it now (nothing once it was deleted)."""
        if self.category_id is not None and self.category_id in self.state.categories:
            self.show_category(self.category_id, keep_edits=True)

    # -- criteria -------------------------------------------------------------------------

    @Slot()
    def on_add_criterion_clicked(self) -> None:
        """A new, empty criterion row at the end."""
        self._append_criterion(None, "", "10")
        self.criteria_edited = True
        self.criteria.setCurrentCell(self.criteria.rowCount() - 1, 0)

    @Slot()
    def on_remove_criterion_clicked(self) -> None:
        """Drop the selected criterion row (sent with Save; refused while it has scores)."""
        row = self.criteria.currentRow()
        if row >= 0:
            self.criteria.removeRow(row)
            self.criteria_edited = True

    def criteria_inputs(self) -> list[dict[str, Any]]:
        """The criteria rows as ``category:save`` wants them (maxScore as typed)."""
        rows = []
        for row in range(self.criteria.rowCount()):
            name_item, max_item = self.criteria.item(row, 0), self.criteria.item(row, 1)
            text = max_item.text().strip().replace(",", ".") if max_item else ""
            try:
                max_score: Any = float(text)
            except ValueError:
                max_score = text
            entry: dict[str, Any] = {"name": name_item.text().strip() if name_item else ""}
            entry["maxScore"] = max_score
            weight_item = self.criteria.item(row, 2)
            weight = weight_item.text().strip().replace(",", ".") if weight_item else ""
            entry["weight"] = weight or "1"
            criterion_id = name_item.data(_ID_ROLE) if name_item else None
            if criterion_id is not None:
                entry["id"] = int(criterion_id)
            rows.append(entry)
        return rows

    @Slot()
    def on_save_clicked(self) -> None:
        """Validate like the server, then ``category:save``."""
        if self.contest_id is None:
            return
        payload = self.validated(
            CategorySave,
            id=self.category_id,
            contestId=self.contest_id,
            name=self.name.text().strip(),
            criteria=self.criteria_inputs(),
        )
        if payload is None:
            return
        clash = name_clash(
            self.state, SetupKind.CATEGORY, payload.name, payload.contest_id, payload.id
        )
        if clash is not None:
            self.message.show_error(f"Not sent: {clash}.")
            return
        criteria = [CriterionInput.model_validate(c.model_dump()) for c in payload.criteria]

        async def save() -> Any:
            result = await self.admin.save_category(
                payload.contest_id, payload.name, criteria, id=payload.id
            )
            self.category_id = result.id
            self.criteria_edited = False  # saved: show what the server has now
            self.name.setModified(False)
            if payload.id is None:
                self.category_created.emit(result.id)
            return result

        self.run(f"Saving {payload.name}", save, lambda r: changes_text(r.changes))

    @Slot()
    def on_delete_clicked(self) -> None:
        """``setup:delete`` of this category (refused while it has scores or signatures)."""
        category_id = self.category_id
        if category_id is None:
            return
        self.run(
            f"Deleting {self.name.text()}",
            lambda: self.admin.delete(SetupKind.CATEGORY, category_id),
            lambda r: changes_text(r.changes),
        )

    # -- contestants --------------------------------------------------------------------

    @Slot()
    def on_add_contestant_clicked(self) -> None:
        """Create (or find by number) a contestant and add them to this category."""
        category_id = self.category_id
        if category_id is None:
            self.message.show_error("Save the category first.")
            return
        text = self.number.text().strip()
        payload = self.validated(
            ContestantSave,
            number=int(text) if text.isdigit() else text,
            name=self.person.text().strip(),
        )
        if payload is None:
            return
        clash = number_clash(self.state, payload.number, payload.name)
        if clash is not None:
            self.message.show_error(f"Not sent: {clash}.")
            return
        existing = next(
            (p for p in self.state.contestants.values() if p.number == payload.number), None
        )

        async def add() -> Any:
            saved = await self.admin.save_contestant(
                payload.number, payload.name, id=existing.id if existing else None
            )
            members = [p.id for p in self.state.contestants_in(category_id)]
            added = await self.admin.set_contestants(category_id, [*members, saved.id])
            return [*saved.changes, *added.changes]

        def done(changes: list[str]) -> str:
            self.number.clear()
            self.person.clear()
            return changes_text(changes)

        self.run(f"Adding contestant {payload.number}", add, done)

    @Slot(QTableWidgetItem)
    def on_contestant_item_changed(self, item: QTableWidgetItem) -> None:
        """A name corrected in the table: ``contestant:save`` of that person (their number
        stays); an empty or invalid name is refused and the old one shown again."""
        number_item = self.contestants.item(item.row(), 0)
        if item.column() != 1 or number_item is None:
            return
        person = self.state.contestants.get(int(number_item.data(_ID_ROLE)))
        if person is None or item.text().strip() == person.name:
            return
        payload = self.validated(ContestantSave, number=person.number, name=item.text().strip())
        if payload is None:
            self._fill_contestants()
            return
        self.run(
            f"Renaming contestant {person.number}",
            lambda: self.admin.save_contestant(person.number, payload.name, id=person.id),
            lambda r: changes_text(r.changes),
        )

    @Slot()
    def on_remove_contestant_clicked(self) -> None:
        """Take the selected contestant out of this category (refused if they have scores)."""
        category_id, row = self.category_id, self.contestants.currentRow()
        item = self.contestants.item(row, 0) if row >= 0 else None
        if category_id is None or item is None:
            return
        gone = int(item.data(_ID_ROLE))
        members = [p.id for p in self.state.contestants_in(category_id) if p.id != gone]
        self.run(
            f"Removing contestant {item.text()}",
            lambda: self.admin.set_contestants(category_id, members),
            lambda r: changes_text(r.changes),
        )
