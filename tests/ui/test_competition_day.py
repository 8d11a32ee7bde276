"""Competition day through the console as users start it, for every role in the chain.

A real ``scoring-server --demo`` subprocess; every console is the real
:class:`ConsoleApp` (login with a password → core → first sync → window) at 1366×768.
After an ordinary online login every role must see its own controls — judges and the
tally master "Sign my step", the board "Lock contest" and "Publish results", the tally
master "Request deduction…" — fully on screen, and the whole chain is completed by
clicking them and answering the confirmation boxes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.ui.judge_workspace import CATEGORY_ROLE, JudgeWorkspace
from scoring_console.ui.sync_state import CellSync
from scoring_console.ui.tally_workspace import TallyWorkspace
from tests.helpers import postgres
from tests.helpers.server_process import ServerProcess

from .app_sessions import (
    AppSession,
    answer_next_question,
    click_soon,
    closing,
    fully_reachable,
    press_in_next_box,
    start_app,
)
from .helpers import eventually, run
from .notifications_fakes import start_core, stop_cores
from .test_certification_live import fill_sheet

YES = QMessageBox.StandardButton.Yes


def show_category(qtbot: QtBot, session: AppSession, name: str) -> int:
    """Click the category in the workspace (list item or tab), as the user would."""
    workspace = session.window.workspace
    if isinstance(workspace, JudgeWorkspace):
        box = workspace.category_list
        for row in range(box.count()):
            item = box.item(row)
            if item.text().startswith(name):
                rect = box.visualItemRect(item)
                qtbot.mouseClick(box.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
                return int(item.data(CATEGORY_ROLE))
    else:
        assert isinstance(workspace, TallyWorkspace)
        bar = workspace.tabs.tabBar()
        for index in range(bar.count()):
            if bar.tabText(index).startswith(name):
                qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
                view = workspace.current_view()
                assert view is not None
                return view.category_id
    raise AssertionError(f"{name} is not in the workspace")


async def sign(qtbot: QtBot, session: AppSession) -> str:
    """Click "Sign my step", confirm, and return the receipt the dock shows."""
    panel = session.window.certification_panel
    await eventually(panel.sign_button.isEnabled, 15, "my turn to sign")
    assert fully_reachable(panel.sign_button)
    receipts: list[str] = []
    panel.sign_finished.connect(lambda _c, receipt: receipts.append(receipt))
    answer_next_question(qtbot, YES, session.questions)
    click_soon(qtbot, panel.sign_button)
    await eventually(lambda: receipts, 15, "the receipt")
    return receipts[0]


def test_every_role_completes_the_chain_after_an_online_login(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    url = server_process.url

    async def scenario() -> None:
        organizer = await start_core(url, "organizer1", tmp_path / "cores")
        variety = next(c for c in organizer.state.categories.values() if c.name == "Variety Talent")
        helpers = await asyncio.gather(
            *(start_core(url, n, tmp_path / "cores") for n in ("judge1", "judge2", "tally1"))
        )
        for core in helpers:
            assert core.user is not None
            await organizer.assign(core.user.id, variety.id)
        await stop_cores(*helpers)
        sessions: dict[str, AppSession] = {}
        try:
            for name in ("judge1", "judge2", "tally1", "auditor1", "board1"):
                sessions[name] = await start_app(url, name, tmp_path / "apps")
            for session in sessions.values():
                assert show_category(qtbot, session, "Variety Talent") == variety.id
                await eventually(
                    lambda s=session: s.window.certification_panel.category_id == variety.id,
                    5,
                    "the dock follows the workspace",
                )

            # every role's controls, after an ordinary online login, fully on screen
            judge1, judge2, tally, auditor, board = sessions.values()
            for session in (judge1, judge2, tally, auditor, board):
                panel = session.window.certification_panel
                assert panel.sign_button.isVisibleTo(panel), session.core.username
            for session in (judge1, tally, board):
                panel = session.window.certification_panel
                publication = (panel.lock_button, panel.publish_button)
                assert all(b.isVisibleTo(panel) == (session is board) for b in publication)
            for button in (board.window.certification_panel.lock_button,
                           board.window.certification_panel.publish_button):  # fmt: skip
                assert fully_reachable(button), button.text()
            tally.window.requests_dock.raise_()
            await eventually(tally.window.requests_panel.isVisible, 5, "requests dock")
            request = tally.window.requests_panel.request_button
            await eventually(lambda: fully_reachable(request), 5, "Request deduction… on screen")
            assert not auditor.window.requests_panel.request_button.isVisibleTo(
                auditor.window.requests_panel
            )
            tally.window.certification_dock.raise_()

            # the tally's columns name the judges for every role (the board gets no presence)
            for session in (tally, auditor, board):
                assert isinstance(session.window.workspace, TallyWorkspace)
                view = session.window.workspace.current_view()
                assert view is not None
                model = view.model
                headers = {
                    str(model.headerData(c, Qt.Orientation.Horizontal)).replace("\n", " ")
                    for c in range(model.columnCount())
                }
                assert {"Maria Alvarez", "Kenji Watanabe"} <= headers, headers
                # the tally master's review actions, for the tally master only
                review = view.review
                for button in (review.clear_button, review.ask_button, review.removal_button):
                    assert button.isVisibleTo(review) == (session is tally), button.text()

            await asyncio.gather(
                fill_sheet(judge1.core, variety.id, 6.0), fill_sheet(judge2.core, variety.id, 5.5)
            )
            for session in (judge1, judge2, tally, auditor, board):
                receipt = await sign(qtbot, session)
                assert len(receipt) == 64, session.window.certification_panel.feedback_label.text()
                assert "Variety Talent (Junior Showcase)" in session.questions[-1]
            assert "12 of 12 scores" in judge1.questions[-1]
            assert "24 of 24 scores" in tally.questions[-1]

            board_panel = board.window.certification_panel
            await eventually(board_panel.publish_button.isEnabled, 10, "certified")
            answer_next_question(qtbot, YES, board.questions)
            click_soon(qtbot, board_panel.publish_button)
            for session in (board, judge1, tally):
                await eventually(
                    lambda s=session: s.window.certification_panel.results_model.rowCount() == 4,
                    10,
                    "the published ranking",
                )
            await eventually(board_panel.lock_button.isEnabled, 10, "publishing finished")
            answer_next_question(qtbot, YES, board.questions)
            click_soon(qtbot, board_panel.lock_button)
            await eventually(
                lambda: "is locked" in judge1.window.certification_panel.contest_label.text(),
                10,
                "the lock reaches the judges",
            )
            # published results are final: the console does not offer to unlock
            await eventually(
                lambda: "are public" in board_panel.contest_label.text(), 10, "the board's lock"
            )
            assert not board_panel.lock_button.isEnabled()
            assert "Publish the results" in board.questions[-2]
            assert "Lock the contest" in board.questions[-1]
        finally:
            codes = await asyncio.gather(*(s.quit() for s in sessions.values()))
            await stop_cores(organizer)
        assert codes == [0] * len(sessions)

    run(qloop, scenario(), timeout=150)


def test_connection_toasts_and_the_quit_warning(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    url = server_process.url

    async def scenario() -> None:
        judge = await start_app(url, "judge1", tmp_path)
        async with closing(judge):
            await steps(judge)

    async def steps(judge: AppSession) -> None:
        window = judge.window
        window.activateWindow()

        def toast_titles() -> list[str]:
            return [t.notice.title for t in window.toasts.toasts()]

        server_process.kill()
        await eventually(
            lambda: "Connection lost. Reconnecting..." in toast_titles(), 15, "the lost toast"
        )
        category = next(iter(judge.core.state.categories.values()))
        await judge.core.submit_score(
            category.id, category.contestant_ids[0], category.criteria[0].id, 7.0
        )
        server_process.restart()
        await eventually(lambda: "Connection restored" in toast_titles(), 20, "restored toast")
        await eventually(lambda: judge.core.pending_count() == 0, 15, "the entry sent")

        # quitting with unsent entries asks first, and "Keep working" keeps the window
        server_process.kill()
        await eventually(lambda: not judge.core.connection.connected, 15, "offline")
        await judge.core.submit_score(
            category.id, category.contestant_ids[0], category.criteria[1].id, 6.0
        )
        seen: list[str] = []
        press_in_next_box(qtbot, "Keep working", seen)
        QTimer.singleShot(0, window.close)
        await eventually(lambda: len(seen) == 1, 10, "the quit question")
        await asyncio.sleep(0.2)
        assert window.isVisible() and not judge.task.done()
        assert "1 entry is saved on this computer but not on the server yet" in seen[0]
        assert "sent the next time you start the console" in seen[0]
        press_in_next_box(qtbot, "Quit", seen)
        QTimer.singleShot(0, window.close)
        assert await asyncio.wait_for(judge.task, 20) == 0
        assert len(seen) == 2

    run(qloop, scenario(), timeout=120)


def test_offline_start_shows_what_was_shown_and_reconnects_by_itself(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    """11 scores online, 4 offline, quit, start offline: all 15 show; back online by itself."""
    url = server_process.url
    keyring = MemoryKeyring()  # the "OS keyring" both starts share

    async def scenario() -> None:
        first = await start_app(url, "judge1", tmp_path, keyring=keyring)
        async with closing(first):
            await steps(first)

    async def steps(first: AppSession) -> None:
        core = first.core
        category = next(c for c in core.state.categories.values() if c.name == "Vocal Performance")
        cells = [(c, k.id) for c in category.contestant_ids for k in category.criteria]
        for n, (contestant_id, criterion_id) in enumerate(cells[:11]):
            await core.submit_score(category.id, contestant_id, criterion_id, 5.0 + n % 4)
        assert await core.flush(15)
        server_process.kill()
        await eventually(lambda: not core.connection.connected, 15, "offline")
        for contestant_id, criterion_id in cells[11:15]:
            await core.submit_score(category.id, contestant_id, criterion_id, 4.0)
        assert await first.quit() == 0

        second = await start_app(url, "judge1", tmp_path, keyring=keyring, wait_connected=False)
        async with closing(second):
            await check_second(second)

    async def check_second(second: AppSession) -> None:
        category = next(
            c for c in second.core.state.categories.values() if c.name == "Vocal Performance"
        )
        cells = [(c, k.id) for c in category.contestant_ids for k in category.criteria]
        assert show_category(qtbot, second, "Vocal Performance") == category.id
        sheet = second.window.workspace.current_sheet()  # type: ignore[union-attr]
        assert sheet is not None
        model = sheet.model
        shown = [model.cell(c, k) for c, k in cells[:15]]
        assert [cell.value for cell in shown[:11]] == [5.0 + n % 4 for n in range(11)]
        assert {cell.sync for cell in shown[:11]} == {CellSync.SYNCED}
        assert [cell.value for cell in shown[11:]] == [4.0] * 4
        assert {cell.sync for cell in shown[11:]} == {CellSync.SAVED_LOCALLY}
        assert model.filled_count() == 15

        server_process.restart()  # the same port: the console finds it by itself
        await eventually(lambda: second.core.connection.connected, 30, "reconnected")
        await eventually(lambda: second.core.pending_count() == 0, 15, "the 4 sent")
        await eventually(
            lambda: {model.cell(c, k).sync for c, k in cells[:15]} == {CellSync.SYNCED},
            10,
            "every cell synced",
        )
        assert await second.quit() == 0

    run(qloop, scenario(), timeout=150)


def test_login_needed_asks_at_once_and_sends_what_waited(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    """The server comes back with every session void: the password dialog opens by itself."""
    url = server_process.url
    keyring = MemoryKeyring()  # "Remember me": the refresh token is kept here

    async def scenario() -> None:
        first = await start_app(url, "judge2", tmp_path, keyring=keyring)
        assert await first.quit() == 0
        judge = await start_app(url, "judge2", tmp_path, keyring=keyring, password=None)
        async with closing(judge):
            await steps(judge)

    async def steps(judge: AppSession) -> None:
        server_process.stop()
        postgres.void_signing_secret(server_process.data_dir)  # every token it issued is void
        await eventually(lambda: not judge.core.connection.connected, 15, "offline")
        category = next(iter(judge.core.state.categories.values()))
        await judge.core.submit_score(
            category.id, category.contestant_ids[0], category.criteria[0].id, 8.0
        )
        server_process.restart()
        relogin = judge.window.relogin
        await eventually(
            lambda: relogin.dialog is not None and relogin.dialog.isVisible(), 30, "the prompt"
        )
        dialog = relogin.dialog
        assert dialog is not None
        text = dialog.labelText()
        assert "saved sign-in expired" in text and "judge2" in text
        assert "1 entry is saved on this computer" in text
        assert not judge.core.connection.connected
        field = dialog.findChild(QLineEdit)
        assert field is not None
        qtbot.keyClicks(field, "demo")
        qtbot.keyClick(field, Qt.Key.Key_Return)
        await eventually(lambda: judge.core.connection.connected, 20, "logged in again")
        await eventually(lambda: judge.core.pending_count() == 0, 15, "the score sent")

    run(qloop, scenario(), timeout=150)
