"""The notification center: the list, the unread count, and marking as read.

:class:`NotificationCenter` is a plain widget; :class:`NotificationDock` puts it in a
:class:`QDockWidget` whose title carries the unread count. Marking as read is an
online call (``core.mark_read``); a failure is shown above the list with what to do,
and the list stays as it was.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..bridge import CoreBridge
from .aio import async_slot
from .failures import describe_failure
from .model import NotificationListModel

log = logging.getLogger(__name__)

MAX_IDS_PER_CALL = 500
"""The protocol's limit on ids in one ``notification:read`` call."""


class NotificationCenter(QWidget):
    """The notification list with "mark as read" and "mark all as read".

    Signals:
        unread_count_changed(int): the unread count changed (the main window's badge).
        notification_activated(Notification): the user opened a notification
            (double-click or Enter), e.g. to jump to its category.
        mark_read_finished(bool): a mark-as-read call ended (True: it succeeded).
    """

    unread_count_changed = Signal(int)
    notification_activated = Signal(object)
    mark_read_finished = Signal(bool)

    def __init__(self, bridge: CoreBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = bridge.core
        self.model = NotificationListModel(self)
        self.model.merge(self._core.state.notifications.values())
        bridge.state_changed.connect(self.model.on_state_changed)
        self.model.unread_count_changed.connect(self._on_unread_count_changed)

        self.summary_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c0392b;")
        self.error_label.hide()
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(False)
        self.view.setAlternatingRowColors(True)
        self.view.setAccessibleName("Notifications")
        self.view.activated.connect(self._on_view_activated)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.mark_read_button = QPushButton("Mark as &read")
        self.mark_read_button.setToolTip("Mark the selected notifications as read")
        self.mark_read_button.clicked.connect(self.on_mark_read_clicked)
        self.mark_all_button = QPushButton("Mark &all as read")
        self.mark_all_button.clicked.connect(self.on_mark_all_clicked)

        # the summary sits above the buttons, so the dock stays narrow (and its minimum
        # width does not change with the text) next to a wide workspace
        self.summary_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.mark_read_button)
        buttons.addWidget(self.mark_all_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addWidget(self.view, 1)
        self._busy = False
        self._on_unread_count_changed(self.model.unread_count)

    @property
    def unread_count(self) -> int:
        """How many notifications are unread."""
        return self.model.unread_count

    def selected_ids(self) -> list[int]:
        """Ids of the selected notifications, in list order."""
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        return [self.model.notification_at(r).id for r in rows]

    # -- actions ------------------------------------------------------------------

    @async_slot()
    async def on_mark_read_clicked(self) -> None:
        """Mark the selected unread notifications as read."""
        unread = set(self.model.unread_ids())
        await self.mark_read([i for i in self.selected_ids() if i in unread])

    @async_slot()
    async def on_mark_all_clicked(self) -> None:
        """Mark every unread notification as read."""
        await self.mark_read(self.model.unread_ids())

    async def mark_read(self, ids: list[int]) -> bool:
        """Ask the server to mark ``ids`` read; show what went wrong if it fails."""
        if not ids or self._busy:
            return False
        self._busy = True
        self._update_buttons()
        self.error_label.hide()
        try:
            for start in range(0, len(ids), MAX_IDS_PER_CALL):
                await self._core.mark_read(ids[start : start + MAX_IDS_PER_CALL])
        except Exception as exc:
            log.info("mark as read failed: %s", exc)
            self.error_label.setText(describe_failure("Marking as read", exc))
            self.error_label.show()
            ok = False
        else:
            # the core applies the read state after the ack; applying it again is a no-op
            self._core.state.mark_read(ids)
            ok = True
        finally:
            self._busy = False
            self._update_buttons()
        self.mark_read_finished.emit(ok)
        return ok

    # -- internals ----------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_view_activated(self, index: QModelIndex) -> None:
        note = self.model.notification_at(index.row())
        self.notification_activated.emit(note)
        if not note.read:  # opening a notification counts as reading it
            self._mark_one(note.id)

    @async_slot(int)
    async def _mark_one(self, note_id: int) -> None:
        await self.mark_read([note_id])

    @Slot(int)
    def _on_unread_count_changed(self, count: int) -> None:
        total = self.model.rowCount()
        self.summary_label.setText(
            f"{count} unread of {total}" if total else "No notifications yet"
        )
        self._update_buttons()
        self.unread_count_changed.emit(count)

    def _update_buttons(self, *_: object) -> None:
        unread = set(self.model.unread_ids())
        selected_unread = any(i in unread for i in self.selected_ids())
        self.mark_read_button.setEnabled(not self._busy and selected_unread)
        self.mark_all_button.setEnabled(not self._busy and bool(unread))


class NotificationDock(QDockWidget):
    """A dock holding a :class:`NotificationCenter`; its title shows the unread count."""

    def __init__(self, bridge: CoreBridge, parent: QWidget | None = None) -> None:
        super().__init__("Notifications", parent)
        self.setObjectName("notificationDock")
        self.center = NotificationCenter(bridge, self)
        self.setWidget(self.center)
        self.center.unread_count_changed.connect(self._on_unread_count_changed)
        self._on_unread_count_changed(self.center.unread_count)

    @Slot(int)
    def _on_unread_count_changed(self, count: int) -> None:
        self.setWindowTitle(f"Notifications ({count})" if count else "Notifications")

    def open(self) -> None:
        """Show and raise the dock, focusing the list (a toast or tray click)."""
        self.show()
        self.raise_()
        self.center.view.setFocus(Qt.FocusReason.OtherFocusReason)
