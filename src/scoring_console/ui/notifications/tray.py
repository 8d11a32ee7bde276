"""The tray seam: what the notifier needs from a system tray, a Qt one and a fake one.

:class:`TrayNotifier` talks to a :class:`TrayAdapter` only. :class:`SystemTray` wraps
:class:`QSystemTrayIcon` and reports itself unavailable where the platform has no tray
(``offscreen``, many headless or tiling sessions); :class:`FakeTray` records what it was
asked to show, for tests and for the notifier's own tests of the "no tray" path.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from scoring_console.protocol.entities import NotificationType

from ..icons import icon

TRAY_ICONS = ("tray", "tray-unread", "tray-offline")
"""Icon names a tray shows: normal, unread notifications, offline."""

_MESSAGE_ICONS = {
    NotificationType.INFO: QSystemTrayIcon.MessageIcon.Information,
    NotificationType.SUCCESS: QSystemTrayIcon.MessageIcon.Information,
    NotificationType.WARNING: QSystemTrayIcon.MessageIcon.Warning,
    NotificationType.ERROR: QSystemTrayIcon.MessageIcon.Critical,
}


@dataclass(frozen=True)
class TrayMessage:
    """One balloon message, as passed to :meth:`TrayAdapter.show_message`."""

    title: str
    message: str
    severity: NotificationType
    msecs: int


class TrayAdapter(QObject):
    """The tray operations the notifier uses; subclasses implement them.

    Signals:
        message_clicked(): the user clicked the last balloon message.
        activated(): the user clicked the tray icon itself.
    """

    message_clicked = Signal()
    activated = Signal()

    def is_available(self) -> bool:
        """True when messages shown here reach the user."""
        raise NotImplementedError

    def show_message(
        self, title: str, message: str, severity: NotificationType, msecs: int = 8000
    ) -> None:
        """Show a balloon message (only called when :meth:`is_available`)."""
        raise NotImplementedError

    def set_state(self, icon_name: str, tooltip: str) -> None:
        """Show ``icon_name`` (one of :data:`TRAY_ICONS`) with ``tooltip``."""
        raise NotImplementedError

    def set_menu(self, menu: QMenu | None) -> None:
        """Attach a context menu (a no-op where there is no tray)."""
        del menu


class SystemTray(TrayAdapter):
    """A :class:`QSystemTrayIcon`, created only where the platform has a tray."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icon: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._icon = QSystemTrayIcon(icon("tray"), self)
            self._icon.setToolTip("Scoring Console")
            self._icon.messageClicked.connect(self.message_clicked)
            self._icon.activated.connect(self._on_icon_activated)
            self._icon.show()

    def is_available(self) -> bool:
        return self._icon is not None and self._icon.supportsMessages()

    def show_message(
        self, title: str, message: str, severity: NotificationType, msecs: int = 8000
    ) -> None:
        if self._icon is not None:
            self._icon.showMessage(title, message, _MESSAGE_ICONS[severity], msecs)

    def set_state(self, icon_name: str, tooltip: str) -> None:
        if self._icon is not None:
            self._icon.setIcon(icon(icon_name))
            self._icon.setToolTip(tooltip)

    def set_menu(self, menu: QMenu | None) -> None:
        if self._icon is not None and menu is not None:
            self._icon.setContextMenu(menu)

    def hide(self) -> None:
        """Remove the icon from the tray (at shutdown)."""
        if self._icon is not None:
            self._icon.hide()

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.activated.emit()


class FakeTray(TrayAdapter):
    """A tray that records calls instead of showing anything (tests, demos).

    ``available`` decides what :meth:`is_available` answers, so the "no tray" fallback
    can be tested with the same object.
    """

    def __init__(self, available: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.available = available
        self.messages: list[TrayMessage] = []
        self.states: list[tuple[str, str]] = []

    def is_available(self) -> bool:
        return self.available

    def show_message(
        self, title: str, message: str, severity: NotificationType, msecs: int = 8000
    ) -> None:
        self.messages.append(TrayMessage(title, message, severity, msecs))

    def set_state(self, icon_name: str, tooltip: str) -> None:
        if icon_name not in TRAY_ICONS:
            raise ValueError(f"unknown tray icon {icon_name!r}; expected one of {TRAY_ICONS}")
        self.states.append((icon_name, tooltip))
