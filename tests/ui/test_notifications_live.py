"""End to end: an organizer's announcement and assignment reach a judge's widgets.

A real bundled server (subprocess) and real ``ClientCore`` sessions on qasync's loop;
the judge's banner, notification center and tray notifier (a FakeTray, as offscreen
has no system tray) are wired to the judge's core through a real CoreBridge.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from scoring_console.protocol.entities import NotificationType
from scoring_console.ui.announcement_banner import AnnouncementBanner
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.notifications import FakeTray, NotificationCenter, TrayNotifier
from tests.helpers.server_process import ServerProcess

from .helpers import eventually, run
from .notifications_fakes import start_core, stop_cores


def test_announcement_and_assignment_reach_the_judge(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    window = QWidget()
    qtbot.addWidget(window)

    async def scenario() -> None:
        organizer = await start_core(server_process.url, "organizer1", tmp_path)
        judge = await start_core(server_process.url, "judge1", tmp_path)
        bridge = CoreBridge(judge)
        try:
            banner = AnnouncementBanner(bridge, window)
            center = NotificationCenter(bridge, window)
            layout = QVBoxLayout(window)
            layout.addWidget(banner)
            layout.addWidget(center)
            tray = FakeTray()
            notifier = TrayNotifier(bridge, tray, window=window)
            posted: list[object] = []
            notifier.notice_posted.connect(posted.append)
            unread_before = center.unread_count

            # the window is not shown, so not active: news goes to the tray
            first = "Judges: scoring for Vocal Performance closes in 10 minutes"
            await organizer.announce(first, NotificationType.WARNING)
            await eventually(lambda: banner.current is not None, 10, "the banner")
            assert banner.current is not None and banner.current.message == first
            assert "#c98a00" in banner.card.styleSheet()  # warning style
            await eventually(lambda: any(m.message == first for m in tray.messages), 10, "tray")
            assert posted == []

            # a persisted notification: assigning the judge to another category
            variety = next(
                c for c in organizer.state.categories.values() if c.name == "Variety Talent"
            )
            assert judge.user is not None
            await organizer.assign(judge.user.id, variety.id)
            await eventually(
                lambda: center.unread_count == unread_before + 1, 10, "the notification"
            )
            top = center.model.notification_at(0)
            assert top.title == "New assignment" and "Variety Talent" in top.message
            await eventually(
                lambda: any(m.title == "New assignment" for m in tray.messages), 10, "tray"
            )
            await asyncio.sleep(0.3)  # assignment:new arrives too: still one message
            assert [m.title for m in tray.messages].count("New assignment") == 1

            # the window active: the next announcement stays in the window (banner)
            window.show()
            window.activateWindow()
            await eventually(lambda: QApplication.activeWindow() is window, 5, "active window")
            second = "Back to your seats, please"
            await organizer.announce(second, NotificationType.INFO)
            await eventually(
                lambda: banner.current is not None and banner.current.message == second, 10
            )
            assert banner.more_label.text() == "+1 more"
            assert all(m.message != second for m in tray.messages)

            # mark everything read through the center; the server agrees after a resync
            qtbot.mouseClick(center.mark_all_button, Qt.MouseButton.LeftButton)
            await eventually(lambda: center.unread_count == 0, 10, "all read")
            snapshot = await judge.sync_now()
            assert snapshot.notifications and all(n.read for n in snapshot.notifications)
            assert center.error_label.isHidden()
        finally:
            bridge.close()
            await stop_cores(judge, organizer)

    run(qloop, scenario(), timeout=60)
