"""The announcement composer: message, severity, everyone or one contest."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scoring_console.protocol.entities import NotificationType
from scoring_console.protocol.payloads import AnnouncementCreate

from ..bridge import CoreBridge
from .page import AdminPage


class AnnouncementComposer(AdminPage):
    """Compose and send a ``system:announcement``."""

    def __init__(self, bridge: CoreBridge, parent: QWidget | None = None) -> None:
        super().__init__(bridge, parent)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("announcementText")
        self.text.setPlaceholderText("Message to show on every console addressed")
        self.severity = QComboBox(self)
        for kind in NotificationType:
            self.severity.addItem(kind.value.capitalize(), kind)
        self.target = QComboBox(self)
        self.target.setObjectName("announcementTarget")
        self.send = QPushButton("Send announcement", self)
        self.send.setObjectName("sendAnnouncement")
        form = QFormLayout()
        form.addRow("Message", self.text)
        form.addRow("Severity", self.severity)
        form.addRow("To", self.target)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.send)
        column.addWidget(self.message)
        column.addStretch(1)
        self.send.clicked.connect(self.on_send_clicked)
        bridge.snapshot_loaded.connect(self.on_snapshot_loaded)
        self.on_snapshot_loaded()

    @Slot()
    def on_snapshot_loaded(self) -> None:
        """Everyone, or one of the contests."""
        current = self.target.currentData()
        self.target.clear()
        self.target.addItem("Everyone", None)
        for contest in sorted(self.state.contests.values(), key=lambda c: c.id):
            self.target.addItem(f"{contest.name} only", contest.id)
        self.target.setCurrentIndex(max(self.target.findData(current), 0))

    @Slot()
    def on_send_clicked(self) -> None:
        """Validate like the server, then send."""
        payload = self.validated(
            AnnouncementCreate,
            message=self.text.toPlainText(),
            type=self.severity.currentData(),
            contestId=self.target.currentData(),
        )
        if payload is None:
            return

        async def send() -> object:
            return await self.admin.announce(payload.message, payload.type, payload.contest_id)

        def done(_result: object) -> str:
            self.text.clear()
            return f"Announcement sent to {self.target.currentText().removesuffix(' only')}."

        self.run("Sending the announcement", send, done)
