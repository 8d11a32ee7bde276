"""The structure page: a tree of events → contests → categories, and the editor of what is
selected (event, contest, or category with criteria and contestants)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.admin import name_clash
from scoring_console.protocol.setup import ContestSave, EventSave, SetupKind

from ..bridge import CoreBridge
from .category_editor import CategoryEditor
from .page import AdminPage, changes_text

_KIND_ROLE = Qt.ItemDataRole.UserRole
_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class NodeEditor(AdminPage):
    """Rename an event or contest, and add what goes below it (a contest, a category)."""

    def __init__(self, bridge: CoreBridge, structure: StructurePage) -> None:
        super().__init__(bridge)
        self.structure = structure
        self.kind = "event"
        self.node_id: int | None = None
        self.title = QLabel(self)
        self.name = QLineEdit(self)
        self.name.setObjectName("nodeName")
        self.date = QLineEdit(self)
        self.date.setPlaceholderText("YYYY-MM-DD")
        self.save = QPushButton("Save", self)
        self.delete = QPushButton("Delete", self)
        self.delete.setObjectName("deleteNode")
        self.child_name = QLineEdit(self)
        self.child_name.setObjectName("childName")
        self.add_child = QPushButton(self)
        self.add_child.setObjectName("addChild")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Date", self.date)
        row = QHBoxLayout()
        row.addWidget(self.child_name, 1)
        row.addWidget(self.add_child)
        column = QVBoxLayout(self)
        column.addWidget(self.title)
        column.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save, 1)
        buttons.addWidget(self.delete)
        column.addLayout(buttons)
        column.addLayout(row)
        column.addWidget(self.message)
        column.addStretch(1)
        self.save.clicked.connect(self.on_save_clicked)
        self.delete.clicked.connect(self.on_delete_clicked)
        self.add_child.clicked.connect(self.on_add_child_clicked)

    def show_node(self, kind: str, node_id: int | None, keep_edits: bool = False) -> None:
        """Show an event or contest (``event`` with ``None``: a new event); ``keep_edits``
        (a refresh after a sync) keeps a name typed and not saved yet."""
        same = (kind, node_id) == (self.kind, self.node_id)
        if not same:
            self.child_name.clear()  # a name typed for another node is not this one's
            self.message.clear()
        typed = self.name.text() if keep_edits and same and self.name.isModified() else None
        self.kind, self.node_id = kind, node_id
        is_event = kind == "event"
        self.date.setVisible(is_event)
        if is_event:
            event = self.state.events.get(node_id) if node_id is not None else None
            self.title.setText("<b>Event</b>" if event else "<b>New event</b>")
            self.name.setText(event.name if event else "")
            self.date.setText((event.date or "") if event else "")
            self.add_child.setText("Add contest")
            self.child_name.setPlaceholderText("name of a new contest in this event")
        else:
            contest = self.state.contests.get(node_id)
            self.title.setText(
                "<b>Contest</b>" + (" (locked)" if contest and contest.locked else "")
            )
            self.name.setText(contest.name if contest else "")
            self.add_child.setText("New category…")
            self.child_name.setPlaceholderText("name of a new category in this contest")
        if typed is not None:
            self.name.setText(typed)
            self.name.setModified(True)
        self.add_child.setEnabled(node_id is not None)
        self.delete.setEnabled(node_id is not None)
        self.child_name.setEnabled(node_id is not None)

    @Slot()
    def on_save_clicked(self) -> None:
        """Save the event or contest."""
        if self.kind == "event":
            date = self.date.text().strip() or None
            event = self.validated(
                EventSave, id=self.node_id, name=self.name.text().strip(), date=date
            )
            if event is not None and not self._clashes(SetupKind.EVENT, event.name, None, event.id):

                async def save() -> Any:
                    result = await self.admin.save_event(event.name, event.date, id=event.id)
                    if event.id is None:  # the editor moves on to the new event
                        self.structure.follow("event", result.id)
                    return result

                self.run(f"Saving {event.name}", save, lambda r: changes_text(r.changes))
            return
        contest = self.state.contests.get(self.node_id)
        if contest is None:
            return
        payload = self.validated(
            ContestSave, id=contest.id, eventId=contest.event_id, name=self.name.text().strip()
        )
        if payload is not None and not self._clashes(
            SetupKind.CONTEST, payload.name, contest.event_id, contest.id
        ):
            self.run(
                f"Saving {payload.name}",
                lambda: self.admin.save_contest(payload.event_id, payload.name, id=payload.id),
                lambda r: changes_text(r.changes),
            )

    @Slot()
    def on_delete_clicked(self) -> None:
        """``setup:delete`` of the event or contest (refused while it has children)."""
        node_id = self.node_id
        if node_id is None:
            return
        kind = SetupKind.EVENT if self.kind == "event" else SetupKind.CONTEST
        self.run(
            f"Deleting {self.name.text()}",
            lambda: self.admin.delete(kind, node_id),
            lambda r: changes_text(r.changes),
        )

    @Slot()
    def on_add_child_clicked(self) -> None:
        """An event gets a new contest; a contest opens the editor of a new category."""
        if self.node_id is None:
            return
        if self.kind == "contest":
            self.structure.new_category(self.node_id, self.child_name.text().strip())
            self.child_name.clear()
            return
        payload = self.validated(
            ContestSave, eventId=self.node_id, name=self.child_name.text().strip()
        )
        if payload is not None and not self._clashes(
            SetupKind.CONTEST, payload.name, self.node_id, None
        ):
            self.run(
                f"Adding contest {payload.name}",
                lambda: self.admin.save_contest(payload.event_id, payload.name),
                lambda r: changes_text(r.changes),
            )

    def _clashes(
        self, kind: SetupKind, name: str, parent_id: int | None, own_id: int | None
    ) -> bool:
        """True (with the reason shown) when ``name`` is already another node's."""
        clash = name_clash(self.state, kind, name, parent_id, own_id)
        if clash is not None:
            self.message.show_error(f"Not sent: {clash}.")
        return clash is not None

    def after_call(self) -> None:
        """Clear the new-child name."""
        self.child_name.clear()


