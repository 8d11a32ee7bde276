"""Several servers in the console, the way a user meets them.

The login dialog takes two addresses typed into its server field; the console logs in,
syncs and shows the window, connected to the first. The first node is killed with
SIGKILL: the console moves to the second by itself, the status bar and the "Connection
restored" notice name it, and a score typed afterwards reaches the server. Wrong server
lists are refused in the dialogs with a sentence saying what to correct.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from scoring_console import paths
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.console import parse_args
from scoring_console.store.outbox import EntryState
from scoring_console.ui.controller import ConsoleApp
from scoring_console.ui.judge_sheet_model import FIRST_CRITERION_COL
from scoring_console.ui.judge_workspace import JudgeWorkspace
from scoring_console.ui.login_dialog import LoginDialog
from scoring_console.ui.notifications.notifier import CONNECTION_RESTORED, Notice
from scoring_console.ui.options import Options
from scoring_console.ui.settings import UserSettings
from scoring_console.ui.settings_dialog import SettingsDialog
from tests.client.integration.conftest import judge_scores
from tests.helpers.server_pair import server_pair

from .consoles import focus, type_keys
from .helpers import eventually, run


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Replace the field's text as a user does: select all, then type."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Delete)


async def visible_dialog(app: ConsoleApp) -> LoginDialog:
    await eventually(lambda: app.dialog is not None and app.dialog.isVisible(), 10, "dialog")
    assert app.dialog is not None
    return app.dialog


def test_two_servers_typed_in_the_dialog_and_the_console_moves_when_one_dies(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    data = tmp_path / "console"
    with server_pair(tmp_path / "cluster") as (node1, node2):
        app = ConsoleApp(Options(data_dir=data), password=None, keyring_backend=MemoryKeyring())

        async def scenario() -> None:
            task = asyncio.ensure_future(app.run())
            try:
                await steps()
            finally:
                app.request_quit()
                assert await asyncio.wait_for(task, 20) == 0

        async def steps() -> None:
            dialog = await visible_dialog(app)
            type_into(qtbot, dialog.server_edit, f"{node1.url}  {node2.url}")
            type_into(qtbot, dialog.username_edit, "judge1")
            type_into(qtbot, dialog.password_edit, "demo")
            qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
            await eventually(
                lambda: app.core is not None and app.core.connection.connected, 20, "connected"
            )
            window = app.window
            core = app.core
            assert window is not None and core is not None
            await eventually(window.is_filled, 20, "the window filled by the first sync")
            first = f"Connected to 127.0.0.1:{node1.port}"
            await eventually(lambda: window.status.text == first, 10, first)
            assert window.status.server_label.text() == node1.url
            notices: list[Notice] = []
            window.notifier.notice_posted.connect(notices.append)

            await asyncio.to_thread(node1.kill)
            second = f"Connected to 127.0.0.1:{node2.port}"
            await eventually(lambda: window.status.text == second, 30, second)
            assert window.status.server_label.text() == node2.url
            await eventually(
                lambda: any(
                    n.title == CONNECTION_RESTORED and n.message.startswith(second) for n in notices
                ),
                10,
                "the notice naming the new server",
            )
            assert core.login_required is None, "still logged in"

            # a score typed after the failover reaches the server
            workspace = window.workspace
            assert isinstance(workspace, JudgeWorkspace)
            sheet = workspace.current_sheet()
            assert sheet is not None
            sheet.table.setCurrentIndex(sheet.model.index(0, FIRST_CRITERION_COL))
            await focus(sheet.table)
            type_keys("7.5\n")
            await eventually(
                lambda: [e.state for e in core.outbox_entries()] == [EntryState.SYNCED],
                15,
                "the typed score synced",
            )
            assert core.user is not None
            stored = await judge_scores(node2.url, core.user.id)
            assert [(s.category_id, s.score, s.version) for s in stored] == [
                (sheet.category_id, 7.5, 1)
            ]

        run(qloop, scenario(), timeout=120)
    remembered = UserSettings.load(paths.settings_dir(data))
    assert remembered.server_url == f"{node1.url}, {node2.url}"
    assert remembered.username == "judge1"


def test_the_dialog_refuses_a_bad_server_list_and_says_what_to_correct(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    app = ConsoleApp(
        Options(username="judge1", data_dir=tmp_path / "d"),
        password=None,
        keyring_backend=MemoryKeyring(),
    )

    async def scenario() -> None:
        session = asyncio.ensure_future(app.open_session())
        dialog = await visible_dialog(app)
        type_into(qtbot, dialog.password_edit, "demo")
        for typed, said in (
            ("", "Enter the address of at least one server"),
            ("score1.venue:8765", "“score1.venue:8765” is not a server address"),
            ("http://score1:8765, http://score1:8765/", "is listed twice"),
        ):
            type_into(qtbot, dialog.server_edit, typed)
            qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
            await eventually(lambda s=said: s in dialog.message_label.text(), 5, said)
            assert dialog.server_edit.isEnabled() and dialog.isVisible()
            assert dialog.server_edit.text() == typed, "what the user typed is kept"
        assert app.core is None
        dialog.reject()
        assert await session is None

    run(qloop, scenario(), timeout=30)


def test_the_settings_dialog_keeps_a_server_list_and_refuses_a_bad_one(qtbot: QtBot) -> None:
    dialog = SettingsDialog(UserSettings(server_url="http://a:1", username="judge1"))
    qtbot.addWidget(dialog)
    dialog.show()
    type_into(qtbot, dialog.server_edit, "http://a:1 http://a:1")
    dialog.accept()
    assert dialog.isVisible(), "a bad list keeps the dialog open"
    assert "The server http://a:1 is listed twice" in dialog.server_error.text()
    type_into(qtbot, dialog.server_edit, "http://a:1 http://b:2/")
    dialog.accept()
    assert not dialog.isVisible()
    assert dialog.result_settings().server_url == "http://a:1, http://b:2"


def test_console_command_line_takes_a_server_list(capsys: pytest.CaptureFixture[str]) -> None:
    options = parse_args(["--server", "http://a:1,http://b:2/", "--server", "http://c:3"])
    assert options.server == "http://a:1, http://b:2, http://c:3"
    assert parse_args(["--server", "http://a:1"]).server == "http://a:1"
    assert parse_args([]).server is None
    with pytest.raises(SystemExit) as refused:
        parse_args(["--server", "http://a:1 http://a:1"])
    assert refused.value.code == 2
    assert "--server: The server http://a:1 is listed twice" in capsys.readouterr().err
