"""Fast, real input on a judge sheet: a click and the keys right after it, as a judge types.

``FAIL_ON_QT_WARNINGS`` makes a test fail on any Qt warning (among them Qt's
``edit: editing failed``, printed when a typed key found no editor), except the
offscreen platform's notes about features it does not have.
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

FAIL_ON_QT_WARNINGS = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"^This plugin does not support"),
]

PERSON_TYPING = 0.05
"""Seconds from a click to the Enter after the typed value (a quick judge)."""


def click(view: QAbstractItemView, index: QModelIndex) -> None:
    """One left click in the middle of a cell."""
    QTest.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        view.visualRect(index).center(),
    )


def type_keys(text: str) -> None:
    """Type into the focus widget at once; ``\\n`` is Enter, ``\\t`` Tab."""
    for char in text:
        target = QApplication.focusWidget()
        assert target is not None, "nothing has the keyboard focus"
        if char == "\n":
            QTest.keyClick(target, Qt.Key.Key_Return)
        elif char == "\t":
            QTest.keyClick(target, Qt.Key.Key_Tab)
        else:
            QTest.keyClicks(target, char)


def click_and_type(view: QAbstractItemView, index: QModelIndex, text: str) -> float:
    """Click ``index``, then type ``text`` at once; the seconds it took (asserted quick)."""
    started = time.monotonic()
    click(view, index)
    type_keys(text)
    elapsed = time.monotonic() - started
    # Qt's delayed "SelectedClicked" editor waits a double-click interval; a judge's
    # click-digit-Enter is well inside it. Keep the test inside it too, or it proves nothing.
    assert elapsed < QApplication.doubleClickInterval() / 1000, f"typing took {elapsed:.3f} s"
    return elapsed


def frame_pixels(view: QAbstractItemView, index: QModelIndex, color: QColor) -> int:
    """How many pixels on the border of ``index``'s cell have exactly ``color``."""
    image: QImage = view.viewport().grab().toImage()
    rect = view.visualRect(index)
    border = [QPoint(x, y) for x in range(rect.left(), rect.right() + 1) for y in (rect.top() + 1,)]
    border += [QPoint(x, rect.bottom() - 1) for x in range(rect.left(), rect.right() + 1)]
    border += [QPoint(rect.left() + 1, y) for y in range(rect.top(), rect.bottom() + 1)]
    border += [QPoint(rect.right() - 1, y) for y in range(rect.top(), rect.bottom() + 1)]
    scale = image.devicePixelRatio()
    return sum(
        1
        for point in border
        if image.pixelColor(int(point.x() * scale), int(point.y() * scale)).rgb() == color.rgb()
    )


def focused() -> QWidget | None:
    """The widget with the keyboard focus."""
    return QApplication.focusWidget()
