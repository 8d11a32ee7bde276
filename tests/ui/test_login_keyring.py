""" "Remember me" where no keyring works: unticked, disabled and explained; where one
works it stays offered. The user's path: the dialog, typed password, Log in."""

from __future__ import annotations

import asyncio
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.ui.controller import ConsoleApp
from scoring_console.ui.options import Options
from tests.helpers.server_process import ServerProcess

from .helpers import eventually, run


def log_in_through_the_dialog(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    url: str,
    data_dir: Path,
    backend: KeyringBackend,
) -> tuple[bool, bool, str]:
    options = Options(server=url, username="judge2", data_dir=data_dir)
    app = ConsoleApp(options, password=None, keyring_backend=backend)
    seen: list[tuple[bool, bool, str]] = []

    async def scenario() -> None:
        session = asyncio.ensure_future(app.open_session())
        await eventually(lambda: app.dialog is not None and app.dialog.isVisible(), 10, "dialog")
        dialog = app.dialog
        assert dialog is not None
        box = dialog.remember_box
        seen.append((box.isEnabled(), box.isChecked(), box.text()))
        qtbot.keyClicks(dialog.password_edit, "demo")
        qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
        core = await session
        assert core is not None and core.user is not None
        await core.stop()

    run(qloop, scenario(), timeout=30)
    return seen[0]


def test_remember_me_is_explained_without_a_keyring(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    enabled, checked, text = log_in_through_the_dialog(
        qtbot, qloop, server_process.url, tmp_path / "d", FailKeyring()
    )
    assert not enabled and not checked
    assert "no keyring" in text


def test_remember_me_is_offered_with_a_keyring(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    keyring = MemoryKeyring()
    enabled, checked, text = log_in_through_the_dialog(
        qtbot, qloop, server_process.url, tmp_path / "d", keyring
    )
    assert enabled and checked
    assert text == "Remember me on this computer"
    assert keyring.passwords, "remembered: the token went to the keyring"
