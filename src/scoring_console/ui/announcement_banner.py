"""The announcement banner: ``system:announcement`` across the top of the window.

Shows the newest announcement not yet dismissed, styled by severity, with "+N more"
when several are queued (their texts in the tooltip). "Dismiss" shows the next one;
"Dismiss all" clears the queue. Announcements from a snapshot older than ``max_age``
(relative to the server's clock) are not queued, so a restart does not replay last
night's messages; live ones always are.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from scoring_console.client.state import ChangeKind, StateChange
from scoring_console.protocol.entities import Announcement, Snapshot

from .bridge import CoreBridge
from .icons import icon
from .notifications.severity import ICON_NAMES, LABELS, severity_stylesheet

DEFAULT_MAX_AGE = timedelta(hours=12)


class AnnouncementBanner(QWidget):
    """A dismissable banner for system announcements (hidden while none is queued).

    ``dismissed_ids`` are announcements the user already dismissed (e.g. restored from
    settings); :meth:`dismissed_ids` returns the current set to save.

    Signals:
        dismissed(int): the user dismissed the announcement with this id.
        queue_changed(int): the number of queued (not dismissed) announcements changed.
    """

    dismissed = Signal(int)
    queue_changed = Signal(int)

    def __init__(
        self,
        bridge: CoreBridge,
        parent: QWidget | None = None,
        max_age: timedelta = DEFAULT_MAX_AGE,
        dismissed_ids: Iterable[int] = (),
    ) -> None:
        super().__init__(parent)
        self._state = bridge.core.state
        self._clock = bridge.clock
        self._max_age = max_age
        self._dismissed: set[int] = set(dismissed_ids)
        self._queue: dict[int, Announcement] = {}
        self._count = -1

        self.icon_label = QLabel()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.more_label = QLabel()
        self.dismiss_button = QToolButton()
        self.dismiss_button.setIcon(icon("close"))
        self.dismiss_button.setText("Dismiss")
        self.dismiss_button.setToolTip("Dismiss this announcement")
        self.dismiss_button.setAccessibleName("Dismiss announcement")
        self.dismiss_button.clicked.connect(self.on_dismiss_clicked)
        self.dismiss_all_button = QToolButton()
        self.dismiss_all_button.setText("Dismiss all")
        self.dismiss_all_button.clicked.connect(self.on_dismiss_all_clicked)
        for label in (self.icon_label, self.message_label, self.more_label):
            label.setStyleSheet("border: none; background: transparent;")
        # the severity style goes on an inner card: a widget with a style sheet no longer
        # hears of palette (theme) changes, and the banner itself must
        self.card = QFrame()
        self.card.setObjectName("announcementBanner")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.card)
        row = QHBoxLayout(self.card)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.icon_label)
        row.addWidget(self.message_label, 1)
        row.addWidget(self.more_label)
        row.addWidget(self.dismiss_all_button)
        row.addWidget(self.dismiss_button)

        bridge.state_changed.connect(self.on_state_changed)
        self._load(self._state.announcements.values(), self._clock())

    # -- reading ------------------------------------------------------------------

    def queue(self) -> list[Announcement]:
        """Queued announcements, newest first."""
        return sorted(self._queue.values(), key=lambda a: (a.timestamp, a.id), reverse=True)

    @property
    def current(self) -> Announcement | None:
        """The announcement on show, or ``None``."""
        queued = self.queue()
        return queued[0] if queued else None

    def dismissed_ids(self) -> set[int]:
        """Ids the user dismissed (to persist between runs)."""
        return set(self._dismissed)

    # -- slots --------------------------------------------------------------------

    @Slot(object)
    def on_state_changed(self, change: StateChange) -> None:
        """Queue a live announcement; re-read the list after a snapshot."""
        if change.kind is ChangeKind.ANNOUNCEMENT and isinstance(change.value, Announcement):
            if change.value.id not in self._dismissed:
                self._queue[change.value.id] = change.value
                self._refresh()
        elif change.kind is ChangeKind.SNAPSHOT:
            now = change.value.server_time if isinstance(change.value, Snapshot) else None
            self._load(self._state.announcements.values(), now or self._clock())

    @Slot()
    def on_dismiss_clicked(self) -> None:
        """Dismiss the announcement on show; the next newest takes its place."""
        shown = self.current
        if shown is None:
            return
        self._dismissed.add(shown.id)
        del self._queue[shown.id]
        self._refresh()
        self.dismissed.emit(shown.id)

    @Slot()
    def on_dismiss_all_clicked(self) -> None:
        """Dismiss every queued announcement."""
        for item in self.queue():
            self._dismissed.add(item.id)
            del self._queue[item.id]
            self.dismissed.emit(item.id)
        self._refresh()

    def changeEvent(self, event: QEvent) -> None:
        """Re-derive the severity colours when the theme (palette) changes."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.current is not None:
            self._refresh()

    # -- internals ----------------------------------------------------------------

    def _load(self, items: Iterable[Announcement], now: datetime) -> None:
        fresh = {
            a.id: a
            for a in items
            if a.id not in self._dismissed and _aware(now) - _aware(a.timestamp) <= self._max_age
        }
        # keep live ones the snapshot still knows about even if they aged meanwhile
        known = {a.id for a in self._state.announcements.values()}
        kept = {k: v for k, v in self._queue.items() if k in known}
        self._queue = {**kept, **fresh}
        self._refresh()

    def _refresh(self) -> None:
        shown = self.current
        count = len(self._queue)
        if count != self._count:
            self._count = count
            self.queue_changed.emit(count)
        if shown is None:
            self.hide()
            return
        self.card.setStyleSheet(severity_stylesheet(shown.type, "QFrame#announcementBanner"))
        self.icon_label.setPixmap(icon(ICON_NAMES[shown.type]).pixmap(20, 20))
        when = shown.timestamp.astimezone().strftime("%H:%M")
        self.message_label.setText(f"{shown.message}  ({when})")
        self.setAccessibleName(f"Announcement, {LABELS[shown.type]}: {shown.message}")
        older = self.queue()[1:]
        self.more_label.setVisible(bool(older))
        self.dismiss_all_button.setVisible(bool(older))
        self.more_label.setText(f"+{len(older)} more" if older else "")
        self.more_label.setToolTip("\n".join(f"• {a.message}" for a in older))
        self.show()


def _aware(moment: datetime) -> datetime:
    # a naive timestamp (an old cache, a foreign server) is taken as UTC, never a crash
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
