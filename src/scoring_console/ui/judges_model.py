"""The judges panel: each judge of a category with presence and unsynced entries.

Rows are the category's judges; columns say whether the judge's console is online,
when it was last seen, how many entries still wait on the judge's device — with the
age of that count, or "unknown" when it is stale (:mod:`scoring_console.client.judges`
decides) — how many of the judge's writes the server refused, and how many of the
judge's scores the server holds. Ages move on by themselves: the model re-reads its rows
every :data:`TICK_MS`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor

from scoring_console.client.clock import Clock, utc_now
from scoring_console.client.judges import pending_status
from scoring_console.client.state import StateStore

from .frame_coalescer import FrameCoalescer
from .icons import icon

COL_JUDGE = 0
COL_STATUS = 1
COL_LAST_SEEN = 2
COL_PENDING = 3
COL_REFUSED = 4
COL_SCORES = 5
HEADERS = ("Judge", "Status", "Last seen", "Unsynced on device", "Refused", "Scores in")
TICK_MS = 5000

REFRESH_MS = 250

AnyIndex = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    delta = now.timestamp() - when.timestamp()
    if delta < 60:
        return "just now"
    if delta < 3600:
        return f"{int(delta // 60)} min ago"
    return when.astimezone().strftime("%H:%M")


class JudgesModel(QAbstractTableModel):
    """Presence and progress of the judges of one category."""

    def __init__(
        self,
        state: StateStore,
        category_id: int,
        parent: QObject | None = None,
        *,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.clock = clock
        self.category_id = category_id
        self._judges: list[int] = []
        self._rows: dict[int, tuple[str, ...]] = {}
        self._counts: dict[int, int] = {}
        # the panel is read at a glance: four refreshes a second are plenty
        self._coalescer = FrameCoalescer(self.refresh, REFRESH_MS, parent=self)
        self._tick = QTimer(self)
        self._tick.timeout.connect(self.mark_changed)  # ages ("2 min ago") and refusals
        self._tick.start(TICK_MS)
        self.refresh()

    def mark_changed(self) -> None:
        """Presence, assignments or scores changed: refresh within one frame."""
        self._coalescer.request()

    def refresh(self) -> None:
        """Recompute the rows; insert new judges, emit ``dataChanged`` for changed rows."""
        judges = self.state.judges_of(self.category_id)
        self._counts = {}
        for score in self.state.scores_in(self.category_id):
            self._counts[score.judge_id] = self._counts.get(score.judge_id, 0) + 1
        if judges[: len(self._judges)] != self._judges:
            self.beginResetModel()
            self._judges = judges
            self._rows = {j: self._row_values(j) for j in judges}
            self.endResetModel()
            return
        new = judges[len(self._judges) :]
        if new:
            first = len(self._judges)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._judges.extend(new)
            for judge_id in new:
                self._rows[judge_id] = self._row_values(judge_id)
            self.endInsertRows()
        for row, judge_id in enumerate(self._judges):
            values = self._row_values(judge_id)
            if values != self._rows.get(judge_id):
                self._rows[judge_id] = values
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def _row_values(self, judge_id: int) -> tuple[str, ...]:
        presence = self.state.presence.get(judge_id)
        category = self.state.categories.get(self.category_id)
        per_judge = len(category.criteria) * len(category.contestant_ids) if category else 0
        count = sum(1 for s in self.state.scores_in(self.category_id) if s.judge_id == judge_id)
        name = self.state.user_name(judge_id) or f"Judge {judge_id}"
        online = bool(presence and presence.online)
        now = self.clock()
        refused = len(self.state.refused_in(self.category_id, judge_id))
        return (
            name,
            "Online" if online else "Offline",
            "now" if online else _ago(presence.last_seen if presence else None, now),
            pending_status(presence, now).describe() if presence else "unknown",
            str(refused) if refused else "–",
            f"{count} / {per_judge}",
        )

    def judge_at(self, row: int) -> int | None:
        """The judge id shown in ``row``."""
        return self._judges[row] if 0 <= row < len(self._judges) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._judges)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation is Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        judge_id = self.judge_at(index.row()) if index.isValid() else None
        if judge_id is None or not 0 <= index.column() < len(HEADERS):
            return None
        values = self._rows[judge_id]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return values[column]
        if role == Qt.ItemDataRole.DecorationRole and column == COL_STATUS:
            return icon("connected" if values[COL_STATUS] == "Online" else "offline")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_REFUSED, COL_SCORES):
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_PENDING:
            return (
                "Entries saved on the judge's device that have not reached the server, as "
                "of the judge's last heartbeat; unknown while the judge is offline"
            )
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_REFUSED:
            return self._refused_tooltip(judge_id)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == COL_REFUSED
            and values[COL_REFUSED] != "–"
        ):
            return QBrush(QColor("#c0392b"))
        return None

    def _refused_tooltip(self, judge_id: int) -> str:
        refused = self.state.refused_in(self.category_id, judge_id)
        if not refused:
            return "No write of this judge was refused"
        lines = [f"{len(refused)} write(s) refused by the server:"]
        category = self.state.categories.get(self.category_id)
        criteria = {c.id: c.name for c in category.criteria} if category else {}
        for item in refused[-8:]:
            who = self.state.contestants.get(item.contestant_id or 0)
            cell = (
                f"#{who.number} {who.name}, {criteria.get(item.criterion_id or 0, 'a criterion')}"
                if who is not None
                else "an entry"
            )
            value = f" = {item.score:g}" if item.score is not None else ""
            lines.append(f"• {cell}{value}: {item.reason}")
        return "\n".join(lines)
