"""The notification list, newest first, updated row by row from state changes."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont

from scoring_console.client.state import ChangeKind, StateChange
from scoring_console.protocol.entities import Notification

from ..icons import icon
from .severity import ICON_NAMES

AnyIndex = QModelIndex | QPersistentModelIndex


class NotificationRole(IntEnum):
    """Custom data roles of :class:`NotificationListModel`."""

    NOTIFICATION = Qt.ItemDataRole.UserRole + 1  # the Notification model itself
    ID = Qt.ItemDataRole.UserRole + 2
    UNREAD = Qt.ItemDataRole.UserRole + 3
    SEVERITY = Qt.ItemDataRole.UserRole + 4  # NotificationType value ("info", ...)
    MESSAGE = Qt.ItemDataRole.UserRole + 5
    CREATED_AT = Qt.ItemDataRole.UserRole + 6


def _sort_key(note: Notification) -> tuple[float, int]:
    return (-note.created_at.timestamp(), -note.id)


class NotificationListModel(QAbstractListModel):
    """The user's notifications, newest first, with their read state.

    Live notifications are inserted at their place (``beginInsertRows``), a read
    change updates its row (``dataChanged``), and a snapshot is merged row by row
    (removals, updates, inserts), so views keep their selection and scroll position.

    Signals:
        unread_count_changed(int): the number of unread notifications changed.
    """

    unread_count_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Notification] = []
        self._unread = 0

    # -- reading ------------------------------------------------------------------

    @property
    def unread_count(self) -> int:
        """How many notifications in the model are unread."""
        return self._unread

    def notification_at(self, row: int) -> Notification:
        """The notification shown in ``row``."""
        return self._rows[row]

    def row_of(self, notification_id: int) -> int:
        """The row of a notification id, or -1."""
        for row, note in enumerate(self._rows):
            if note.id == notification_id:
                return row
        return -1

    def unread_ids(self) -> list[int]:
        """Ids of every unread notification, newest first."""
        return [n.id for n in self._rows if not n.read]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        note = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{note.title}\n{note.message}" if note.message else note.title
        if role == Qt.ItemDataRole.ToolTipRole:
            when = note.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            state = "unread" if not note.read else "read"
            return f"{note.title}\n{note.message}\n{when} · {state}"
        if role == Qt.ItemDataRole.DecorationRole:
            return icon(ICON_NAMES[note.type])
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(not note.read)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{'Unread' if not note.read else 'Read'}: {note.title}. {note.message}"
        return self._custom_data(note, role)

    @staticmethod
    def _custom_data(note: Notification, role: int) -> Any:
        if role == NotificationRole.NOTIFICATION:
            return note
        if role == NotificationRole.ID:
            return note.id
        if role == NotificationRole.UNREAD:
            return not note.read
        if role == NotificationRole.SEVERITY:
            return str(note.type)
        if role == NotificationRole.MESSAGE:
            return note.message
        if role == NotificationRole.CREATED_AT:
            return note.created_at
        return None

    # -- updating -----------------------------------------------------------------

    @Slot(object)
    def on_state_changed(self, change: StateChange) -> None:
        """Apply one state change: a notification upsert or a whole snapshot."""
        if change.kind is ChangeKind.NOTIFICATION and isinstance(change.value, Notification):
            self.upsert(change.value)
        elif change.kind is ChangeKind.SNAPSHOT:
            notes = getattr(change.value, "notifications", None)
            if notes is not None:
                self.merge(notes)

    def upsert(self, note: Notification) -> None:
        """Insert a new notification at its place, or update the row it already has."""
        self._put(note)
        self._update_unread()

    def merge(self, notes: Iterable[Notification]) -> None:
        """Make the model equal to ``notes`` with row-level removes, updates and inserts."""
        wanted = {n.id: n for n in notes}
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].id not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        for note in sorted(wanted.values(), key=_sort_key):
            self._put(note)
        self._update_unread()

    def _put(self, note: Notification) -> None:
        # rows are sorted by (time, id): a known notification sits exactly at its key
        row = bisect.bisect_left(self._rows, _sort_key(note), key=_sort_key)
        existing = row if row < len(self._rows) and self._rows[row].id == note.id else -1
        if existing < 0:
            existing = self.row_of(note.id)  # its time changed: find it the slow way
        if existing >= 0 and _sort_key(self._rows[existing]) == _sort_key(note):
            if self._rows[existing] != note:
                self._rows[existing] = note
                index = self.index(existing, 0)
                self.dataChanged.emit(index, index)
            return
        if existing >= 0:  # re-dated: move it by removing and inserting again
            self.beginRemoveRows(QModelIndex(), existing, existing)
            del self._rows[existing]
            self.endRemoveRows()
            row = bisect.bisect_left(self._rows, _sort_key(note), key=_sort_key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, note)
        self.endInsertRows()

    def _update_unread(self) -> None:
        unread = sum(1 for n in self._rows if not n.read)
        if unread != self._unread:
            self._unread = unread
            self.unread_count_changed.emit(unread)
