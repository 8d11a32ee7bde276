"""Table models of the requests panel: deductions and score removal requests.

Each model holds the requests of one kind (pending ones, or all with ``include_decided``)
ordered by id, and follows the state with keyed row updates: a new request is an
inserted row, a decision a changed row (or a removed one when decided requests are
hidden), a snapshot a merge. Names of users, contestants and criteria come from the
state through a :class:`Names` helper.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QGuiApplication, QPalette

from scoring_console.client.state import ChangeKind, StateChange, StateStore
from scoring_console.protocol.entities import Deduction, RemovalRequest, RequestStatus

from .rows_model import AnyIndex, RowsTableModel

Request = TypeVar("Request", Deduction, RemovalRequest)

STATUS_TEXT = {
    RequestStatus.PENDING: "Pending",
    RequestStatus.APPROVED: "Approved",
    RequestStatus.REJECTED: "Rejected",
}


class Names:
    """Display names from the state: users, contestants, categories, criteria."""

    def __init__(self, state: StateStore) -> None:
        self._state = state

    def user(self, user_id: int | None, name: str | None = None) -> str:
        """A user's name ("you" for the current user); ``name`` as the server sent it.

        The server names requesters and deciders on each request: an auditor or the
        board sees no presence or assignment of the tally master who asked.
        """
        if user_id is None:
            return ""
        me = self._state.user
        if me is not None and me.id == user_id:
            return f"{me.name} (you)"
        return name or self._state.user_name(user_id) or "another user"

    def contestant(self, contestant_id: int) -> str:
        """``"3 · Cleo"`` — number and name."""
        c = self._state.contestants.get(contestant_id)
        return f"{c.number} · {c.name}" if c is not None else f"Contestant #{contestant_id}"

    def category(self, category_id: int) -> str:
        """A category's name."""
        c = self._state.categories.get(category_id)
        return c.name if c is not None else f"Category #{category_id}"

    def criterion(self, category_id: int, criterion_id: int) -> str:
        """A criterion's name within its category."""
        category = self._state.categories.get(category_id)
        for criterion in category.criteria if category is not None else []:
            if criterion.id == criterion_id:
                return criterion.name
        return f"Criterion #{criterion_id}"


class RequestTableModel(RowsTableModel[Request]):
    """Requests of one kind, by id, with keyed incremental updates."""

    KIND: ChangeKind = ChangeKind.DEDUCTION

    def __init__(
        self, state: StateStore, include_decided: bool = False, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.names = Names(state)
        self._state = state
        self._include_decided = include_decided
        self.merge(self._source())

    # -- reading ------------------------------------------------------------------

    def request_at(self, row: int) -> Request:
        """The request shown in ``row``."""
        return self._rows[row]

    def row_of(self, request_id: int) -> int:
        """The row of a request id, or -1."""
        for row, item in enumerate(self._rows):
            if item.id == request_id:
                return row
        return -1

    def pending_count(self) -> int:
        """How many requests in the model await a decision."""
        return sum(1 for r in self._rows if r.status is RequestStatus.PENDING)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            values = self.values(item)
            return values[index.column()] if index.column() < len(values) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(item)
        if role == Qt.ItemDataRole.ForegroundRole and item.status is not RequestStatus.PENDING:
            palette = QGuiApplication.palette()  # decided requests read as done: dimmed
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None

    def values(self, item: Request) -> tuple[Any, ...]:
        """The display values of one row (subclasses)."""
        raise NotImplementedError

    def tooltip(self, item: Request) -> str:
        """Reason and decision of one request."""
        text = f"Reason: {item.reason}"
        if item.status is not RequestStatus.PENDING:
            by = self.names.user(item.decided_by, item.decided_by_name)
            text += f"\n{STATUS_TEXT[item.status]} by {by}"
            if item.decision_note:
                text += f": {item.decision_note}"
        return text

    # -- updating -----------------------------------------------------------------

    @property
    def include_decided(self) -> bool:
        """Whether approved and rejected requests are listed too."""
        return self._include_decided

    def set_include_decided(self, include: bool) -> None:
        """List decided requests too (or only pending ones)."""
        if include != self._include_decided:
            self._include_decided = include
            self.merge(self._source())

    def on_state_changed(self, change: StateChange) -> None:
        """Apply a change of this kind, or re-read everything after a snapshot."""
        if change.kind is ChangeKind.SNAPSHOT:
            self.merge(self._source())
        elif change.kind is self.KIND and change.value is not None:
            self.upsert(change.value)

    def upsert(self, item: Request) -> None:
        """Insert, update or (when decided and hidden) remove one request's row."""
        row = self.row_of(item.id)
        wanted = self._wanted(item)
        if row >= 0 and not wanted:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
        elif row >= 0:
            if self._rows[row] != item:
                self._rows[row] = item
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        elif wanted:
            row = sum(1 for r in self._rows if r.id < item.id)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, item)
            self.endInsertRows()

    def merge(self, items: Iterable[Request]) -> None:
        """Make the rows equal to ``items`` (filtered) with row-level changes only."""
        wanted = {i.id: i for i in items if self._wanted(i)}
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].id not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        for item in sorted(wanted.values(), key=lambda i: i.id):
            self.upsert(item)

    def _wanted(self, item: Request) -> bool:
        return self._include_decided or item.status is RequestStatus.PENDING

    def _source(self) -> Iterable[Request]:
        raise NotImplementedError


class DeductionTableModel(RequestTableModel[Deduction]):
    """Deductions: category, contestant, amount, reason, requester, status."""

    HEADERS = ("Category", "Contestant", "Amount", "Reason", "Requested by", "Status")
    KIND = ChangeKind.DEDUCTION

    def values(self, item: Deduction) -> tuple[Any, ...]:
        return (
            self.names.category(item.category_id),
            self.names.contestant(item.contestant_id),
            f"−{item.amount:g}",
            item.reason,
            self.names.user(item.requested_by, item.requested_by_name),
            STATUS_TEXT[item.status],
        )

    def _source(self) -> Iterable[Deduction]:
        return self._state.deductions.values()


class RemovalTableModel(RequestTableModel[RemovalRequest]):
    """Score removal requests: category, contestant, criterion, judge, reason, status."""

    HEADERS = ("Category", "Contestant", "Criterion", "Judge", "Reason", "Requested by", "Status")
    KIND = ChangeKind.REMOVAL

    def values(self, item: RemovalRequest) -> tuple[Any, ...]:
        return (
            self.names.category(item.category_id),
            self.names.contestant(item.contestant_id),
            self.names.criterion(item.category_id, item.criterion_id),
            self.names.user(item.judge_id, item.judge_name),
            item.reason,
            self.names.user(item.requested_by, item.requested_by_name),
            STATUS_TEXT[item.status],
        )

    def _source(self) -> Iterable[RemovalRequest]:
        return self._state.removal_requests.values()
