"""The settings dialog: server address, notification sound, tray messages.

The theme is not a setting: the console follows the operating system's light or dark
palette (every colour in the UI is a palette role or a translucent tint).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from .settings import UserSettings


class SettingsDialog(QDialog):
    """Edit a copy of :class:`UserSettings`; ``result_settings()`` after ``accept``."""

    def __init__(
        self,
        settings: UserSettings,
        sound_note: str = "",
        tray_note: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(440)
        self._settings = settings
        self.server_edit = QLineEdit(settings.server_url, self)
        self.sound_box = QCheckBox("Play a sound for new notifications", self)
        self.sound_box.setChecked(settings.sound_enabled)
        self.tray_box = QCheckBox("Show tray messages when the window is in the background", self)
        self.tray_box.setChecked(settings.tray_messages)
        form = QFormLayout()
        form.addRow("Server", self.server_edit)
        hint = QLabel("Takes effect at the next login.", self)
        hint.setEnabled(False)
        form.addRow("", hint)
        form.addRow("Notifications", self.sound_box)
        if sound_note:
            note = QLabel(sound_note, self)
            note.setWordWrap(True)
            note.setEnabled(False)
            form.addRow("", note)
        form.addRow("", self.tray_box)
        if tray_note:
            note = QLabel(tray_note, self)
            note.setWordWrap(True)
            note.setEnabled(False)
            form.addRow("", note)
        theme = QLabel("Follows the system's light or dark appearance.", self)
        form.addRow("Theme", theme)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def result_settings(self) -> UserSettings:
        """The settings as edited."""
        url = self.server_edit.text().strip().rstrip("/") or self._settings.server_url
        return dataclasses.replace(
            self._settings,
            server_url=url,
            sound_enabled=self.sound_box.isChecked(),
            tray_messages=self.tray_box.isChecked(),
        )
