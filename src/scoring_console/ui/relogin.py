"""Logging in again when the server stops accepting the session ("Login needed").

When the refresh token is refused (revoked, expired, a server reset), the core's link
stops in ``AUTH_FAILED`` rather than hammering the server. The judge's outbox and
sheet stay as they are. Nobody has to find a menu item: with a password given at
start (``SCORING_PASSWORD``) the console logs in again by itself; otherwise it asks at
once, saying why and what stays safe. It then restarts the link, after which the outbox
is sent as usual. "File → Log in again…" stays for a prompt the user dismissed.
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

    def __init__(
        self,
        bridge: CoreBridge,
        window: QWidget,
        remember: bool = True,
        password: str | None = None,
    ) -> None:
        super().__init__(window)
        self.core = bridge.core
        self.window = window
        self.remember = remember
        self.password = password
        """The password given at start, tried once by itself before asking."""
        self.tasks = TaskSet()
        self.dialog: QInputDialog | None = None
        self._handled = False
        self.action = QAction("Log &in again…", window)
        self.action.setEnabled(False)
        self.action.triggered.connect(self.on_action_triggered)
        bridge.connection_changed.connect(self.on_connection_changed)
        self.on_connection_changed(self.core.connection)

    def on_connection_changed(self, state: ConnectionState) -> None:
        """Offer the action while the server refuses the session; act on it at once."""
        refused = state.status is ConnectionStatus.AUTH_FAILED
        self.action.setEnabled(refused)
        if not refused:
            self._handled = False
            return
        if self._handled:
            return
        self._handled = True
        if self.password:
            self.tasks.spawn(self._relogin_or_ask(self.password, state.reason))
        else:
            self.ask(state.reason)

    async def _relogin_or_ask(self, password: str, reason: str | None) -> None:
        try:
            await self._login(password)
        except InvalidCredentials:
            self.finished.emit(False, "Wrong password — still not logged in.")
            self.ask(reason)
        except ServerUnreachable:
            self.finished.emit(False, "The server cannot be reached right now.")
        except AuthError as exc:
            self.finished.emit(False, f"Login failed: {exc}")
            self.ask(reason)

    async def _login(self, password: str) -> None:
        await self.core.login(password, remember=self.remember)
        self.core.link.start()  # the link stopped at AUTH_FAILED; start it again
        self.finished.emit(True, "Logged in again.")

    def on_action_triggered(self) -> None:
        """The menu item: ask for the password."""
        self.ask(self.core.connection.reason)

    def ask(self, reason: str | None = None) -> None:
        """Ask for the password (window-modal, non-blocking), saying why and what is safe."""
        if self.dialog is not None and self.dialog.isVisible():
            return
        dialog = QInputDialog(self.window)
        self.dialog = dialog
        dialog.setWindowTitle("Log in again")
        dialog.setLabelText(self.prompt_text(reason))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.textValueSelected.connect(
            lambda text: self.tasks.spawn(self._relogin_or_ask(text, "wrong password"))
        )
        dialog.open()

    def prompt_text(self, reason: str | None) -> str:
        """What the dialog says: who, why, and that nothing typed is lost."""
        pending = self.core.pending_count()
        why = f" ({reason})" if reason else ""
        kept = (
            f"{pending} {'entry is' if pending == 1 else 'entries are'} saved on this "
            "computer and will be sent once you are logged in."
            if pending
            else "Nothing you entered is lost."
        )
        return (
            f"The server at {self.core.server_url} no longer accepts the saved sign-in "
            f"for {self.core.username}{why}.\n{kept}\n\nPassword for {self.core.username}:"
        )

    async def relogin(self, password: str) -> bool:
        """Log in with ``password`` and reconnect; True on success."""
        try:
            await self._login(password)
        except InvalidCredentials:
            self.finished.emit(False, "Wrong password — still not logged in.")
            return False
        except ServerUnreachable:
            self.finished.emit(False, "The server cannot be reached right now.")
            return False
        except AuthError as exc:
            self.finished.emit(False, f"Login failed: {exc}")
            return False
        return True
