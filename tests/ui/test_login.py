"""The login flow of the app controller against a real server: dialog errors, silent
resume, SCORING_PASSWORD, "Open offline" from the cache, and the no-keyring notice."""

from __future__ import annotations

import asyncio
from pathlib import Path

from keyring.backends.fail import Keyring as FailKeyring
from pytestqt.qtbot import QtBot

from scoring_console import paths
from scoring_console.client.core import ClientCore
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.ui.controller import ConsoleApp
from scoring_console.ui.login_dialog import LoginDialog
from scoring_console.ui.options import Options
from scoring_console.ui.settings import UserSettings
from tests.helpers.server_process import ServerProcess

from .helpers import eventually, run


async def visible_dialog(app: ConsoleApp) -> LoginDialog:
    await eventually(lambda: app.dialog is not None and app.dialog.isVisible(), 10, "dialog")
    assert app.dialog is not None
    return app.dialog


def test_wrong_password_then_right_one(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    options = Options(server=server_process.url, username="judge1", data_dir=tmp_path / "d")
    app = ConsoleApp(options, password=None, keyring_backend=MemoryKeyring())

    async def scenario() -> None:
        session = asyncio.ensure_future(app.open_session())
        dialog = await visible_dialog(app)
        assert dialog.username_edit.text() == "judge1"
        dialog.password_edit.setText("not-the-password")
        dialog.login_button.click()
        await eventually(
            lambda: "Wrong user name or password" in dialog.message_label.text(), 10, "error"
        )
        assert dialog.password_edit.isEnabled()
        assert not dialog.offline_button.isVisible()
        dialog.password_edit.setText("demo")
        dialog.login_button.click()
        core = await session
        assert core is not None and core.user is not None
        assert core.user.username == "judge1"
        await core.stop()

    run(qloop, scenario(), timeout=30)
    # settings follow the profile folder (--data-dir), not the machine-wide config
    remembered = UserSettings.load(paths.settings_dir(tmp_path / "d"))
    assert remembered.server_url == server_process.url
    assert remembered.username == "judge1"
    assert UserSettings.load().username != "judge1"


def test_password_from_the_environment_and_silent_resume(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    keyring = MemoryKeyring()
    options = Options(server=server_process.url, username="tally1", data_dir=tmp_path / "d")

    async def scenario() -> None:
        first = ConsoleApp(options, password="demo", keyring_backend=keyring)
        core = await first.open_session()
        assert core is not None and first.dialog is None
        await core.start()
        assert await core.wait_connected(15)
        await core.stop()
        assert keyring.passwords, "remember me stores the refresh token"

        second = ConsoleApp(options, password=None, keyring_backend=keyring)
        resumed = await second.open_session()
        assert second.dialog is None, "a stored token logs in without the dialog"
        assert resumed is not None and resumed.user is not None
        assert resumed.user.username == "tally1"
        await resumed.stop()

    run(qloop, scenario(), timeout=40)


def test_unreachable_server_offers_the_cached_copy(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    data = tmp_path / "d"

    async def scenario() -> None:
        warm = ClientCore(
            server_process.url, "judge1", data_dir=data, keyring_backend=MemoryKeyring()
        )
        await warm.login("demo")
        await warm.start()
        assert await warm.wait_connected(15)
        await warm.stop()
        server_process.kill()

        options = Options(server=server_process.url, username="judge1", data_dir=data)
        app = ConsoleApp(options, password=None, keyring_backend=MemoryKeyring())
        session = asyncio.ensure_future(app.open_session())
        dialog = await visible_dialog(app)
        dialog.password_edit.setText("demo")
        dialog.login_button.click()
        await eventually(lambda: "cannot be reached" in dialog.message_label.text(), 20, "error")
        assert dialog.offline_button.isVisibleTo(dialog)
        dialog.offline_button.click()
        core = await session
        assert core is not None
        assert core.state.categories, "the cached snapshot is loaded"
        await core.stop()

    run(qloop, scenario(), timeout=60)


def test_no_keyring_is_said_plainly(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    options = Options(server=server_process.url, username="judge2", data_dir=tmp_path / "d")
    app = ConsoleApp(options, password=None, keyring_backend=FailKeyring())

    async def scenario() -> None:
        session = asyncio.ensure_future(app.open_session())
        dialog = await visible_dialog(app)
        dialog.password_edit.setText("demo")
        # issue 11: no keyring -> "Remember me" is unticked, disabled and says why
        assert not dialog.remember_box.isChecked()
        assert not dialog.remember_box.isEnabled()
        assert "no keyring" in dialog.remember_box.text()
        dialog.login_button.click()
        core = await session
        assert core is not None
        assert not core.keyring_available
        await core.stop()

    run(qloop, scenario(), timeout=30)
    assert app.notice is None, "the dialog already said it; no second notice"


def test_stored_session_and_no_server_opens_offline(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    keyring = MemoryKeyring()
    options = Options(server=server_process.url, username="judge3", data_dir=tmp_path / "d")

    async def scenario() -> None:
        first = ConsoleApp(options, password="demo", keyring_backend=keyring)
        core = await first.open_session()
        assert core is not None
        await core.start()
        assert await core.wait_connected(15)
        await core.stop()
        server_process.kill()

        again = ConsoleApp(options, password=None, keyring_backend=keyring)
        offline = await again.open_session()
        assert again.dialog is None, "no dialog: the cached copy opens at once"
        assert offline is not None
        assert offline.state.categories
        assert again.notice is not None and "offline" in again.notice
        await offline.stop()

    run(qloop, scenario(), timeout=40)
