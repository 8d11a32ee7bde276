"""Decide where each event is announced: the tray, the window, and the sound.

:class:`TrayNotifier` watches the state through the :class:`CoreBridge` and turns four
kinds of news into :class:`Notice`s — a new notification, an announcement, a category
whose certification completed, a new assignment of the current user. While the main
window is not active and the tray can show messages (and the user allows it), a notice
goes to the tray; otherwise it is posted in-window (``notice_posted``, which the toast
overlay shows). Announcements are not posted in-window: the banner is their in-window
form. The first snapshot only records what exists; later snapshots (after a
reconnect) announce what arrived while the console was away, collapsed when many.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from scoring_console.client.connection import ConnectionState, ConnectionStatus
from scoring_console.client.relogin import LoginEvent, LoginEventKind
from scoring_console.client.servers import server_label
from scoring_console.client.state import ChangeKind, StateChange, StateStore
from scoring_console.protocol.entities import (
    Announcement,
    Assignment,
    Certification,
    CertificationStatus,
    Notification,
    NotificationType,
)

from ..bridge import CoreBridge
from .sound import NotificationSound
from .tray import TrayAdapter

log = logging.getLogger(__name__)

COLLAPSE_AFTER = 3
"""More news than this from one snapshot is shown as a single summary notice."""

DUPLICATE_WINDOW = 10.0
"""Seconds within which a second notice with the same title and category is dropped.

