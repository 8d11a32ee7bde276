"""Closing the window with a score still in an open editor must not lose the score.

The editor commits on close (focus out): the sheet starts the durable outbox write as
a task, and the controller's shutdown runs right after. The write has to reach the
outbox (and, after a restart, the server) instead of being cancelled before it ran.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from pytestqt.qtbot import QtBot

from scoring_console.client.core import ClientCore
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.store.outbox import EntryKind
from scoring_console.ui.controller import ConsoleApp
from scoring_console.ui.judge_sheet_model import FIRST_CRITERION_COL
from scoring_console.ui.judge_workspace import JudgeWorkspace
from scoring_console.ui.options import Options
from tests.helpers.server_process import ServerProcess

from .consoles import PASSWORD, focus, type_keys
from .helpers import eventually, run


def test_score_in_an_open_editor_survives_closing_the_window(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    data = tmp_path / "d"
    options = Options(server=server_process.url, username="judge1", data_dir=data)
    app = ConsoleApp(options, password=PASSWORD, keyring_backend=MemoryKeyring())

    async def scenario() -> None:
        session = asyncio.ensure_future(app.run())
        await eventually(lambda: app.window is not None and app.window.is_filled(), 20, "window")
        window = app.window
        assert window is not None and isinstance(window.workspace, JudgeWorkspace)
        sheet = window.workspace.current_sheet()
        assert sheet is not None
        model = sheet.model
        contestant, criterion = model.contestant_at(0), model.criterion_at(FIRST_CRITERION_COL)
        assert contestant is not None and criterion is not None
        cell = (contestant.id, criterion.id)
        judge_id = sheet.judge_id
        assert model.cell(*cell).value is None, "the demo leaves this cell empty"

        sheet.table.setCurrentIndex(model.index(0, FIRST_CRITERION_COL))
        await focus(sheet.table)
        type_keys("7")  # the editor is open with the value, no Enter yet
        await eventually(lambda: sheet.table.state() == sheet.table.State.EditingState)
        window.close()  # what the user does: the editor commits, then shutdown runs
        assert await session == 0

        # the outbox on disk holds the typed value (synced by the final flush or pending)
        after = ClientCore(
            server_process.url, "judge1", data_dir=data, keyring_backend=MemoryKeyring()
        )
        scores = [
            e.payload.get("score")
            for e in after.outbox_entries()
            if e.kind is EntryKind.SCORE and e.cell[1:] == cell
        ]
        await after.stop()
        assert scores == [7.0], f"the typed score is not in the outbox: {scores}"

        # after a restart the server has it
        again = ClientCore(
            server_process.url, "judge1", data_dir=data, keyring_backend=MemoryKeyring()
        )
        await again.login(PASSWORD)
        await again.start()
        try:
            assert await again.wait_connected(15)
            assert await again.flush(10)
            await again.sync_now()
            score = again.state.score_for(sheet.category_id, *cell, judge_id)
            assert score is not None and score.score == 7.0
        finally:
            await again.stop()

    run(qloop, scenario(), timeout=60)
