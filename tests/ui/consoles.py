"""Open real console windows (ClientCore + CoreBridge + MainWindow) against a server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from scoring_console.client.core import ClientCore
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.judge_sheet_view import JudgeSheetView
from scoring_console.ui.judge_workspace import JudgeWorkspace
from scoring_console.ui.main_window import MainWindow
from scoring_console.ui.score_delegate import Confirm
from scoring_console.ui.settings import UserSettings, WindowState
from scoring_console.ui.tally_category_view import TallyCategoryView
from scoring_console.ui.tally_workspace import TallyWorkspace

from .helpers import eventually

PASSWORD = "demo"


@dataclass
class Console:
    """One running console session."""

    core: ClientCore
    bridge: CoreBridge
    window: MainWindow

    def sheet(self) -> JudgeSheetView:
        """The judge sheet on screen."""
        assert isinstance(self.window.workspace, JudgeWorkspace)
        sheet = self.window.workspace.current_sheet()
        assert sheet is not None
        return sheet

    def tally(self) -> TallyCategoryView:
        """The tally on screen."""
        assert isinstance(self.window.workspace, TallyWorkspace)
        view = self.window.workspace.current_view()
        assert view is not None
        return view

    async def close(self) -> None:
        """Close the window and stop the core, as the app does."""
        self.window.close()
        for tasks in self.window.task_sets():
            await tasks.finish(5.0)
        await self.core.stop(flush_timeout=1.0)
        self.bridge.close()
        self.window.deleteLater()


async def open_console(
    url: str,
    username: str,
    base: Path,
    confirm: Confirm | None = None,
    connect_timeout: float = 10.0,
) -> Console:
    """Log in, show the main window, connect, and wait for its filled view."""
    core = ClientCore(
        url,
        username,
        data_dir=base / username,
        keyring_backend=MemoryKeyring(),
        heartbeat_interval=1.0,
        backoff_min=0.1,
        backoff_max=0.5,
        connect_timeout=connect_timeout,
        request_timeout=5.0,
    )
    await core.login(PASSWORD)
    bridge = CoreBridge(core)
    settings = UserSettings(server_url=url, username=username, sound_enabled=False)
    window = MainWindow(bridge, settings, WindowState(), confirm=confirm)
    window.resize(1200, 700)
    window.show()
    await core.start()
    assert await core.wait_connected(15), f"{username} did not connect"
    await eventually(window.is_filled, what=f"{username}'s window to fill")
    return Console(core, bridge, window)


async def focus(widget: QWidget) -> None:
    """Make ``widget``'s window active and give ``widget`` the keyboard focus."""
    window = widget.window()
    window.raise_()
    window.activateWindow()
    await eventually(lambda: QApplication.activeWindow() is window, what="active window")
    widget.setFocus()
    await eventually(lambda: QApplication.focusWidget() is widget, what="keyboard focus")


def type_keys(text: str) -> None:
    """Type into the focus widget; ``\\n`` is Enter, ``\\t`` Tab."""
    for char in text:
        target = QApplication.focusWidget()
        assert target is not None, "nothing has the keyboard focus"
        if char == "\n":
            QTest.keyClick(target, Qt.Key.Key_Return)
        elif char == "\t":
            QTest.keyClick(target, Qt.Key.Key_Tab)
        else:
            QTest.keyClicks(target, char)
