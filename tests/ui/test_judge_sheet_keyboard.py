"""Keyboard entry on the judge sheet: typing, Enter/Tab moves, validation, confirmation."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from scoring_console.protocol import ServerEvent
from scoring_console.protocol.roles import Role
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.judge_sheet_model import FIRST_CRITERION_COL, SYNC_ROLE
from scoring_console.ui.judge_sheet_view import JudgeSheetView
from scoring_console.ui.sync_state import CellSync

from .helpers import eventually, run
from .judge_input import FAIL_ON_QT_WARNINGS
from .sheet_fakes import SheetFakeCore
from .snapshots import CATEGORY_ID, CONTESTANTS, CRITERIA, make_score, make_snapshot

pytestmark = FAIL_ON_QT_WARNINGS


def type_keys(text: str) -> None:
    """Type ``text`` into whatever has the keyboard focus; ``\\n`` is Enter, ``\\t`` Tab."""
    for char in text:
        target = QApplication.focusWidget()
        assert target is not None, "nothing has the keyboard focus"
        if char == "\n":
            QTest.keyClick(target, Qt.Key.Key_Return)
        elif char == "\t":
            QTest.keyClick(target, Qt.Key.Key_Tab)
        else:
            QTest.keyClicks(target, char)


def make_sheet(
    qtbot: QtBot, confirm_answer: bool = True
) -> tuple[JudgeSheetView, SheetFakeCore, list[str]]:
    core = SheetFakeCore(make_snapshot(user_id=11, role=Role.JUDGE))
    bridge = CoreBridge(core)  # type: ignore[arg-type]
    asked: list[str] = []

    def confirm(_parent: QWidget, message: str) -> bool:
        asked.append(message)
        return confirm_answer

    sheet = JudgeSheetView(bridge, CATEGORY_ID, confirm=confirm)
    qtbot.addWidget(sheet)
    sheet.resize(900, 500)
    sheet.show()
    qtbot.waitExposed(sheet)
    sheet.activateWindow()
    sheet.table.setFocus()
    return sheet, core, asked


def test_full_sheet_from_the_keyboard(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    sheet, core, asked = make_sheet(qtbot)
    values = [[7, 15], [8, 12.5], [6.5, 14], [9, 16]]

    async def scenario() -> None:
        assert not sheet.certify_button.isEnabled()
        for row in values:
            type_keys(f"{row[0]}\n{row[1]}\t".replace(".", ","))  # comma accepted too
        await eventually(lambda: len(core.submitted) == 8, what="8 submissions")
        cell = sheet.model.index(0, FIRST_CRITERION_COL)
        assert cell.data(SYNC_ROLE) == CellSync.SAVED_LOCALLY
        assert "1" in sheet.progress_label.text() or "waiting" in sheet.progress_label.text()
        assert not sheet.certify_button.isEnabled()  # complete, but not synced yet
        core.sync_all()
        await eventually(lambda: sheet.certify_button.isEnabled(), what="certify enabled")

    run(qloop, scenario())
    assert asked == []
    submitted = {(c, k): v for _cat, c, k, v in core.submitted}
    for row, contestant in enumerate(CONTESTANTS):
        for offset, criterion in enumerate(CRITERIA):
            assert submitted[(contestant.id, criterion.id)] == values[row][offset]
            index = sheet.model.index(row, FIRST_CRITERION_COL + offset)
            assert index.data(SYNC_ROLE) == CellSync.SYNCED
    assert sheet.model.index(3, sheet.model.total_col).data() == "25"
    assert "8 of 8 scored" in sheet.progress_label.text()


def test_out_of_range_is_refused_and_editor_stays(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, _asked = make_sheet(qtbot)

    async def scenario() -> None:
        type_keys("11\n")  # Poise max is 10
        await asyncio.sleep(0.05)
        assert "maximum" in sheet.message_label.text()
        assert sheet.table.state() == sheet.table.State.EditingState
        editor = QApplication.focusWidget()
        assert editor is not sheet.table
        QTest.keyClick(editor, Qt.Key.Key_Backspace)  # "11" selected: cleared
        type_keys("9\n")
        await eventually(lambda: core.submitted, what="submission")

    run(qloop, scenario())
    assert core.submitted == [(CATEGORY_ID, CONTESTANTS[0].id, CRITERIA[0].id, 9.0)]
    assert sheet.table.currentIndex().column() == FIRST_CRITERION_COL + 1


def test_implausible_value_needs_confirmation(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, asked = make_sheet(qtbot, confirm_answer=False)
    for contestant, value in zip(CONTESTANTS[1:], (7, 8, 7.5), strict=True):
        # a zero is unusual only for a judge whose other scores are far from it
        core.state.apply(
            ServerEvent.SCORES_UPDATED, make_score(contestant.id, CRITERIA[0].id, 11, value)
        )

    async def scenario() -> None:
        type_keys("0\n")  # a zero: asks, the judge declines
        await asyncio.sleep(0.05)
        assert asked and "0" in asked[0]
        assert core.submitted == []
        assert sheet.model.index(0, FIRST_CRITERION_COL).data() == ""
        sheet.delegate.confirm = lambda _p, message: asked.append(message) is None
        type_keys("\n")  # confirm now
        await eventually(lambda: core.submitted, what="confirmed submission")

    run(qloop, scenario())
    assert core.submitted == [(CATEGORY_ID, CONTESTANTS[0].id, CRITERIA[0].id, 0.0)]
    assert len(asked) == 2


def test_rejected_entry_shows_reason_and_stays(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, _asked = make_sheet(qtbot)

    async def scenario() -> None:
        type_keys("8\n")
        await eventually(lambda: core.submitted, what="submission")
        core.reject_all("locked", "Contest is locked")
        await asyncio.sleep(0)

    run(qloop, scenario())
    index = sheet.model.index(0, FIRST_CRITERION_COL)
    assert index.data(SYNC_ROLE) == CellSync.REJECTED
    assert index.data() == "8"
    assert "Contest is locked" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "Contest is locked" in sheet.message_label.text()
    sheet.table.setCurrentIndex(index)
    QTest.keyClick(sheet.table, Qt.Key.Key_Delete)  # dismiss: back to the server's (empty) value
    assert core.entries == {}
    assert index.data(SYNC_ROLE) == CellSync.EMPTY


def test_a_value_the_outbox_could_not_store_is_reverted(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, _asked = make_sheet(qtbot)

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    core.submit_score = broken  # type: ignore[assignment,method-assign]

    async def scenario() -> None:
        type_keys("7\n")
        await eventually(lambda: "disk full" in sheet.message_label.text(), what="the error")

    run(qloop, scenario())
    index = sheet.model.index(0, FIRST_CRITERION_COL)
    assert index.data() == ""
    assert index.data(SYNC_ROLE) == CellSync.EMPTY


def test_typing_on_the_name_column_starts_in_the_first_score_cell(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, _asked = make_sheet(qtbot)

    async def scenario() -> None:
        sheet.table.setCurrentIndex(sheet.model.index(2, 1))
        type_keys("6\n")
        await eventually(lambda: core.submitted, what="submission")

    run(qloop, scenario())
    assert core.submitted == [(CATEGORY_ID, CONTESTANTS[2].id, CRITERIA[0].id, 6.0)]


def test_escape_abandons_the_typed_value(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    sheet, core, _asked = make_sheet(qtbot)

    async def scenario() -> None:
        type_keys("5")
        editor = QApplication.focusWidget()
        assert editor is not sheet.table
        QTest.keyClick(editor, Qt.Key.Key_Escape)
        await asyncio.sleep(0.05)

    run(qloop, scenario())
    assert core.submitted == []
    assert sheet.model.index(0, FIRST_CRITERION_COL).data() == ""
    assert sheet.table.state() != sheet.table.State.EditingState
