"""No keystroke is lost: a value typed right after clicking a cell is saved, every time.

Clicking the cell that is already selected used to arm Qt's ``SelectedClicked`` editor,
which opens only after the double-click interval; a digit typed meanwhile found no
editor (Qt: ``edit: editing failed``), was thrown away, and the Enter moved on — a
correction from 8 to 3 stayed 8. These tests click and type as fast as a judge does
(well inside that interval) and fail on any Qt warning.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from scoring_console.ui.judge_sheet_model import FIRST_CRITERION_COL, SYNC_ROLE
from scoring_console.ui.sync_state import CellSync
from tests.helpers.server_process import ServerProcess

from .consoles import focus, open_console
from .helpers import eventually, run
from .judge_input import FAIL_ON_QT_WARNINGS, click_and_type, type_keys
from .snapshots import CATEGORY_ID, CONTESTANTS, CRITERIA
from .test_judge_sheet_keyboard import make_sheet

pytestmark = FAIL_ON_QT_WARNINGS


def editing_failed(qtlog: Any) -> list[str]:
    """Qt's "edit: editing failed" warnings captured so far (a key that found no editor)."""
    return [r.message for r in qtlog.records if "editing failed" in r.message]


def test_correction_typed_right_after_clicking_the_selected_cell(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, qtlog: Any
) -> None:
    sheet, core, asked = make_sheet(qtbot)
    index = sheet.model.index(0, FIRST_CRITERION_COL)

    async def scenario() -> None:
        type_keys("8\n")
        await eventually(lambda: core.submitted, what="the first value")
        core.sync_all()
        sheet.table.setCurrentIndex(index)  # selected, as after the judge's first click
        assert sheet.table.selectionModel().isSelected(index)
        click_and_type(sheet.table, index, "3\n")
        await eventually(lambda: len(core.submitted) == 2, what="the correction")
        # past the double-click interval: no late editor opens and eats the next keys
        await asyncio.sleep(QApplication.doubleClickInterval() / 1000 + 0.2)

    run(qloop, scenario())
    assert core.submitted == [
        (CATEGORY_ID, CONTESTANTS[0].id, CRITERIA[0].id, 8.0),
        (CATEGORY_ID, CONTESTANTS[0].id, CRITERIA[0].id, 3.0),
    ]
    assert index.data() == "3"
    assert sheet.table.currentIndex() == sheet.model.index(0, FIRST_CRITERION_COL + 1)
    assert editing_failed(qtlog) == []
    assert asked == []


def test_every_cell_filled_by_click_and_type(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, qtlog: Any
) -> None:
    """Click each cell (twice: the second click lands on a selected cell) and type at once."""
    sheet, core, _asked = make_sheet(qtbot)
    model = sheet.model
    cells = [
        model.index(row, column)
        for row in range(model.rowCount())
        for column in range(FIRST_CRITERION_COL, model.total_col)
    ]

    async def scenario() -> None:
        for number, index in enumerate(cells):
            click_and_type(sheet.table, index, "")
            click_and_type(sheet.table, index, f"{5 + number % 3}\n")
            await asyncio.sleep(0)
        await eventually(lambda: len(core.submitted) == len(cells), what="every value")
        await asyncio.sleep(QApplication.doubleClickInterval() / 1000 + 0.2)

    run(qloop, scenario())
    assert [value for *_cell, value in core.submitted] == [
        5.0 + number % 3 for number in range(len(cells))
    ]
    assert editing_failed(qtlog) == []


def test_fast_correction_reaches_the_server(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    server_process: ServerProcess,
    tmp_path: Path,
    qtlog: Any,
) -> None:
    """Real login, real server: 8, then a quick click on the selected cell and 3."""
    asked: list[str] = []

    def confirm(_parent: QWidget, message: str) -> bool:
        asked.append(message)
        return True

    async def scenario() -> None:
        judge = await open_console(server_process.url, "judge1", tmp_path, confirm=confirm)
        try:
            sheet = judge.sheet()
            model = sheet.model
            index = model.index(0, FIRST_CRITERION_COL)
            contestant, criterion = model.contestant_at(0), model.criterion_at(FIRST_CRITERION_COL)
            assert contestant is not None and criterion is not None
            sheet.table.setCurrentIndex(index)
            await focus(sheet.table)
            type_keys("8\n")
            await eventually(lambda: index.data(SYNC_ROLE) == CellSync.SYNCED, 15, "8 synced")

            sheet.table.setCurrentIndex(index)  # the judge selected it again
            click_and_type(sheet.table, index, "3\n")
            await eventually(lambda: judge.core.pending_count() == 0, 15, "the correction sent")
            await eventually(lambda: index.data(SYNC_ROLE) == CellSync.SYNCED, 15, "3 synced")
            await asyncio.sleep(QApplication.doubleClickInterval() / 1000 + 0.2)
            assert index.data() == "3"
            await judge.core.sync_now()
            assert judge.core.user is not None
            score = judge.core.state.score_for(
                sheet.category_id, contestant.id, criterion.id, judge.core.user.id
            )
            assert score is not None and score.score == 3.0, "the server keeps the correction"
        finally:
            await judge.close()

    run(qloop, scenario(), timeout=60)
    assert editing_failed(qtlog) == []
    assert asked == []
