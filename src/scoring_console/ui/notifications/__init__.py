"""Notifications: the center (list, unread count, mark as read), toasts, tray and sound.

Wiring in the main window, in short::

    dock = NotificationDock(bridge, window)
    overlay = ToastOverlay(window)
    notifier = TrayNotifier(bridge, SystemTray(window), window=window,
                            sound=NotificationSound(enabled=settings.sound_enabled))
    notifier.notice_posted.connect(overlay.on_notice_posted)
    notifier.open_requested.connect(dock.open)
    overlay.toast_clicked.connect(lambda _notice: dock.open())
    dock.center.unread_count_changed.connect(window.on_unread_count_changed)
"""

from .center import NotificationCenter, NotificationDock
from .failures import describe_failure
from .model import NotificationListModel, NotificationRole
from .notifier import Notice, NoticeKind, TrayNotifier
from .sound import NotificationSound
from .toast import Toast, ToastOverlay
from .tray import FakeTray, SystemTray, TrayAdapter, TrayMessage

__all__ = [
    "FakeTray",
    "Notice",
    "NoticeKind",
    "NotificationCenter",
    "NotificationDock",
    "NotificationListModel",
    "NotificationRole",
    "NotificationSound",
    "SystemTray",
    "Toast",
    "ToastOverlay",
    "TrayAdapter",
    "TrayMessage",
    "TrayNotifier",
    "describe_failure",
]
