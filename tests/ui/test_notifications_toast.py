"""Toasts: stacked, capped, severity-styled, clickable, fading away."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from scoring_console.protocol.entities import NotificationType
from scoring_console.ui.notifications import Notice, NoticeKind, ToastOverlay


def notice(n: int, severity: NotificationType = NotificationType.INFO) -> Notice:
    return Notice(NoticeKind.NOTIFICATION, f"Title {n}", f"Body {n}", severity, n)


def make_overlay(qtbot: QtBot, **kw: int) -> tuple[QMainWindow, ToastOverlay]:
    window = QMainWindow()
    window.resize(800, 600)
    qtbot.addWidget(window)
    window.show()
    return window, ToastOverlay(window, **kw)


def test_toasts_stack_in_the_top_right_corner_and_are_capped(qtbot: QtBot) -> None:
    window, overlay = make_overlay(qtbot, fade_ms=0, max_toasts=3)
    for n in range(1, 6):
        overlay.on_notice_posted(notice(n))
    qtbot.waitUntil(lambda: len(overlay.findChildren(type(overlay.toasts()[0]))) == 3)
    assert [t.notice.key for t in overlay.toasts()] == [3, 4, 5]
    assert overlay.isVisible()
    assert overlay.geometry().right() <= window.width()
    assert overlay.x() > window.width() // 2
    window.resize(1000, 600)
    qtbot.waitUntil(lambda: overlay.x() > 500)


def test_clicking_a_toast_reports_it_and_closes_it(qtbot: QtBot) -> None:
    _, overlay = make_overlay(qtbot, fade_ms=0)
    overlay.on_notice_posted(notice(1, NotificationType.ERROR))
    (toast,) = overlay.toasts()
    assert "Error" in toast.accessibleName()
    assert "#c0392b" in toast.styleSheet()
    with qtbot.waitSignal(overlay.toast_clicked) as blocker:
        qtbot.mouseClick(toast, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert blocker.args[0].key == 1
    qtbot.waitUntil(lambda: overlay.toasts() == [] and not overlay.isVisible())


def test_toasts_time_out_with_a_fade(qtbot: QtBot) -> None:
    _, overlay = make_overlay(qtbot, timeout_ms=50, error_timeout_ms=50, fade_ms=40)
    overlay.on_notice_posted(notice(1))
    overlay.on_notice_posted(notice(2, NotificationType.WARNING))
    assert len(overlay.toasts()) == 2
    qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=3000)
    assert overlay.toasts() == []


def test_dismiss_all(qtbot: QtBot) -> None:
    _, overlay = make_overlay(qtbot, fade_ms=0)
    overlay.on_notice_posted(notice(1))
    overlay.on_notice_posted(notice(2))
    overlay.dismiss_all()
    assert overlay.toasts() == []
    qtbot.waitUntil(lambda: not overlay.isVisible())


def test_cards_fit_their_text_and_do_not_overlap(qtbot: QtBot) -> None:
    window, overlay = make_overlay(qtbot, fade_ms=0)
    long = "3 score(s) missing: a judge signs only a complete sheet. " * 3
    overlay.on_notice_posted(notice(1))
    overlay.on_notice_posted(
        Notice(NoticeKind.NOTIFICATION, "Sign-off refused", long, NotificationType.ERROR, 2)
    )
    short, tall = overlay.toasts()
    assert tall.height() > short.height() + 20  # three more lines of text
    qtbot.waitUntil(lambda: tall.isVisible())
    assert short.geometry().bottom() < tall.geometry().top()
    assert overlay.height() >= short.height() + tall.height()
    assert overlay.geometry().bottom() <= window.height()
