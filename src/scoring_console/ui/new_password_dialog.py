"""The "choose a new password" dialog shown when an administrator reset the password.

The server refuses a login with a reset password until a new one comes with it
(``PasswordChangeRequired``). The dialog asks for it twice and says, in words, what is
wrong with what was typed (too short, the two differ, the same as the old one) before
anything is sent.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from scoring_console.protocol.setup import MIN_PASSWORD_LENGTH


def new_password_problem(new: str, repeat: str, old: str) -> str | None:
    """What is wrong with a new password, in the user's words; ``None`` when it is fine."""
    if len(new) < MIN_PASSWORD_LENGTH:
        return f"The new password needs at least {MIN_PASSWORD_LENGTH} characters."
    if new != repeat:
        return "The two new passwords differ: type the same password twice."
    if new == old:
        return "Choose a password different from the one the administrator gave you."
    return None


class NewPasswordDialog(QDialog):
    """Asks for a new password twice; :meth:`ask` returns it, or ``None`` if cancelled."""

    def __init__(self, username: str, reason: str, old_password: str, parent: QWidget | None):
        super().__init__(parent)
        self.setObjectName("newPasswordDialog")
        self.setWindowTitle("Choose a new password")
        self._old = old_password
        self._future: asyncio.Future[str | None] | None = None
        self.intro = intro = QLabel(
            f"The password of {username} was reset by an administrator and must be "
            f"changed now. Choose a new password of at least {MIN_PASSWORD_LENGTH} "
            "characters; you will use it from now on.",
            self,
        )
        intro.setWordWrap(True)
        intro.setToolTip(reason)
        self.new_edit = QLineEdit(self)
        self.new_edit.setObjectName("newPassword")
        self.new_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setObjectName("repeatPassword")
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("New password:", self.new_edit)
        form.addRow("Repeat it:", self.repeat_edit)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("newPasswordError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Set password and log in")
        self.buttons.accepted.connect(self.on_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.finished.connect(self.on_finished)

    async def ask(self) -> str | None:
        """Show the dialog and wait for a valid new password (``None``: cancelled)."""
        self._future = asyncio.get_running_loop().create_future()
        self.open()
        self.new_edit.setFocus()
        return await self._future

    def on_accepted(self) -> None:
        """OK: check what was typed; close only when it is acceptable."""
        problem = new_password_problem(self.new_edit.text(), self.repeat_edit.text(), self._old)
        if problem is not None:
            self.error_label.setText(problem)
            self.error_label.show()
            self.new_edit.setFocus()
            return
        self.accept()

    def on_finished(self, result: int) -> None:
        """Hand the answer to :meth:`ask`."""
        if self._future is not None and not self._future.done():
            accepted = result == QDialog.DialogCode.Accepted
            self._future.set_result(self.new_edit.text() if accepted else None)
