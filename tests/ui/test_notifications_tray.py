"""TrayNotifier: tray when the window is inactive, in-window otherwise, real StateStore."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from scoring_console.client.connection import ConnectionStatus
from scoring_console.protocol import ServerEvent
from scoring_console.protocol.entities import (
    Assignment,
    CertificationStatus,
    NotificationType,
)
from scoring_console.protocol.roles import Role
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.notifications import (
    FakeTray,
    Notice,
    NoticeKind,
    NotificationCenter,
    NotificationSound,
    SystemTray,
    TrayNotifier,
)

from .notifications_fakes import (
    JUDGES,
    OTHER_CATEGORY_ID,
    FakeCore,
    announcement,
    certification,
    competition,
    notification,
)


class Harness:
    """A judge's core, a real window, the center, a fake tray and the notifier."""

    def __init__(self, qtbot: QtBot, tray_available: bool = True) -> None:
        self.qtbot = qtbot
        self.core = FakeCore(competition(user_id=11, notifications=[notification(1)]))
        self.bridge = CoreBridge(self.core)  # type: ignore[arg-type]
        self.window = QMainWindow()
        qtbot.addWidget(self.window)
        self.center = NotificationCenter(self.bridge)
        self.window.setCentralWidget(self.center)
        self.tray = FakeTray(available=tray_available)
        self.notifier = TrayNotifier(self.bridge, self.tray, window=self.window)
        self.posted: list[Notice] = []
        self.notifier.notice_posted.connect(self.posted.append)

    def activate(self) -> None:
        self.window.show()
        self.window.activateWindow()
        self.qtbot.waitUntil(self.window.isActiveWindow, timeout=3000)

    def deactivate(self) -> None:
        self.window.hide()
        self.qtbot.waitUntil(lambda: not self.window.isActiveWindow(), timeout=3000)


@pytest.fixture
def harness(qtbot: QtBot) -> Iterator[Harness]:
    h = Harness(qtbot)
    yield h
    h.bridge.close()


def test_inactive_window_sends_notifications_to_the_tray_and_the_center(
    harness: Harness,
) -> None:
    harness.deactivate()
    harness.core.state.apply(
        ServerEvent.NOTIFICATION,
        notification(2, 5, title="Deduction approved", type=NotificationType.SUCCESS),
    )
    assert [m.title for m in harness.tray.messages] == ["Deduction approved"]
    assert harness.tray.messages[0].severity is NotificationType.SUCCESS
    assert harness.posted == []
    assert harness.center.model.rowCount() == 2
    assert harness.center.unread_count == 2


def test_active_window_shows_notifications_in_window_not_in_the_tray(harness: Harness) -> None:
    harness.activate()
    harness.core.state.apply(ServerEvent.NOTIFICATION, notification(2, 5, title="Hello"))
    assert harness.tray.messages == []
    assert [(n.kind, n.title) for n in harness.posted] == [(NoticeKind.NOTIFICATION, "Hello")]
    assert harness.center.model.rowCount() == 2


def test_without_a_tray_inactive_window_falls_back_to_in_window(qtbot: QtBot) -> None:
    h = Harness(qtbot, tray_available=False)
    h.deactivate()
    h.core.state.apply(ServerEvent.NOTIFICATION, notification(2, 5, title="Hello"))
    assert h.tray.messages == []
    assert [n.title for n in h.posted] == ["Hello"]
    h.bridge.close()


def test_tray_messages_setting_off_keeps_notices_in_window(harness: Harness) -> None:
    harness.notifier.tray_messages_enabled = False
    harness.deactivate()
    harness.core.state.apply(ServerEvent.NOTIFICATION, notification(2, 5))
    assert harness.tray.messages == []
    assert len(harness.posted) == 1


def test_read_state_changes_and_duplicates_are_not_announced(harness: Harness) -> None:
    harness.deactivate()
    harness.core.state.mark_read([1])
    harness.core.state.apply(ServerEvent.NOTIFICATION, notification(2, 5))
    harness.core.state.apply(ServerEvent.NOTIFICATION, notification(2, 5))
    harness.core.state.mark_read([2])
    assert [m.title for m in harness.tray.messages] == ["Note 2"]


def test_announcements_go_to_the_tray_but_not_to_toasts(harness: Harness) -> None:
    harness.deactivate()
    harness.core.state.apply(
        ServerEvent.SYSTEM_ANNOUNCEMENT,
        announcement(1, "Break: 15 minutes", NotificationType.WARNING),
    )
    assert [(m.title, m.message) for m in harness.tray.messages] == [
        ("Announcement", "Break: 15 minutes")
    ]
    harness.activate()
    harness.core.state.apply(
        ServerEvent.SYSTEM_ANNOUNCEMENT, announcement(2, "Back in session", NotificationType.INFO)
    )
    assert len(harness.tray.messages) == 1
    assert harness.posted == []  # the banner is the in-window form of announcements


def test_certification_completed_is_announced_once(harness: Harness) -> None:
    harness.deactivate()
    state = harness.core.state
    signed = (*JUDGES, 21, 31)
    state.apply(
        ServerEvent.CERTIFICATION_UPDATED,
        certification(CertificationStatus.AUDITOR_SIGNED, signed, version=4),
    )
    assert harness.tray.messages == []
    state.apply(
        ServerEvent.CERTIFICATION_UPDATED,
        certification(CertificationStatus.CERTIFIED, (*signed, 41), version=5),
    )
    state.apply(
        ServerEvent.CERTIFICATION_UPDATED,
        certification(CertificationStatus.CERTIFIED, (*signed, 41), version=6),
    )
    assert [m.title for m in harness.tray.messages] == ["Certification completed"]
    assert "Evening Gown" in harness.tray.messages[0].message


