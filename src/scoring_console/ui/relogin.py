"""Logging in again when the server stops accepting the session ("Login needed").

When the refresh token is refused (revoked, expired, a server reset), the core's link
stops in ``AUTH_FAILED`` rather than hammering the server. The judge's outbox and
sheet stay as they are; this asks for the password, logs in again and restarts the
link, after which the outbox is sent as usual.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from scoring_console.client.connection import ConnectionState, ConnectionStatus
from scoring_console.client.errors import AuthError, InvalidCredentials, ServerUnreachable

from .tasks import TaskSet

if TYPE_CHECKING:
    from .bridge import CoreBridge

log = logging.getLogger(__name__)


class Relogin(QObject):
    """The "Log in again…" action and what it does.

    Signals:
        finished(bool, str): a login attempt ended (success, message for the user).
    """

    finished = Signal(bool, str)

    def __init__(self, bridge: CoreBridge, window: QWidget, remember: bool = True) -> None:
        super().__init__(window)
        self.core = bridge.core
        self.window = window
        self.remember = remember
        self.tasks = TaskSet()
        self.action = QAction("Log &in again…", window)
        self.action.setEnabled(False)
        self.action.triggered.connect(self.on_action_triggered)
        bridge.connection_changed.connect(self.on_connection_changed)
        self.on_connection_changed(self.core.connection)

    def on_connection_changed(self, state: ConnectionState) -> None:
        """Offer the action only while the server refuses the session."""
        self.action.setEnabled(state.status is ConnectionStatus.AUTH_FAILED)

    def on_action_triggered(self) -> None:
        """Ask for the password (window-modal, non-blocking)."""
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Log in again")
        dialog.setLabelText(f"The server asks {self.core.username} to log in again.\nPassword:")
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.textValueSelected.connect(lambda text: self.tasks.spawn(self.relogin(text)))
        dialog.open()

    async def relogin(self, password: str) -> bool:
        """Log in with ``password`` and reconnect; True on success."""
        try:
            await self.core.login(password, remember=self.remember)
        except InvalidCredentials:
            self.finished.emit(False, "Wrong password — still not logged in.")
            return False
        except ServerUnreachable:
            self.finished.emit(False, "The server cannot be reached right now.")
            return False
        except AuthError as exc:
            self.finished.emit(False, f"Login failed: {exc}")
            return False
        self.core.link.start()  # the link stopped at AUTH_FAILED; start it again
        self.finished.emit(True, "Logged in again.")
        return True
