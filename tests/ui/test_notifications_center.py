"""The notification center: mark as read through the core seam, errors shown, dock title."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from scoring_console.client.errors import NotConnected
from scoring_console.protocol import AckFailed, ErrorCode
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.notifications import NotificationCenter, NotificationDock

from .notifications_fakes import FakeCore, competition, notification, run_until


def make_center(qtbot: QtBot, *notes: int) -> tuple[FakeCore, NotificationCenter]:
    core = FakeCore(competition(notifications=[notification(n, n) for n in notes]))
    center = NotificationCenter(CoreBridge(core))  # type: ignore[arg-type]
    qtbot.addWidget(center)
    center.show()  # laid out: clicks land on the buttons
    return core, center


def select(center: NotificationCenter, note_id: int) -> None:
    index = center.model.index(center.model.row_of(note_id), 0)
    center.view.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def test_mark_selected_as_read(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    core, center = make_center(qtbot, 1, 2, 3)
    assert not center.mark_read_button.isEnabled()  # nothing selected yet
    select(center, 2)
    assert center.mark_read_button.isEnabled()

    qtbot.mouseClick(center.mark_read_button, Qt.MouseButton.LeftButton)
    run_until(qloop, lambda: center.unread_count == 2)

    assert core.calls == [("mark_read", ([2],))]
    assert core.state.notifications[2].read
    assert not center.mark_read_button.isEnabled()  # the selection is read now
    assert center.error_label.isHidden()


def test_mark_all_as_read(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    core, center = make_center(qtbot, 1, 2, 3)
    counts: list[int] = []
    center.unread_count_changed.connect(counts.append)
    qtbot.mouseClick(center.mark_all_button, Qt.MouseButton.LeftButton)
    run_until(qloop, lambda: center.unread_count == 0)
    assert counts[-1] == 0
    assert core.calls == [("mark_read", ([3, 2, 1],))]
    assert not center.mark_all_button.isEnabled()
    assert "0 unread of 3" in center.summary_label.text()


def test_refusal_is_shown_and_nothing_changes(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    core, center = make_center(qtbot, 1, 2)
    core.failures["mark_read"] = AckFailed(ErrorCode.INTERNAL, "database is locked")
    finished: list[bool] = []
    center.mark_read_finished.connect(finished.append)

    qtbot.mouseClick(center.mark_all_button, Qt.MouseButton.LeftButton)
    run_until(qloop, lambda: finished)

    assert finished == [False]
    assert center.unread_count == 2
    assert center.error_label.isVisibleTo(center)
    text = center.error_label.text()
    assert "database is locked" in text
    assert "Try again" in text
    assert center.mark_all_button.isEnabled()  # the user can retry


def test_offline_error_says_what_to_do(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    core, center = make_center(qtbot, 1)
    core.failures["mark_read"] = NotConnected("no connection")
    qtbot.mouseClick(center.mark_all_button, Qt.MouseButton.LeftButton)
    run_until(qloop, lambda: center.error_label.isVisibleTo(center))
    assert "offline" in center.error_label.text()
    assert "connected" in center.error_label.text()

    # back online: the retry clears the message
    del core.failures["mark_read"]
    qtbot.mouseClick(center.mark_all_button, Qt.MouseButton.LeftButton)
    run_until(qloop, lambda: center.unread_count == 0)
    assert center.error_label.isHidden()


def test_opening_a_notification_marks_it_read(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    core, center = make_center(qtbot, 1, 2)
    index = center.model.index(center.model.row_of(1), 0)
    with qtbot.waitSignal(center.notification_activated) as blocker:
        center.view.activated.emit(index)
    assert blocker.args[0].id == 1
    run_until(qloop, lambda: core.state.notifications[1].read)
    assert core.calls == [("mark_read", ([1],))]


def test_dock_title_shows_unread_count(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    core = FakeCore(competition(notifications=[notification(1), notification(2, 1)]))
    dock = NotificationDock(CoreBridge(core))  # type: ignore[arg-type]
    qtbot.addWidget(dock)
    dock.show()  # laid out: the click lands on the button
    assert dock.windowTitle() == "Notifications (2)"
    qtbot.mouseClick(dock.center.mark_all_button, Qt.MouseButton.LeftButton)
    run_until(qloop, lambda: dock.windowTitle() == "Notifications")
    dock.open()
    assert dock.isVisible()


def test_dock_stays_narrow_whatever_it_holds(qtbot: QtBot) -> None:
    widths = set()
    for notes in ([], [notification(1)], [notification(n, n) for n in range(1, 30)]):
        core = FakeCore(competition(notifications=notes))
        dock = NotificationDock(CoreBridge(core))  # type: ignore[arg-type]
        qtbot.addWidget(dock)
        widths.add(dock.minimumSizeHint().width())
    assert len(widths) == 1  # the text does not widen the main window
    assert widths.pop() <= 260