def test_new_assignment_of_the_current_user_is_announced(harness: Harness) -> None:
    harness.deactivate()
    state = harness.core.state
    state.apply(
        ServerEvent.ASSIGNMENT_NEW,
        Assignment(id=50, user_id=12, category_id=OTHER_CATEGORY_ID, role=Role.JUDGE, seq=5),
    )
    assert harness.tray.messages == []  # someone else's assignment
    state.apply(
        ServerEvent.ASSIGNMENT_NEW,
        Assignment(id=51, user_id=11, category_id=OTHER_CATEGORY_ID, role=Role.JUDGE, seq=6),
    )
    assert [m.title for m in harness.tray.messages] == ["New assignment"]
    assert "Talent" in harness.tray.messages[0].message


def test_reconnect_snapshot_announces_what_was_missed(harness: Harness) -> None:
    harness.deactivate()
    harness.core.state.apply_snapshot(
        competition(user_id=11, notifications=[notification(1), notification(2, 3, title="Missed")])
    )
    assert [m.title for m in harness.tray.messages] == ["Missed"]

    many = [notification(n, n) for n in range(1, 8)]
    harness.core.state.apply_snapshot(competition(user_id=11, notifications=many))
    assert harness.tray.messages[-1].title == "5 updates while you were away"
    assert len(harness.tray.messages) == 2


def test_first_snapshot_announces_nothing(qtbot: QtBot) -> None:
    core = FakeCore()
    bridge = CoreBridge(core)  # type: ignore[arg-type]
    tray = FakeTray()
    notifier = TrayNotifier(bridge, tray, is_window_active=lambda: False)
    core.state.apply_snapshot(competition(notifications=[notification(1), notification(2)]))
    assert tray.messages == []
    core.state.apply(ServerEvent.NOTIFICATION, notification(3))
    assert [m.title for m in tray.messages] == ["Note 3"]
    assert notifier.window_active() is False
    bridge.close()


def test_tray_icon_follows_unread_and_connection(harness: Harness) -> None:
    assert harness.tray.states[-1][0] == "tray-unread"
    harness.core.state.mark_read([1])
    assert harness.tray.states[-1] == ("tray", "Scoring Console")
    harness.core.set_connection(ConnectionStatus.RECONNECTING)
    assert harness.tray.states[-1][0] == "tray-offline"
    harness.core.set_connection(ConnectionStatus.CONNECTED)
    assert harness.tray.states[-1][0] == "tray"


def test_clicking_a_tray_message_asks_to_open_the_center(harness: Harness, qtbot: QtBot) -> None:
    with qtbot.waitSignal(harness.notifier.open_requested, timeout=1000):
        harness.tray.message_clicked.emit()
    with qtbot.waitSignal(harness.notifier.open_requested, timeout=1000):
        harness.tray.activated.emit()


def test_sound_plays_when_enabled(harness: Harness) -> None:
    played: list[str] = []

    class Effect:
        def __init__(self, parent: object) -> None:
            del parent

        def setSource(self, url: object) -> None:
            del url

        def setVolume(self, volume: float) -> None:
            del volume

        def play(self) -> None:
            played.append("play")

    harness.notifier.sound = NotificationSound(enabled=True, importer=lambda: Effect)
    harness.deactivate()
    harness.core.state.apply(ServerEvent.NOTIFICATION, notification(2, 5))
    assert played == ["play"]
    harness.notifier.sound.enabled = False
    harness.core.state.apply(ServerEvent.NOTIFICATION, notification(3, 6))
    assert played == ["play"]


def test_system_tray_degrades_where_no_tray_exists(qtbot: QtBot) -> None:
    tray = SystemTray()
    assert QSystemTrayIcon.isSystemTrayAvailable() is False  # offscreen has no tray
    assert tray.is_available() is False
    tray.show_message("Title", "Body", NotificationType.INFO)  # a no-op, no error
    tray.set_state("tray-unread", "1 unread")
    tray.set_menu(None)
    tray.hide()


def test_fake_tray_refuses_unknown_icons() -> None:
    with pytest.raises(ValueError, match="unknown tray icon"):
        FakeTray().set_state("bogus", "")


def test_news_reported_twice_by_the_server_is_announced_once(qtbot: QtBot) -> None:
    now = [100.0]
    core = FakeCore(competition(user_id=11))
    bridge = CoreBridge(core)  # type: ignore[arg-type]
    tray = FakeTray()
    notifier = TrayNotifier(bridge, tray, is_window_active=lambda: False, clock=lambda: now[0])
    state = core.state
    state.apply(
        ServerEvent.ASSIGNMENT_NEW,
        Assignment(id=60, user_id=11, category_id=OTHER_CATEGORY_ID, role=Role.JUDGE, seq=3),
    )
    state.apply(
        ServerEvent.NOTIFICATION,
        notification(5, title="New assignment", category_id=OTHER_CATEGORY_ID),
    )
    assert [m.title for m in tray.messages] == ["New assignment"]
    # the same kind of news for another category, or much later, is new news
    state.apply(ServerEvent.NOTIFICATION, notification(6, title="New assignment", category_id=1))
    now[0] += 60
    state.apply(
        ServerEvent.NOTIFICATION,
        notification(7, title="New assignment", category_id=OTHER_CATEGORY_ID),
    )
    assert len(tray.messages) == 3
    assert notifier.tray is tray
    bridge.close()