The server reports some news twice — ``assignment:new`` plus a "New assignment"
notification, ``certification:updated`` (certified) plus a "Certification completed"
notification to the board — and the user should hear about it once.
"""


class NoticeKind(StrEnum):
    """What a notice is about."""

    NOTIFICATION = "notification"
    ANNOUNCEMENT = "announcement"
    CERTIFICATION = "certification"
    ASSIGNMENT = "assignment"
    SUMMARY = "summary"
    CONNECTION = "connection"


CONNECTION_LOST = "Connection lost. Reconnecting..."
CONNECTION_RESTORED = "Connection restored"
LOGIN_NEEDED = "Login needed"


@dataclass(frozen=True)
class Notice:
    """Something worth telling the user now, wherever it ends up."""

    kind: NoticeKind
    title: str
    message: str
    severity: NotificationType
    key: int | None = None
    category_id: int | None = None


class TrayNotifier(QObject):
    """Routes news to the tray (window inactive) or to in-window notices.

    ``window`` is the main window whose activity decides the route; without one,
    :meth:`QApplication.activeWindow` decides. ``is_window_active`` replaces both (a
    seam for embedding and tests).

    Signals:
        notice_posted(Notice): show this in the window (toasts connect here).
        notice_sent_to_tray(Notice): this notice went to the tray.
        open_requested(): the user clicked a tray message or the tray icon.
    """

    notice_posted = Signal(object)
    notice_sent_to_tray = Signal(object)
    open_requested = Signal()

    def __init__(
        self,
        bridge: CoreBridge,
        tray: TrayAdapter,
        window: QWidget | None = None,
        sound: NotificationSound | None = None,
        is_window_active: Callable[[], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tray = tray
        self.sound = sound
        self.tray_messages_enabled = True
        self._state: StateStore = bridge.core.state
        self._window = window
        self._is_active = is_window_active
        self._seeded = False
        self._notes: set[int] = set()
        self._announcements: set[int] = set()
        self._certified: set[int] = set()
        self._assignments: set[int] = set()
        self._online = _is_online(getattr(bridge.core, "connection", None))
        self._was_connected = self._online
        self._lost = False
        self._server: str | None = getattr(getattr(bridge.core, "connection", None), "server", None)
        self._tray_state: tuple[str, str] | None = None
        self._clock = clock
        self._recent: dict[tuple[str, int], float] = {}
        tray.message_clicked.connect(self.open_requested)
        tray.activated.connect(self.open_requested)
        bridge.state_changed.connect(self.on_state_changed)
        bridge.connection_changed.connect(self.on_connection_changed)
        bridge.login_changed.connect(self.on_login_changed)
        if self._state.user is not None:
            self._seed()
        self._update_tray_state()

    # -- routing ------------------------------------------------------------------

    def window_active(self) -> bool:
        """Whether the user is looking at the console right now."""
        if self._is_active is not None:
            return self._is_active()
        if self._window is not None:
            return self._window.isVisible() and self._window.isActiveWindow()
        return QApplication.activeWindow() is not None

    def post(self, notice: Notice) -> None:
        """Announce one notice: tray when the window is inactive and a tray exists."""
        if self._is_duplicate(notice):
            return
        use_tray = (
            self.tray_messages_enabled and not self.window_active() and self.tray.is_available()
        )
        if use_tray:
            self.tray.show_message(notice.title, notice.message, notice.severity)
            self.notice_sent_to_tray.emit(notice)
        elif notice.kind is not NoticeKind.ANNOUNCEMENT:
            self.notice_posted.emit(notice)
        if self.sound is not None:
            self.sound.play()

    def _is_duplicate(self, notice: Notice) -> bool:
        if notice.category_id is None:
            return False
        now = self._clock()
        self._recent = {k: t for k, t in self._recent.items() if now - t < DUPLICATE_WINDOW}
        key = (notice.title, notice.category_id)
        if key in self._recent:
            return True
        self._recent[key] = now
        return False

    # -- state --------------------------------------------------------------------

    @Slot(object)
    def on_state_changed(self, change: StateChange) -> None:
        """Turn one state change into notices (or, for snapshots, record the baseline)."""
        if change.kind is ChangeKind.SNAPSHOT:
            if self._seeded:
                self._announce_missed()
            else:
                self._seed()
        elif self._seeded:
            notice = self._notice_for(change)
            if notice is not None:
                self.post(notice)
        if change.kind in (ChangeKind.SNAPSHOT, ChangeKind.NOTIFICATION):
            self._update_tray_state()

    @Slot(object)
    def on_connection_changed(self, state: ConnectionState) -> None:
        """Show the offline tray icon while the link is down; say when it drops and returns.

        The seed's client messages: "Connection lost. Reconnecting..." when a link that
        was up goes down, "Connection restored" when it is back.
        """
        online = _is_online(state)
        self._online = online
        self._update_tray_state()
        notice = self._connection_notice(state)
        if notice is not None:
            self.post(notice)

    @Slot(object)
    def on_login_changed(self, event: LoginEvent) -> None:
        """Say it (toast, or tray when the window is in the background) when a login is
        needed — with the core's reason — and when the console logged in by itself."""
        if event.kind is LoginEventKind.REQUIRED:
            self.post(
                Notice(NoticeKind.CONNECTION, LOGIN_NEEDED, event.reason, NotificationType.WARNING)
            )
        else:
            self.post(
                Notice(
                    NoticeKind.CONNECTION,
                    "Logged in again",
                    f"Signed in again with the {event.via or 'saved sign-in'}.",
                    NotificationType.SUCCESS,
                )
            )

    def _connection_notice(self, state: ConnectionState) -> Notice | None:
        if state.status is ConnectionStatus.CONNECTED:
            self._was_connected = True
            previous, self._server = self._server, state.server or self._server
            if self._lost:
                self._lost = False
                body = "Scores saved on this computer are being sent."
                if previous and state.server and state.server != previous:
                    # another node of the cluster answered: say which one we are on now
                    body = f"Connected to {server_label(state.server)}. {body}"
                return Notice(
                    NoticeKind.CONNECTION, CONNECTION_RESTORED, body, NotificationType.SUCCESS
                )
            return None
        if state.status is ConnectionStatus.RECONNECTING and self._was_connected:
            self._was_connected = False
            self._lost = True
            return Notice(
                NoticeKind.CONNECTION,
                CONNECTION_LOST,
                "Keep scoring: entries are saved on this computer and sent when the "
                "connection is back.",
                NotificationType.WARNING,
            )
        return None

    def _seed(self) -> None:
        self._seeded = True
        self._notes = set(self._state.notifications)
        self._announcements = set(self._state.announcements)
        self._certified = {k for k, c in self._state.certifications.items() if _is_certified(c)}
        self._assignments = set(self._state.assignments)

    def _notice_for(self, change: StateChange) -> Notice | None:
        value = change.value
        if isinstance(value, Notification):
            return self._note_notice(value)
        if isinstance(value, Announcement):
            return self._announcement_notice(value)
        if isinstance(value, Certification):
            return self._certification_notice(value)
        if isinstance(value, Assignment):
            return self._assignment_notice(value)
        return None

    def _note_notice(self, note: Notification) -> Notice | None:
        if note.id in self._notes:
            return None
        self._notes.add(note.id)
        if note.read:
            return None
        return Notice(
            NoticeKind.NOTIFICATION, note.title, note.message, note.type, note.id, note.category_id
        )

    def _announcement_notice(self, item: Announcement) -> Notice | None:
        if item.id in self._announcements:
            return None
        self._announcements.add(item.id)
        return Notice(NoticeKind.ANNOUNCEMENT, "Announcement", item.message, item.type, item.id)

    def _certification_notice(self, cert: Certification) -> Notice | None:
        if not _is_certified(cert) or cert.category_id in self._certified:
            return None
        self._certified.add(cert.category_id)
        name = self._category_name(cert.category_id)
        return Notice(
            NoticeKind.CERTIFICATION,
            "Certification completed",
            f"{name} is certified by judges, tally master, auditor and board.",
            NotificationType.SUCCESS,
            cert.category_id,
            cert.category_id,
        )

    def _assignment_notice(self, item: Assignment) -> Notice | None:
        if item.id in self._assignments:
            return None
        user = self._state.user
        if user is None or item.user_id != user.id:
            self._assignments.add(item.id)
            return None
        if item.category_id not in self._state.categories:
            # a new category arrives with the sync that follows its assignment: say its
            # name then (from the snapshot's missed-notice pass), never "Category 3"
            return None
        self._assignments.add(item.id)
        role = item.role.replace("_", " ").lower()
        return Notice(
            NoticeKind.ASSIGNMENT,
            "New assignment",
            f"You are assigned to {self._category_name(item.category_id)} as {role}.",
            NotificationType.INFO,
            item.id,
            item.category_id,
        )

    def _announce_missed(self) -> None:
        notices: list[Notice] = []
        for note in sorted(self._state.notifications.values(), key=lambda n: n.id):
            notices.extend(n for n in [self._note_notice(note)] if n)
        for item in sorted(self._state.announcements.values(), key=lambda a: a.id):
            notices.extend(n for n in [self._announcement_notice(item)] if n)
        for cert in self._state.certifications.values():
            notices.extend(n for n in [self._certification_notice(cert)] if n)
        for assignment in self._state.assignments.values():
            notices.extend(n for n in [self._assignment_notice(assignment)] if n)
        if len(notices) > COLLAPSE_AFTER:
            worst = max(notices, key=lambda n: _SEVERITY_ORDER[n.severity]).severity
            self.post(
                Notice(
                    NoticeKind.SUMMARY,
                    f"{len(notices)} updates while you were away",
                    "Open the notification center to see them.",
                    worst,
                )
            )
        else:
            for notice in notices:
                self.post(notice)

    def _category_name(self, category_id: int) -> str:
        category = self._state.categories.get(category_id)
        return category.name if category is not None else f"Category {category_id}"

    def _update_tray_state(self) -> None:
        unread = self._state.unread_count()
        if not self._online:
            wanted = ("tray-offline", "Scoring Console — offline")
        elif unread:
            wanted = ("tray-unread", f"Scoring Console — {unread} unread")
        else:
            wanted = ("tray", "Scoring Console")
        if wanted != self._tray_state:
            self._tray_state = wanted
            self.tray.set_state(*wanted)


_SEVERITY_ORDER = {
    NotificationType.SUCCESS: 0,
    NotificationType.INFO: 1,
    NotificationType.WARNING: 2,
    NotificationType.ERROR: 3,
}


def _is_certified(cert: Certification) -> bool:
    return cert.status is CertificationStatus.CERTIFIED


def _is_online(state: ConnectionState | None) -> bool:
    return state is not None and state.status is ConnectionStatus.CONNECTED
