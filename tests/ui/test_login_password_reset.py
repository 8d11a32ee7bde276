"""A reset password is changed in the console at login (issue 8: "the user must change a
reset password at next login").

An admin resets a judge's password; the judge logs in through the real login dialog
with the one-time password, is asked for a new one (what is wrong with a bad one is
said before anything is sent), and lands logged in. Afterwards only the new password
works.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from uuid import uuid4

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from scoring_console.client.admin import AdminClient
from scoring_console.client.core import ClientCore
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.protocol.roles import Role
from scoring_console.ui.controller import ConsoleApp
from scoring_console.ui.login_dialog import LoginDialog
from scoring_console.ui.new_password_dialog import NewPasswordDialog
from scoring_console.ui.options import Options
from tests.helpers.server_process import ServerProcess

from .helpers import eventually, run
from .test_login import visible_dialog

NEW_PASSWORD = "violet-harbour-42"


async def reset_account(url: str, base: Path) -> tuple[str, str]:
    """A new judge account whose password an admin has just reset: (username, one-time)."""
    admin_core = ClientCore(url, "admin", data_dir=base / "admin", keyring_backend=MemoryKeyring())
    await admin_core.login("demo")
    await admin_core.start()
    try:
        assert await admin_core.wait_connected(15)
        admin = AdminClient(admin_core)
        username = f"reset-{uuid4().hex[:8]}"
        created = await admin.create_account(username, "Ines Moreau", Role.JUDGE, "first-pass-1")
        secret = await admin.reset_password(created.account.id)
        assert secret.password, "the server generates a one-time password"
        return username, secret.password
    finally:
        await admin_core.stop(flush_timeout=0)


def login_status(url: str, username: str, password: str) -> int:
    """The HTTP status of a plain REST login."""
    body = json.dumps({"username": username, "password": password}).encode()
    request = urllib.request.Request(
        f"{url}/api/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


async def log_in_with_one_time_password(
    qtbot: QtBot, app: ConsoleApp, one_time: str
) -> tuple[asyncio.Future[Any], LoginDialog, NewPasswordDialog]:
    """Type the one-time password into the login dialog, press Enter, wait for the
    new-password dialog; the session future, the login dialog and the new one."""
    session = asyncio.ensure_future(app.open_session())
    dialog = await visible_dialog(app)
    qtbot.keyClicks(dialog.password_edit, one_time)
    QTest.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    await eventually(
        lambda: app.dialog_new_password is not None and app.dialog_new_password.isVisible(),
        10,
        "the new-password dialog",
    )
    assert app.dialog_new_password is not None
    return session, dialog, app.dialog_new_password


def test_a_reset_password_is_changed_at_login(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    url = server_process.url
    username, one_time = run(qloop, reset_account(url, tmp_path))
    options = Options(server=url, username=username, data_dir=tmp_path / "judge")
    app = ConsoleApp(options, password=None, keyring_backend=MemoryKeyring())

    async def scenario() -> None:
        session, _dialog, ask = await log_in_with_one_time_password(qtbot, app, one_time)
        assert f"The password of {username} was reset" in ask.intro.text()
        # too short: said at once, nothing sent
        qtbot.keyClicks(ask.new_edit, "short")
        qtbot.keyClicks(ask.repeat_edit, "short")
        QTest.keyClick(ask.repeat_edit, Qt.Key.Key_Return)
        assert ask.isVisible() and "at least 8 characters" in ask.error_label.text()
        # the two differ
        ask.new_edit.clear()
        ask.repeat_edit.clear()
        qtbot.keyClicks(ask.new_edit, NEW_PASSWORD)
        qtbot.keyClicks(ask.repeat_edit, NEW_PASSWORD + "x")
        QTest.keyClick(ask.repeat_edit, Qt.Key.Key_Return)
        assert ask.isVisible() and "differ" in ask.error_label.text()
        ask.repeat_edit.clear()
        qtbot.keyClicks(ask.repeat_edit, NEW_PASSWORD)
        QTest.keyClick(ask.repeat_edit, Qt.Key.Key_Return)
        core = await asyncio.wait_for(session, 20)
        assert core is not None and core.user is not None
        assert core.user.username == username and core.user.name == "Ines Moreau"
        await core.stop(flush_timeout=0)

    run(qloop, scenario(), timeout=60)
    assert login_status(url, username, one_time) == 401, "the one-time password is spent"
    assert login_status(url, username, NEW_PASSWORD) == 200


def test_cancelling_the_new_password_logs_nobody_in(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    url = server_process.url
    username, one_time = run(qloop, reset_account(url, tmp_path))
    options = Options(server=url, username=username, data_dir=tmp_path / "judge")
    app = ConsoleApp(options, password=None, keyring_backend=MemoryKeyring())

    async def scenario() -> None:
        session, dialog, ask = await log_in_with_one_time_password(qtbot, app, one_time)
        QTest.keyClick(ask.new_edit, Qt.Key.Key_Escape)
        await eventually(
            lambda: "not changed, so you are not logged in" in dialog.message_label.text(),
            10,
            "the login dialog says why",
        )
        assert dialog.isVisible() and dialog.password_edit.isEnabled()
        dialog.reject()
        assert await asyncio.wait_for(session, 10) is None

    run(qloop, scenario(), timeout=60)
    assert login_status(url, username, one_time) == 403, "still waiting for a new password"
