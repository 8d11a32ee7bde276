"""Status bar wording, plausibility rules, settings dialog and layout persistence."""

from __future__ import annotations

import time

from pytestqt.qtbot import QtBot

from scoring_console import paths
from scoring_console.client.connection import ConnectionState, ConnectionStatus
from scoring_console.protocol.roles import Role
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.main_window import MainWindow
from scoring_console.ui.plausibility import (
    format_score,
    parse_score,
    plausibility_warning,
    range_error,
)
from scoring_console.ui.settings import UserSettings, WindowState
from scoring_console.ui.settings_dialog import SettingsDialog
from scoring_console.ui.status_bar import ConnectionStatusBar, connection_text
from scoring_console.ui.tally_workspace import TallyWorkspace

from .sheet_fakes import SheetFakeCore
from .snapshots import make_snapshot


def test_connection_text() -> None:
    connected = ConnectionState(ConnectionStatus.CONNECTED)
    assert connection_text(connected, 0, None) == "Connected"
    assert connection_text(connected, 2, None) == "Connected — sending 2"
    offline = ConnectionState(ConnectionStatus.OFFLINE)
    assert connection_text(offline, 3, None) == "Offline — 3 pending"
    retrying = ConnectionState(ConnectionStatus.RECONNECTING, attempt=2, retry_in=4.0)
    assert connection_text(retrying, 1, time.monotonic() + 4.0) == "Reconnecting in 4 s — 1 pending"
    assert connection_text(retrying, 0, time.monotonic() - 1) == "Reconnecting…"
    failed = ConnectionState(ConnectionStatus.AUTH_FAILED, reason="session expired")
    assert connection_text(failed, 0, None) == "Login needed (session expired)"
    # unsent writes matter most when a login is needed: the count stays visible
    assert connection_text(failed, 4, None) == "Login needed (session expired) — 4 pending"
    no_reason = ConnectionState(ConnectionStatus.AUTH_FAILED)
    assert connection_text(no_reason, 1, None) == "Login needed — 1 pending"


def test_status_bar_counts_down(qtbot: QtBot) -> None:
    bar = ConnectionStatusBar("http://venue:8765")
    qtbot.addWidget(bar)
    bar.on_pending_count_changed(5)
    bar.on_connection_changed(
        ConnectionState(ConnectionStatus.RECONNECTING, attempt=1, retry_in=2.0)
    )
    assert bar.text == "Reconnecting in 2 s — 5 pending"
    qtbot.waitUntil(lambda: bar.text == "Reconnecting in 1 s — 5 pending", timeout=2500)
    bar.on_connection_changed(ConnectionState(ConnectionStatus.CONNECTED))
    bar.on_pending_count_changed(0)
    assert bar.text == "Connected"
    assert bar.server_label.text() == "http://venue:8765"


def test_plausibility_rules() -> None:
    assert parse_score(" 7,5 ") == 7.5
    assert parse_score("abc") is None
    assert parse_score("") is None
    assert range_error(10.5, 10) is not None
    assert range_error(-1, 10) is not None
    assert range_error(10, 10) is None
    # 0 and the maximum are unusual only far from the judge's own scores (issue 7)
    assert plausibility_warning(0, 10, [7, 8, 7.5]) is not None
    assert plausibility_warning(10, 10, [2, 3, 2.5]) is not None
    assert plausibility_warning(7, 10, []) is None
    assert plausibility_warning(1.5, 10, [7, 8, 7.5]) is not None  # far below own average
    assert plausibility_warning(1.5, 10, [7, 8]) is None  # too little history to judge
    assert plausibility_warning(6, 10, [7, 8, 7.5]) is None
    assert format_score(7.0) == "7"
    assert format_score(7.25) == "7.25"


def test_settings_dialog_saves_user_settings(qtbot: QtBot) -> None:
    settings = UserSettings(server_url="http://a:1", username="judge1")
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.server_edit.setText("http://b:2/")
    dialog.sound_box.setChecked(False)
    dialog.tray_box.setChecked(False)
    result = dialog.result_settings()
    assert result.server_url == "http://b:2"
    assert (result.sound_enabled, result.tray_messages) == (False, False)
    assert result.username == "judge1"
    result.save()
    loaded = UserSettings.load()
    assert loaded == result
    assert (paths.config_dir() / "settings.ini").is_file()


def test_window_layout_persists_apart_from_settings(qtbot: QtBot) -> None:
    core = SheetFakeCore(make_snapshot(user_id=99, role=Role.TALLY_MASTER))
    bridge = CoreBridge(core)  # type: ignore[arg-type]
    window = MainWindow(bridge, UserSettings(sound_enabled=False), WindowState())
    qtbot.addWidget(window)
    window.resize(1000, 640)
    window.show()
    qtbot.waitExposed(window)
    assert isinstance(window.workspace, TallyWorkspace)
    view = window.workspace.current_view()
    assert view is not None
    view.table.horizontalHeader().resizeSection(1, 222)
    window.close()
    assert (paths.config_dir() / "window-state.ini").is_file()
    assert not (paths.config_dir() / "settings.ini").exists()

    again = MainWindow(CoreBridge(core), UserSettings(sound_enabled=False), WindowState())  # type: ignore[arg-type]
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert isinstance(again.workspace, TallyWorkspace)
    restored = again.workspace.current_view()
    assert restored is not None
    assert restored.table.horizontalHeader().sectionSize(1) == 222
    # the offscreen screen is 800 px wide: restoreGeometry clamps the width to it
    assert again.height() == 640


def test_dismissed_announcements_stay_dismissed(qtbot: QtBot) -> None:
    from scoring_console.protocol import ServerEvent
    from scoring_console.protocol.entities import Announcement, NotificationType

    from .snapshots import NOW

    core = SheetFakeCore(make_snapshot(user_id=11, role=Role.JUDGE))
    note = Announcement(
        id=7, message="Lunch at 12:30", type=NotificationType.INFO, timestamp=NOW, seq=5
    )
    core.state.apply(ServerEvent.SYSTEM_ANNOUNCEMENT, note)
    window = MainWindow(CoreBridge(core), UserSettings(sound_enabled=False), WindowState())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    assert 7 not in window.banner.dismissed_ids()
    window.banner.dismiss_button.click()
    assert 7 in window.banner.dismissed_ids()
    window.close()

    again = MainWindow(CoreBridge(core), UserSettings(sound_enabled=False), WindowState())  # type: ignore[arg-type]
    qtbot.addWidget(again)
    assert 7 in again.banner.dismissed_ids()


def test_judges_can_request_deductions_and_toasts_open_the_center(qtbot: QtBot) -> None:
    core = SheetFakeCore(make_snapshot(user_id=11, role=Role.JUDGE))
    window = MainWindow(CoreBridge(core), UserSettings(sound_enabled=False), WindowState())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.requests_panel.show()
    assert window.requests_panel.request_button.isVisibleTo(window.requests_panel)
    window.notification_dock.hide()
    window.toasts.toast_clicked.emit(object())
    assert window.notification_dock.isVisible()
    window.notification_dock.hide()
    window.notifier.open_requested.emit()
    assert window.notification_dock.isVisible()
