"""A judge's comment on a score: Shift+Enter (or "Comment…"), sent with the score.

The protocol's ``Score.comment`` could not be entered before. Now Shift+Enter in the
editor saves the value and opens the comment dialog; Shift+Enter on a scored cell
edits its comment. The comment goes to the server with the score, stays with it when
the value is corrected, and shows as a tooltip and a corner mark.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from scoring_console.store.outbox import OutboxEntry
from scoring_console.ui.comment_dialog import MAX_COMMENT, CommentDialog
from scoring_console.ui.judge_sheet_model import COMMENT_ROLE, FIRST_CRITERION_COL, SYNC_ROLE
from scoring_console.ui.sync_state import CellSync
from tests.helpers.server_process import ServerProcess

from .consoles import focus, open_console
from .helpers import eventually, run
from .judge_input import FAIL_ON_QT_WARNINGS, type_keys
from .sheet_fakes import SheetFakeCore
from .test_judge_sheet_keyboard import make_sheet

pytestmark = FAIL_ON_QT_WARNINGS

NOTE = "Strong start; pitch slipped in the bridge"


def shift_enter() -> None:
    target = QApplication.focusWidget()
    assert target is not None
    QTest.keyClick(target, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)


def last_entry(core: SheetFakeCore) -> OutboxEntry:
    return core.entries[max(core.entries)]


def test_shift_enter_in_the_editor_saves_the_value_and_its_comment(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, _asked = make_sheet(qtbot)
    index = sheet.model.index(0, FIRST_CRITERION_COL)

    async def scenario() -> None:
        type_keys("8")
        shift_enter()
        dialog = sheet.comments.dialog
        assert dialog is not None and dialog.isVisible()
        assert "Contestant 1, Poise" in dialog.windowTitle()
        await eventually(lambda: QApplication.focusWidget() is dialog.editor, what="focus")
        QTest.keyClicks(dialog.editor, NOTE)
        QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: len(core.entries) == 2, what="the commented score")
        core.sync_all()
        await asyncio.sleep(0)

    run(qloop, scenario())
    assert last_entry(core).payload == {"score": 8.0, "comment": NOTE}
    assert index.data() == "8"
    assert index.data(COMMENT_ROLE) == NOTE
    assert index.data(SYNC_ROLE) == CellSync.SYNCED
    assert f"Comment: {NOTE}" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert sheet.table.currentIndex() == index, "Shift+Enter stays on the cell"
    # the corner mark (on a cell that is not the current one: that one is framed)
    sheet.table.setCurrentIndex(sheet.model.index(2, FIRST_CRITERION_COL))
    rect = sheet.table.visualRect(index)
    image = sheet.table.viewport().grab().toImage()
    mark = image.pixelColor(rect.topRight() + QPoint(-2, 2))
    assert mark.rgb() == sheet.table.palette().color(sheet.table.palette().ColorRole.Link).rgb()


def test_comment_on_a_scored_cell_and_a_correction_keeps_it(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, _asked = make_sheet(qtbot)
    index = sheet.model.index(0, FIRST_CRITERION_COL)

    async def scenario() -> None:
        type_keys("7\n")
        await eventually(lambda: core.entries, what="the score")
        core.sync_all()
        sheet.table.setCurrentIndex(index)
        shift_enter()  # on the table: comment on the current cell
        dialog = sheet.comments.dialog
        assert dialog is not None
        await eventually(lambda: QApplication.focusWidget() is dialog.editor, what="focus")
        QTest.keyClicks(dialog.editor, "Nervous")
        QTest.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        await eventually(lambda: len(core.entries) == 2, what="the comment")
        assert last_entry(core).payload == {"score": 7.0, "comment": "Nervous"}
        await eventually(lambda: sheet.comments.dialog is None, what="the dialog closed")
        sheet.table.setCurrentIndex(index)
        await focus(sheet.table)
        type_keys("6\n")  # a correction: the comment goes with it
        await eventually(lambda: len(core.entries) == 3, what="the correction")

    run(qloop, scenario())
    assert last_entry(core).payload == {"score": 6.0, "comment": "Nervous"}
    assert index.data(COMMENT_ROLE) == "Nervous"


def test_no_comment_without_a_score_and_none_on_a_locked_sheet(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, _asked = make_sheet(qtbot)
    assert "Comment…" in [action.text() for action in sheet.table.actions()]

    async def scenario() -> None:
        shift_enter()
        await asyncio.sleep(0.02)

    run(qloop, scenario())
    assert sheet.comments.dialog is None
    assert "Type the score for Contestant 1, Poise first" in sheet.message_label.text()
    assert core.entries == {}


def test_comment_reaches_the_server(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    async def scenario() -> None:
        judge = await open_console(server_process.url, "judge1", tmp_path)
        try:
            sheet = judge.sheet()
            model = sheet.model
            index = model.index(1, FIRST_CRITERION_COL)
            contestant, criterion = model.contestant_at(1), model.criterion_at(FIRST_CRITERION_COL)
            assert contestant is not None and criterion is not None
            sheet.table.setCurrentIndex(index)
            await focus(sheet.table)
            type_keys("7.5")
            shift_enter()
            dialog = sheet.comments.dialog
            assert dialog is not None
            await eventually(lambda: QApplication.focusWidget() is dialog.editor, what="focus")
            QTest.keyClicks(dialog.editor, NOTE)
            QTest.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await eventually(lambda: judge.core.pending_count() == 0, 15, "sent")
            await judge.core.sync_now()
            assert judge.core.user is not None
            score = judge.core.state.score_for(
                sheet.category_id, contestant.id, criterion.id, judge.core.user.id
            )
            assert score is not None and score.score == 7.5 and score.comment == NOTE
            await eventually(lambda: index.data(SYNC_ROLE) == CellSync.SYNCED, 10, "synced")
            assert index.data(COMMENT_ROLE) == NOTE
        finally:
            await judge.close()

    run(qloop, scenario(), timeout=60)


def test_a_too_long_comment_cannot_be_saved_and_says_so(qtbot: QtBot) -> None:
    dialog = CommentDialog("Contestant 1, Poise", "Kept")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.editor.toPlainText() == "Kept"
    dialog.editor.selectAll()
    QTest.keyClicks(dialog.editor, "x" * (MAX_COMMENT + 1))
    assert not dialog.save_button.isEnabled()
    assert f"at most {MAX_COMMENT}" in dialog.count_label.text()
    QTest.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() != dialog.DialogCode.Accepted
    QTest.keyClick(dialog.editor, Qt.Key.Key_Backspace)
    assert dialog.save_button.isEnabled()
    assert dialog.comment() == "x" * MAX_COMMENT
