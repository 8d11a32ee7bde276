"""The settings dialog: server address(es), notification sound, tray messages.

The server field takes one address or several nodes of one cluster (``a, b``); a list
that :func:`~scoring_console.client.servers.parse_servers` refuses keeps the dialog open
with its sentence under the field.

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
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.servers import ServerListError, parse_servers

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
        self.server_edit.setToolTip(
            "One server address, or several servers of one cluster separated by commas."
        )
        self.server_error = QLabel(self)
        self.server_error.setWordWrap(True)
        self.server_error.setVisible(False)
        self.sound_box = QCheckBox("Play a sound for new notifications", self)
        self.sound_box.setChecked(settings.sound_enabled)
        self.tray_box = QCheckBox("Show tray messages when the window is in the background", self)
        self.tray_box.setChecked(settings.tray_messages)
        self.gap_spin = QSpinBox(self)
        self.gap_spin.setRange(0, 100)
        self.gap_spin.setSuffix(" % of the maximum")
        self.gap_spin.setSpecialValueText("Never ask")
        self.gap_spin.setValue(settings.unusual_score_gap)
        self.gap_spin.setAccessibleName("Unusual score gap")
        form = QFormLayout()
        form.addRow("Server", self.server_edit)
        form.addRow("", self.server_error)
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
        form.addRow("Ask about a score", self.gap_spin)
        gap_hint = QLabel(
            "…this far outside the range you already used for that criterion (after 3 scores).",
            self,
        )
        gap_hint.setWordWrap(True)
        gap_hint.setEnabled(False)
        form.addRow("", gap_hint)
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

    def accept(self) -> None:
        """Close with OK, unless the server list is wrong (then say why and stay)."""
        try:
            parse_servers(self.server_edit.text())
        except ServerListError as exc:
            self.server_error.setText(str(exc))
            self.server_error.setVisible(True)
            self.server_edit.setFocus()
            return
        super().accept()

    def result_settings(self) -> UserSettings:
        """The settings as edited."""
        try:
            url = parse_servers(self.server_edit.text()).text()
        except ServerListError:
            url = self._settings.server_url
        return dataclasses.replace(
            self._settings,
            server_url=url,
            sound_enabled=self.sound_box.isChecked(),
            unusual_score_gap=self.gap_spin.value(),
            tray_messages=self.tray_box.isChecked(),
        )
