"""The login dialog: server address(es), user name, password, "remember me".

The server field takes one address or several nodes of one cluster, separated by commas
or spaces; :func:`~scoring_console.client.servers.parse_servers` checks them and its
sentence is shown when one is wrong.

The dialog only collects input and shows outcomes; the application controller does the
(async) login and reports back through :meth:`show_error`. When the server cannot be
reached and a cached copy exists, "Open offline" lets the judge keep working.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.servers import ServerListError, parse_servers


@dataclass(frozen=True)
class LoginRequest:
    """What the user asked for: log in online, or open the cached copy offline.

    ``server_url`` is the server list as typed, tidied (``a, b``) once it is valid.
    """

    server_url: str
    username: str
    password: str
    remember: bool
    offline: bool = False


class LoginDialog(QDialog):
    """Collects credentials; stays open until the controller accepts the login.

    Signals:
        login_requested(LoginRequest): the user pressed "Log in" or "Open offline".
        cancelled(): the user closed the dialog.
    """

    login_requested = Signal(object)
    cancelled = Signal()

    def __init__(
        self,
        server_url: str,
        username: str = "",
        remember: bool = True,
        parent: QWidget | None = None,
        remember_possible: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Scoring Console — Log in")
        self.setMinimumWidth(420)
        self._waiters: list[asyncio.Future[LoginRequest | None]] = []
        self._unclaimed: list[LoginRequest | None] = []  # answers given before anyone asked
        self.server_edit = QLineEdit(server_url, self)
        self.server_edit.setPlaceholderText("http://scoring-server:8765")
        self.server_edit.setToolTip(
            "One server address, or several servers of one cluster separated by commas: "
            "the console uses the first that answers and moves to another when it goes away."
        )
        self.username_edit = QLineEdit(username, self)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember_box = QCheckBox("Remember me on this computer", self)
        self.remember_box.setChecked(remember and remember_possible)
        if not remember_possible:  # no OS keyring (or SCORING_CONSOLE_KEYRING=none)
            self.remember_box.setEnabled(False)
            self.remember_box.setText("Remember me (no keyring on this computer)")
            self.remember_box.setToolTip(
                "This computer has no password keyring, so the login lasts until the "
                "console closes."
            )
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setVisible(False)

        form = QFormLayout()
        form.addRow("Server", self.server_edit)
        form.addRow("User name", self.username_edit)
        form.addRow("Password", self.password_edit)
        form.addRow("", self.remember_box)

        self.buttons = QDialogButtonBox(self)
        self.login_button = self.buttons.addButton("Log in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.offline_button = QPushButton("Open offline", self)
        self.offline_button.setToolTip("Work from the copy saved on this computer")
        self.buttons.addButton(self.offline_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.offline_button.setVisible(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.login_button.setDefault(True)
        self.buttons.accepted.connect(self.on_login_clicked)
        self.buttons.rejected.connect(self.reject)
        self.offline_button.clicked.connect(self.on_offline_clicked)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        (self.password_edit if username else self.username_edit).setFocus()

    def request(self, offline: bool = False) -> LoginRequest:
        """The current input as a request (the server list tidied when it is valid)."""
        text = self.server_edit.text().strip()
        with contextlib.suppress(ServerListError):  # "Log in" says what is wrong
            text = parse_servers(text).text()
        return LoginRequest(
            server_url=text,
            username=self.username_edit.text().strip(),
            password=self.password_edit.text(),
            remember=self.remember_box.isChecked(),
            offline=offline,
        )

    async def next_request(self) -> LoginRequest | None:
        """Wait for the user's next "Log in" / "Open offline" (``None``: cancelled)."""
        if self._unclaimed:
            return self._unclaimed.pop(0)
        future: asyncio.Future[LoginRequest | None] = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        self.set_busy(False)
        if not self.isVisible():
            self.show()
        return await future

    def _resolve(self, value: LoginRequest | None) -> None:
        while self._waiters:
            future = self._waiters.pop()
            if not future.done():
                future.set_result(value)
                return
        self._unclaimed.append(value)

    def on_login_clicked(self) -> None:
        """Validate the form and hand the request over."""
        request = self.request()
        try:
            parse_servers(request.server_url)
        except ServerListError as exc:
            self.show_error(str(exc))
            self.server_edit.setFocus()
            self.server_edit.selectAll()
            return
        if not request.username or not request.password:
            self.show_error("Enter your user name and password.")
            return
        self.set_busy(True)
        self.login_requested.emit(request)
        self._resolve(request)

    def on_offline_clicked(self) -> None:
        """Open the cached copy without the server."""
        request = self.request(offline=True)
        self.set_busy(True)
        self.login_requested.emit(request)
        self._resolve(request)

    def reject(self) -> None:
        """The user closed or cancelled the dialog."""
        self.cancelled.emit()
        self._resolve(None)
        super().reject()

    def set_busy(self, busy: bool) -> None:
        """Disable the form while a login is in flight."""
        for widget in (self.server_edit, self.username_edit, self.password_edit, self.login_button):
            widget.setEnabled(not busy)
        self.offline_button.setEnabled(not busy)
        if busy:
            self.show_message("Logging in…")

    def show_message(self, text: str) -> None:
        """A neutral note under the form."""
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def show_error(self, text: str, offline_available: bool = False) -> None:
        """Why the login failed; offers "Open offline" when a cached copy exists."""
        self.message_label.setText(f"<b>{html.escape(text)}</b>")
        self.message_label.setVisible(True)
        self.offline_button.setVisible(offline_available)
        self.set_busy(False)
        self.password_edit.setFocus()
        self.password_edit.selectAll()
