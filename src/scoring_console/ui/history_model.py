"""The audit trail as a table model: one row per recorded change, oldest first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from scoring_console.export.audit_report import change_text
from scoring_console.export.text import when
from scoring_console.protocol.audit import AuditEntry

AnyIndex = QModelIndex | QPersistentModelIndex

COL_WHEN, COL_WHO, COL_ACTION, COL_WHAT, COL_CHANGE, COL_REASON, COL_DEVICE = range(7)
HEADERS = ("When", "Who", "Action", "What", "Old → new", "Reason", "Device")


class AuditTableModel(QAbstractTableModel):
    """Rows of :class:`AuditEntry`, filtered by a free text (matched in every column)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[AuditEntry] = []
        self._rows: list[AuditEntry] = []
        self._text = ""

    @property
    def entries(self) -> list[AuditEntry]:
        """The rows shown now (after the text filter)."""
        return list(self._rows)

    def set_entries(self, entries: list[AuditEntry]) -> None:
        """Show a new page of entries (a full reload: a history is read, not streamed)."""
        self.beginResetModel()
        self._all = list(entries)
        self._rows = [e for e in self._all if self._matches(e)]
        self.endResetModel()

    def set_text_filter(self, text: str) -> None:
        """Keep only rows with ``text`` in any column (case-insensitive)."""
        self._text = text.strip().lower()
        self.set_entries(self._all)

    def _matches(self, entry: AuditEntry) -> bool:
        if not self._text:
            return True
        return self._text in " ".join(self._cells(entry)).lower()

    @staticmethod
    def _cells(entry: AuditEntry) -> tuple[str, ...]:
        return (
            when(entry.at),
            entry.actor_username,
            entry.action,
            entry.label,
            change_text(entry),
            entry.reason or "",
            (entry.client_id or "")[:8],
        )

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells(entry)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == COL_DEVICE:
            return entry.client_id
        return None
