"""Run the console the way a user starts it: ConsoleApp → login → core → first sync → window.

:func:`start_app` builds the real :class:`~scoring_console.ui.controller.ConsoleApp` with a
password (as ``SCORING_PASSWORD`` would give it) and a memory keyring, runs its whole
session on the qasync loop, and waits until the window shows synced data. Nothing is
built around a known user: whatever the window shows, it learned through the same path
as the installed app.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from scoring_console.client.core import ClientCore
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.ui.controller import ConsoleApp
from scoring_console.ui.main_window import MainWindow
from scoring_console.ui.options import Options

from .helpers import eventually

PASSWORD = "demo"


@dataclass
class AppSession:
    """One running console, started through the controller."""

    app: ConsoleApp
    task: asyncio.Future[int]
    questions: list[str] = field(default_factory=list)

    @property
    def window(self) -> MainWindow:
        assert self.app.window is not None
        return self.app.window

    @property
    def core(self) -> ClientCore:
        assert self.app.core is not None
        return self.app.core

    async def quit(self) -> int:
        """Quit as on SIGTERM (no questions asked); wait for the clean shutdown."""
        self.app.request_quit()
        return await asyncio.wait_for(self.task, 20)


async def start_app(
    url: str,
    username: str,
    base: Path,
    size: tuple[int, int] = (1366, 768),
    password: str | None = PASSWORD,
    keyring: MemoryKeyring | None = None,
    wait_connected: bool = True,
) -> AppSession:
    """Start the console for ``username`` as the installed app does; wait for its data."""
    options = Options(server=url, username=username, data_dir=base / username, size=size)
    app = ConsoleApp(options, password=password, keyring_backend=keyring or MemoryKeyring())
    task = asyncio.ensure_future(app.run())
    await eventually(lambda: app.window is not None or task.done(), 20, f"{username}'s window")
    assert not task.done(), f"{username}'s console ended: {task.result()}"
    if wait_connected:
        await eventually(
            lambda: (
                app.core is not None
                and app.core.connection.connected
                and app.core.state.user is not None
            ),
            20,
            f"{username} connected and synced",
        )
    return AppSession(app, task)


def answer_next_question(
    qtbot: QtBot, answer: QMessageBox.StandardButton, seen: list[str] | None = None
) -> None:
    """Click ``answer`` in the next question box that opens (a modal, as a user would)."""

    def attempt() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            if seen is not None:
                seen.append(box.text())
            button = box.button(answer)
            assert button is not None, f"no {answer} button in {box.text()!r}"
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        else:
            QTimer.singleShot(20, attempt)

    QTimer.singleShot(0, attempt)


@contextlib.asynccontextmanager
async def closing(session: AppSession) -> AsyncIterator[AppSession]:
    """Quit the session at the end whatever happened (no window left to ask questions)."""
    try:
        yield session
    finally:
        if not session.task.done():
            await session.quit()


def press_in_next_box(qtbot: QtBot, label: str, seen: list[str] | None = None) -> None:
    """Click the button labelled ``label`` (mnemonic ``&`` ignored) in the next message box."""

    def attempt() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            if seen is not None:
                seen.append(f"{box.text()}\n{box.informativeText()}")
            for button in box.buttons():
                if button.text().replace("&", "") == label:
                    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
                    return
            raise AssertionError(f"no {label!r} button in {box.text()!r}")
        QTimer.singleShot(20, attempt)

    QTimer.singleShot(0, attempt)


def click_soon(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click ``button`` from the Qt event loop, not from inside the test's asyncio task.

    A click that opens a modal box runs a nested event loop; started from inside a
    running task, that loop would re-enter other tasks (as no real click ever does).
    """
    QTimer.singleShot(0, lambda: qtbot.mouseClick(button, Qt.MouseButton.LeftButton))


def fully_reachable(button: QAbstractButton) -> bool:
    """The button is shown and not cut off by its scroll area or window (no sideways scroll)."""
    if not button.isVisible():
        return False
    area: QWidget | None = button.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if isinstance(area, QScrollArea):
        if area.horizontalScrollBar().maximum() > 0:
            return False
        viewport = area.viewport()
        right = button.mapTo(viewport, QPoint(button.width() - 1, 0)).x()
        return 0 <= right < viewport.width()
    window = button.window()
    return button.mapTo(window, QPoint(button.width() - 1, 0)).x() < window.width()
