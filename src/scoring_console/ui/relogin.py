"""Logging in again when the server stops accepting the session ("Login needed").

The core decides when a login is needed (:mod:`scoring_console.client.relogin`): when
the server answers again it tries the saved sign-in and the password given at start by
itself, and only when neither works announces ``REQUIRED`` with a sentence saying why.
This module is the console's half: it asks for the password at once (a window-modal,
non-blocking dialog that says who, why and what stays safe), logs in, and restarts the
link, after which the outbox is sent as usual. "File → Log in again…" stays for a
prompt the user dismissed. The tray message and toast come from the notifier.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from scoring_console.client.connection import ConnectionState, ConnectionStatus
from scoring_console.client.errors import AuthError, InvalidCredentials, ServerUnreachable
from scoring_console.client.relogin import LoginEvent, LoginEventKind

from .tasks import TaskSet

if TYPE_CHECKING:
    from .bridge import CoreBridge

log = logging.getLogger(__name__)


class Relogin(QObject):
    """The "Log in again…" action, and the password prompt when the core needs one.

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
        self.dialog: QInputDialog | None = None
        self.action = QAction("Log &in again…", window)
        self.action.setEnabled(False)
        self.action.triggered.connect(self.on_action_triggered)
        bridge.connection_changed.connect(self.on_connection_changed)
        bridge.login_changed.connect(self.on_login_changed)
        self.on_connection_changed(self.core.connection)
        pending = getattr(self.core, "login_required", None)  # test doubles may lack it
        if isinstance(pending, LoginEvent):
            self.on_login_changed(pending)

    @Slot(object)
    def on_connection_changed(self, state: ConnectionState) -> None:
        """Offer the menu action only while the server refuses the session."""
        self.action.setEnabled(state.status is ConnectionStatus.AUTH_FAILED)

    @Slot(object)
    def on_login_changed(self, event: LoginEvent) -> None:
        """The core needs the password now: ask at once, saying why."""
        if event.kind is LoginEventKind.REQUIRED:
            self.ask(event.reason)
        elif self.dialog is not None:
            self.dialog.reject()  # logged in again by itself: nothing to ask any more
            self.finished.emit(True, f"Logged in again ({event.via or 'saved sign-in'}).")

    def on_action_triggered(self) -> None:
        """The menu item: ask for the password."""
        pending = getattr(self.core, "login_required", None)
        self.ask(pending.reason if isinstance(pending, LoginEvent) else None)

    def ask(self, reason: str | None = None) -> None:
        """Ask for the password (window-modal, non-blocking), saying why and what is safe."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.setLabelText(self.prompt_text(reason))
            return
        dialog = QInputDialog(self.window)
        self.dialog = dialog
        dialog.setWindowTitle("Log in again")
        dialog.setLabelText(self.prompt_text(reason))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.textValueSelected.connect(lambda text: self.tasks.spawn(self._relogin_or_ask(text)))
        dialog.open()

    def prompt_text(self, reason: str | None) -> str:
        """What the dialog says: why, and that nothing typed is lost."""
        pending = self.core.pending_count()
        kept = (
            f"{pending} {'entry is' if pending == 1 else 'entries are'} saved on this "
            "computer and will be sent once you are logged in."
            if pending
            else "Nothing you entered is lost."
        )
        why = reason or (
            f"The server at {self.core.current_server} no longer accepts the saved sign-in "
            f"for {self.core.username}."
        )
        return f"{why}\n{kept}\n\nPassword for {self.core.username}:"

    async def _relogin_or_ask(self, password: str) -> None:
        if not await self.relogin(password):
            self.ask("That password was not accepted. Try again.")

    async def relogin(self, password: str) -> bool:
        """Log in with ``password`` and reconnect; True on success."""
        try:
            await self.core.login(password, remember=self.remember)
        except InvalidCredentials:
            self.finished.emit(False, "Wrong password — still not logged in.")
            return False
        except ServerUnreachable:
            self.finished.emit(
                False, "The server cannot be reached right now; the console keeps trying."
            )
            return True  # the core logs in with this password once the server answers
        except AuthError as exc:
            self.finished.emit(False, f"Login failed: {exc}")
            return False
        self.core.link.start()  # the link stopped at AUTH_FAILED; start it again
        self.finished.emit(True, "Logged in again.")
        return True
