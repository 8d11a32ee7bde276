"""Keyboard entry lands in the cell the judge sees marked, and stops at the sheet's end.

Enter on the last cell saves and ends editing (it used to wrap to the first contestant
with the editor open). Picking a category leaves the focus in the category list, so
the Tab that leaves the list enters the sheet on its current cell (it used to move one
cell on: the click had already put the focus in the sheet). The current cell is
framed whether or not the sheet has the focus.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication
from pytestqt.qtbot import QtBot

from scoring_console.protocol.entities import Assignment, Category, Criterion
from scoring_console.protocol.roles import Role
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.judge_sheet_model import FIRST_CRITERION_COL
from scoring_console.ui.judge_workspace import JudgeWorkspace
from scoring_console.ui.score_table import ScoreTable
from tests.helpers.server_process import ServerProcess

from .consoles import focus, open_console
from .helpers import eventually, run
from .judge_input import FAIL_ON_QT_WARNINGS, frame_pixels, type_keys
from .sheet_fakes import SheetFakeCore
from .snapshots import CATEGORY_ID, CONTESTANTS, CRITERIA, make_snapshot
from .test_judge_sheet_keyboard import make_sheet

pytestmark = FAIL_ON_QT_WARNINGS

EDITING = QAbstractItemView.State.EditingState


def test_enter_on_the_last_cell_ends_editing(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, _asked = make_sheet(qtbot)
    model = sheet.model
    last = model.index(model.rowCount() - 1, model.total_col - 1)

    async def scenario() -> None:
        sheet.table.setCurrentIndex(last)
        type_keys("9\n")
        await eventually(lambda: core.submitted, what="the last value")
        await asyncio.sleep(0.05)

    run(qloop, scenario())
    assert core.submitted == [(CATEGORY_ID, CONTESTANTS[-1].id, CRITERIA[-1].id, 9.0)]
    assert sheet.table.state() != EDITING, "no editor stays open after the last cell"
    assert sheet.table.currentIndex() == last, "no wrap to the first contestant"
    assert QApplication.focusWidget() is sheet.table


def test_tab_on_the_last_cell_and_shift_tab_on_the_first_do_not_wrap(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, _asked = make_sheet(qtbot)
    model = sheet.model
    first = model.index(0, FIRST_CRITERION_COL)
    last = model.index(model.rowCount() - 1, model.total_col - 1)

    async def scenario() -> None:
        sheet.table.setCurrentIndex(last)
        type_keys("15\t")
        await eventually(lambda: len(core.submitted) == 1, what="the last value")
        assert sheet.table.state() != EDITING
        assert sheet.table.currentIndex() == last
        sheet.table.setCurrentIndex(first)
        sheet.table.setFocus()
        type_keys("6")
        editor = QApplication.focusWidget()
        assert editor is not None and editor is not sheet.table
        QTest.keyClick(editor, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        await eventually(lambda: len(core.submitted) == 2, what="the first value")

    run(qloop, scenario())
    assert core.submitted[1] == (CATEGORY_ID, CONTESTANTS[0].id, CRITERIA[0].id, 6.0)
    assert sheet.table.currentIndex() == first, "Shift+Tab on the first cell stays there"
    assert sheet.table.state() != EDITING


def test_current_cell_is_framed_with_and_without_focus(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, _core, _asked = make_sheet(qtbot)
    table = sheet.table
    color = table.current_frame_color()
    first = sheet.model.index(0, FIRST_CRITERION_COL)
    other = sheet.model.index(2, FIRST_CRITERION_COL + 1)

    async def scenario() -> None:
        table.clearFocus()
        await asyncio.sleep(0.02)
        assert not table.hasFocus()
        assert frame_pixels(table, first, color) > 20, "current cell framed without focus"
        table.setFocus(Qt.FocusReason.TabFocusReason)
        await asyncio.sleep(0.02)
        assert frame_pixels(table, first, color) > 20, "current cell framed with focus"
        table.setCurrentIndex(other)
        await asyncio.sleep(0.02)
        assert frame_pixels(table, other, color) > 20
        assert frame_pixels(table, first, color) == 0, "only the current cell is framed"

    run(qloop, scenario())


def two_category_core() -> SheetFakeCore:
    snapshot = make_snapshot(user_id=11, role=Role.JUDGE)
    second = Category(
        id=CATEGORY_ID + 1,
        contest_id=1,
        name="Talent Show",
        criteria=[
            Criterion(id=3, name="Skill", max_score=10),
            Criterion(id=4, name="Flair", max_score=10),
        ],
        contestant_ids=[c.id for c in CONTESTANTS],
    )
    assignment = Assignment(id=99, user_id=11, category_id=second.id, role=Role.JUDGE)
    return SheetFakeCore(
        snapshot.model_copy(
            update={
                "categories": [*snapshot.categories, second],
                "assignments": [*snapshot.assignments, assignment],
            }
        )
    )


def test_arrow_keys_in_the_category_list_keep_the_focus_there(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    core = two_category_core()
    workspace = JudgeWorkspace(CoreBridge(core))  # type: ignore[arg-type]
    qtbot.addWidget(workspace)
    workspace.resize(1000, 600)
    workspace.show()
    qtbot.waitExposed(workspace)

    async def scenario() -> None:
        await focus(workspace.category_list)
        QTest.keyClick(workspace.category_list, Qt.Key.Key_Down)
        assert workspace.current_category_id() == CATEGORY_ID + 1
        assert QApplication.focusWidget() is workspace.category_list
        QTest.keyClick(workspace.category_list, Qt.Key.Key_Up)
        assert workspace.current_category_id() == CATEGORY_ID
        QTest.keyClick(workspace.category_list, Qt.Key.Key_Down)
        QTest.keyClick(workspace.category_list, Qt.Key.Key_Return)  # into the sheet
        sheet = workspace.current_sheet()
        assert sheet is not None and sheet.category_id == CATEGORY_ID + 1
        assert QApplication.focusWidget() is sheet.table
        type_keys("4\n")
        await eventually(lambda: core.submitted, what="the value")

    run(qloop, scenario())
    assert core.submitted == [(CATEGORY_ID + 1, CONTESTANTS[0].id, 3, 4.0)]


def test_tab_from_the_category_list_types_into_the_marked_cell(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    """Real login: click the second category, Tab, type — the value lands in the framed cell."""

    async def scenario() -> None:
        judge = await open_console(server_process.url, "judge1", tmp_path)
        try:
            workspace = judge.window.workspace
            assert isinstance(workspace, JudgeWorkspace)
            listing = workspace.category_list
            assert listing.count() >= 2, "judge1 scores two categories"
            await focus(listing)
            item = listing.item(1)
            QTest.mouseClick(
                listing.viewport(),
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
                listing.visualItemRect(item).center(),
            )
            sheet = judge.sheet()
            assert (
                sheet.category_id
                == workspace.current_category_id()
                == item.data(Qt.ItemDataRole.UserRole + 1)
            )
            assert QApplication.focusWidget() is listing, "picking a category keeps the focus"
            QTest.keyClick(listing, Qt.Key.Key_Tab)
            table = sheet.table
            assert isinstance(table, ScoreTable)
            assert QApplication.focusWidget() is table, "Tab from the list enters the sheet"
            current = table.currentIndex()
            assert current == sheet.model.index(0, FIRST_CRITERION_COL)
            assert frame_pixels(table, current, table.current_frame_color()) > 20
            type_keys("6\n")
            await eventually(lambda: judge.core.pending_count() == 0, 15, "the value sent")
            contestant = sheet.model.contestant_at(0)
            first = sheet.model.criterion_at(FIRST_CRITERION_COL)
            second = sheet.model.criterion_at(FIRST_CRITERION_COL + 1)
            assert contestant is not None and first is not None and second is not None
            await eventually(
                lambda: sheet.model.cell(contestant.id, first.id).value == 6.0, 10, "the value"
            )
            assert sheet.model.cell(contestant.id, second.id).value is None
        finally:
            await judge.close()

    run(qloop, scenario(), timeout=60)