class StructurePage(QWidget):
    """Events → contests → categories, with an editor for the selected node."""

    def __init__(self, bridge: CoreBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("structureTree")
        self.tree.setHeaderLabels(["Competition"])
        self.new_event = QPushButton("New event", self)
        self.nodes = NodeEditor(bridge, self)
        self.category = CategoryEditor(bridge)
        self.editors = QStackedWidget(self)
        self.editors.addWidget(self.nodes)
        self.editors.addWidget(self.category)
        left = QWidget(self)
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.tree, 1)
        left_column.addWidget(self.new_event)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(self.editors)
        splitter.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(splitter)
        self._select_next: tuple[str, int] | None = None
        self._refreshing = False
        self.tree.currentItemChanged.connect(self.on_current_item_changed)
        self.category.category_created.connect(self.on_category_created)
        self.new_event.clicked.connect(lambda: self._edit("event", None))
        bridge.snapshot_loaded.connect(self.on_snapshot_loaded)
        self.on_snapshot_loaded()

    @Slot()
    def on_snapshot_loaded(self) -> None:
        """Rebuild the tree from the new state, keeping the selection."""
        selected = self._select_next or self.selected()
        state = self.bridge.core.state
        self.tree.blockSignals(True)
        self.tree.clear()
        items: dict[tuple[str, int], QTreeWidgetItem] = {}
        for event in sorted(state.events.values(), key=lambda e: e.id):
            items[("event", event.id)] = self._item(self.tree, "event", event.id, event.name)
        for contest in sorted(state.contests.values(), key=lambda c: c.id):
            parent = items.get(("event", contest.event_id))
            label = contest.name + (" 🔒" if contest.locked else "")
            items[("contest", contest.id)] = self._item(
                parent or self.tree, "contest", contest.id, label
            )
        for category in sorted(state.categories.values(), key=lambda c: c.id):
            parent = items.get(("contest", category.contest_id))
            items[("category", category.id)] = self._item(
                parent or self.tree, "category", category.id, category.name
            )
        self.tree.expandAll()
        self.tree.blockSignals(False)
        if selected is None:
            # start on the first category: what an office edits most
            selected = next((key for key in items if key[0] == "category"), None)
        if selected is not None and selected in items:
            if selected == self._select_next:
                self._select_next = None
            self._refreshing = True  # the same node again: keep what is being typed
            try:
                self.tree.setCurrentItem(items[selected])
            finally:
                self._refreshing = False
        elif not items:
            self._edit("event", None)

    @staticmethod
    def _item(parent: Any, kind: str, node_id: int, label: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [label])
        item.setData(0, _KIND_ROLE, kind)
        item.setData(0, _ID_ROLE, node_id)
        return item

    def selected(self) -> tuple[str, int] | None:
        """``(kind, id)`` of the selected tree node."""
        item = self.tree.currentItem()
        if item is None:
            return None
        return str(item.data(0, _KIND_ROLE)), int(item.data(0, _ID_ROLE))

    def select(self, kind: str, node_id: int) -> None:
        """Select a node (tests and other pages use it)."""
        for item in self.tree.findItems(
            "*", Qt.MatchFlag.MatchWildcard | Qt.MatchFlag.MatchRecursive
        ):
            if item.data(0, _KIND_ROLE) == kind and item.data(0, _ID_ROLE) == node_id:
                self.tree.setCurrentItem(item)
                return
        raise KeyError((kind, node_id))

    @Slot(int)
    def on_category_created(self, category_id: int) -> None:
        """Select the new category in the tree."""
        self.follow("category", category_id)

    def follow(self, kind: str, node_id: int) -> None:
        """Select a node just created (now, or once the sync brings it)."""
        try:
            self.select(kind, node_id)
        except KeyError:
            self._select_next = (kind, node_id)

    @Slot(object, object)
    def on_current_item_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        """Show the editor of the selected node."""
        if current is None:
            return
        kind, node_id = str(current.data(0, _KIND_ROLE)), int(current.data(0, _ID_ROLE))
        self._edit(kind, node_id, keep_edits=self._refreshing)

    def _edit(self, kind: str, node_id: int | None, keep_edits: bool = False) -> None:
        if kind == "category" and node_id is not None:
            self.category.show_category(node_id, keep_edits)
            self.editors.setCurrentWidget(self.category)
        else:
            self.nodes.show_node(kind, node_id, keep_edits)
            self.editors.setCurrentWidget(self.nodes)

    def new_category(self, contest_id: int, name: str) -> None:
        """Open the category editor on a new category of ``contest_id``."""
        self.category.new_in(contest_id)
        self.category.name.setText(name)
        self.editors.setCurrentWidget(self.category)
