"""The status bar: connection state, pending count, server, user and role.

"Connected", "Reconnecting in 4 s — 3 pending", "Offline — 3 pending",
"Login needed — 3 pending": the judge always knows whether what they typed has
reached the server. The reconnect countdown ticks locally from the core's
``retry_in``. With several servers (a cluster) it names the one in use:
"Connected to score2.venue:8765".
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from scoring_console.client.connection import ConnectionState, ConnectionStatus
from scoring_console.client.servers import server_label
from scoring_console.protocol.entities import UserInfo

from .icons import icon

ROLE_LABELS = {
    "JUDGE": "Judge",
    "TALLY_MASTER": "Tally master",
    "AUDITOR": "Auditor",
    "BOARD": "Board",
    "ORGANIZER": "Organizer",
    "ADMIN": "Administrator",
}

_ICONS = {
    ConnectionStatus.CONNECTED: "connected",
    ConnectionStatus.CONNECTING: "reconnecting",
    ConnectionStatus.RECONNECTING: "reconnecting",
    ConnectionStatus.OFFLINE: "offline",
    ConnectionStatus.AUTH_FAILED: "offline",
}


def connection_text(
    state: ConnectionState, pending: int, retry_at: float | None, several: bool = False
) -> str:
    """The connection part of the status bar (``several``: name the server in use)."""
    suffix = f" — {pending} pending" if pending else ""
    status = state.status
    if status is ConnectionStatus.CONNECTED:
        connected = "Connected"
        if several and state.server:
            connected = f"Connected to {server_label(state.server)}"
        return f"{connected} — sending {pending}" if pending else connected
    if status is ConnectionStatus.CONNECTING:
        return "Connecting…" + suffix
    if status is ConnectionStatus.RECONNECTING:
        if retry_at is not None:
            seconds = max(0, math.ceil(retry_at - time.monotonic()))
            if seconds > 0:
                return f"Reconnecting in {seconds} s" + suffix
        return "Reconnecting…" + suffix
    if status is ConnectionStatus.AUTH_FAILED:
        # writes wait for the login: the judge must see that they are not sent
        return "Login needed" + (f" ({state.reason})" if state.reason else "") + suffix
    return "Offline" + suffix


class ConnectionStatusBar(QStatusBar):
    """A :class:`QStatusBar` with permanent connection, server and user sections.

    ``server_url`` is the server shown at first; with ``several`` servers the server
    section follows the one the core is connected to.
    """

    def __init__(
        self, server_url: str, parent: QWidget | None = None, *, several: bool = False
    ) -> None:
        super().__init__(parent)
        self._several = several
        self._state = ConnectionState()
        self._pending = 0
        self._retry_at: float | None = None
        self.icon_label = QLabel(self)
        self.connection_label = QLabel(self)
        self.connection_label.setObjectName("connectionLabel")
        self.server_label = QLabel(server_url, self)
        self.user_label = QLabel(self)
        self.addPermanentWidget(self.icon_label)
        self.addPermanentWidget(self.connection_label)
        self.addPermanentWidget(self._separator())
        self.addPermanentWidget(self.server_label)
        self.addPermanentWidget(self._separator())
        self.addPermanentWidget(self.user_label)
        self._ticker = QTimer(self)
        self._ticker.setInterval(500)
        self._ticker.timeout.connect(self._render)
        self._render()

    def _separator(self) -> QLabel:
        label = QLabel("·", self)
        label.setEnabled(False)
        return label

    @property
    def text(self) -> str:
        """The connection text currently shown (tests read it)."""
        return self.connection_label.text()

    def set_user(self, user: UserInfo | None) -> None:
        """Show who is logged in."""
        if user is None:
            self.user_label.setText("Not logged in")
            return
        role = ROLE_LABELS.get(str(user.role), str(user.role))
        self.user_label.setText(f"{user.name} ({user.username}) · {role}")

    def on_connection_changed(self, state: ConnectionState) -> None:
        """The core's connection state changed."""
        self._state = state
        if self._several and state.server:
            self.server_label.setText(state.server)
        if state.status is ConnectionStatus.RECONNECTING and state.retry_in is not None:
            self._retry_at = time.monotonic() + state.retry_in
            self._ticker.start()
        else:
            self._retry_at = None
            self._ticker.stop()
        self._render()

    def on_pending_count_changed(self, count: int) -> None:
        """The number of unsynced outbox entries changed."""
        self._pending = count
        self._render()

    def _render(self) -> None:
        self.connection_label.setText(
            connection_text(self._state, self._pending, self._retry_at, self._several)
        )
        tooltip = self._state.describe()
        if self._pending:
            tooltip += f"\n{self._pending} entries saved on this computer, not yet on the server"
        self.connection_label.setToolTip(tooltip)
        size = self.fontMetrics().height()
        self.icon_label.setPixmap(icon(_ICONS[self._state.status]).pixmap(size, size))
