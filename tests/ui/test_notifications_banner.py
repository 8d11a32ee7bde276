"""The announcement banner: newest first with a count, dismiss one / all, snapshot age."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from scoring_console.protocol import ServerEvent
from scoring_console.protocol.entities import NotificationType
from scoring_console.ui.announcement_banner import AnnouncementBanner
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.notifications.severity import severity_stylesheet

from .notifications_fakes import FakeCore, announcement, competition


@pytest.fixture
def host(qtbot: QtBot) -> QWidget:
    """A shown parent window (the fixture keeps it alive; pytest-qt holds it weakly)."""
    window = QWidget()
    QVBoxLayout(window)
    qtbot.addWidget(window)
    window.show()
    return window


def make_banner(host: QWidget, core: FakeCore, **kw: object) -> AnnouncementBanner:
    banner = AnnouncementBanner(CoreBridge(core), host, **kw)  # type: ignore[arg-type]
    layout = host.layout()
    assert layout is not None
    layout.addWidget(banner)
    return banner


def test_hidden_until_an_announcement_arrives(qtbot: QtBot, host: QWidget) -> None:
    core = FakeCore(competition())
    banner = make_banner(host, core)
    assert banner.isHidden()
    with qtbot.waitSignal(banner.queue_changed) as blocker:
        core.state.apply(
            ServerEvent.SYSTEM_ANNOUNCEMENT,
            announcement(1, "Judges to the briefing room", NotificationType.WARNING),
        )
    assert blocker.args == [1]
    assert banner.isVisible()
    assert "Judges to the briefing room" in banner.message_label.text()
    assert "#c98a00" in banner.card.styleSheet()  # warning accent
    assert banner.more_label.isHidden()


def test_several_show_the_newest_with_a_count_and_dismiss_walks_the_queue(
    qtbot: QtBot, host: QWidget
) -> None:
    core = FakeCore(competition())
    banner = make_banner(host, core)
    core.state.apply(
        ServerEvent.SYSTEM_ANNOUNCEMENT, announcement(1, "First", NotificationType.INFO, 1)
    )
    core.state.apply(
        ServerEvent.SYSTEM_ANNOUNCEMENT, announcement(2, "Second", NotificationType.ERROR, 2)
    )
    core.state.apply(
        ServerEvent.SYSTEM_ANNOUNCEMENT, announcement(3, "Third", NotificationType.INFO, 3)
    )

    assert "Third" in banner.message_label.text()
    assert banner.more_label.text() == "+2 more"
    assert "Second" in banner.more_label.toolTip()

    with qtbot.waitSignal(banner.dismissed) as blocker:
        qtbot.mouseClick(banner.dismiss_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [3]
    assert "Second" in banner.message_label.text()
    assert "#c0392b" in banner.card.styleSheet()  # error accent now
    assert banner.more_label.text() == "+1 more"

    qtbot.mouseClick(banner.dismiss_all_button, Qt.MouseButton.LeftButton)
    assert banner.isHidden()
    assert banner.dismissed_ids() == {1, 2, 3}

    # a replay of a dismissed one (e.g. in the next snapshot) stays dismissed
    core.state.apply_snapshot(
        competition(announcements=[announcement(2, "Second", NotificationType.ERROR, 2)])
    )
    assert banner.isHidden()


def test_snapshot_queues_recent_announcements_only(qtbot: QtBot, host: QWidget) -> None:
    old = announcement(1, "Yesterday's news", NotificationType.INFO, -24 * 60)
    fresh = announcement(2, "Scores close at 18:00", NotificationType.INFO, -5)
    core = FakeCore(competition())
    banner = make_banner(host, core, max_age=timedelta(hours=1))
    core.state.apply_snapshot(competition(announcements=[old, fresh]))
    assert [a.id for a in banner.queue()] == [2]
    assert banner.isVisible()


def test_restored_dismissals_are_respected(qtbot: QtBot, host: QWidget) -> None:
    core = FakeCore(competition(announcements=[announcement(1, "Seen", NotificationType.INFO)]))
    banner = make_banner(host, core, dismissed_ids=[1], max_age=timedelta(days=3650))
    assert banner.isHidden()
    core.state.apply(ServerEvent.SYSTEM_ANNOUNCEMENT, announcement(2, "New", NotificationType.INFO))
    assert banner.current is not None and banner.current.id == 2


def test_colours_follow_the_theme_without_drifting(qtbot: QtBot, host: QWidget) -> None:
    core = FakeCore(competition())
    banner = make_banner(host, core)
    for n in range(1, 4):  # restyled on every update: the colour must not drift
        core.state.apply(
            ServerEvent.SYSTEM_ANNOUNCEMENT, announcement(n, f"m{n}", NotificationType.ERROR, n)
        )
    light = banner.card.styleSheet()
    assert light == severity_stylesheet(NotificationType.ERROR, "QFrame#announcementBanner")

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    dark = QPalette(original)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: banner.card.styleSheet() != light, timeout=2000)
        background = QColor(re.search(r"background: (#[0-9a-f]{6})", banner.card.styleSheet())[1])
        assert background.lightness() < 100  # a dark tint on a dark theme
        assert "color: #e8eaed" in banner.card.styleSheet()
    finally:
        app.setPalette(original)


def test_naive_timestamps_do_not_break_the_age_check(qtbot: QtBot, host: QWidget) -> None:
    naive = announcement(1, "From an old cache", NotificationType.INFO)
    naive = naive.model_copy(update={"timestamp": naive.timestamp.replace(tzinfo=None)})
    core = FakeCore(competition())
    banner = make_banner(host, core, max_age=timedelta(days=3650))
    core.state.apply_snapshot(competition(announcements=[naive]))
    assert [a.id for a in banner.queue()] == [1]
