"""Input feedback at the cell: every refused value is explained and kept for correcting.

The editor takes every key (a validator used to drop the "-" of "-3" and save 3), and
the typed text is checked on Enter/Tab: the value stays in the editor with a message
that says what to type; a valid save clears it. A value refused while the editor
closes anyway (a click on another cell) is reported with the text and the cell.
"""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from scoring_console.ui.judge_sheet_model import FIRST_CRITERION_COL
from scoring_console.ui.plausibility import EntryError, read_score

from .helpers import eventually, run
from .judge_input import FAIL_ON_QT_WARNINGS, click, type_keys
from .snapshots import CATEGORY_ID, CONTESTANTS, CRITERIA
from .test_judge_sheet_keyboard import make_sheet

pytestmark = FAIL_ON_QT_WARNINGS

EDITING = QAbstractItemView.State.EditingState


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-3", "A score cannot be negative."),
        ("abc", "Type a number such as 7.5."),
        ("7a", "Type a number such as 7.5."),
        ("7.555", "At most 2 decimals"),
        ("1e1", "Type a number such as 7.5."),
        ("11", "The maximum for Poise is 10."),
    ],
)
def test_refused_value_stays_in_the_editor_with_its_message(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, typed: str, message: str
) -> None:
    sheet, core, _asked = make_sheet(qtbot)

    async def scenario() -> None:
        type_keys(typed + "\n")
        await asyncio.sleep(0.05)
        assert message in sheet.message_label.text()
        assert sheet.table.state() == EDITING, "the editor stays open on the refused value"
        editor = QApplication.focusWidget()
        assert isinstance(editor, QLineEdit)
        assert editor.text() == typed, "nothing typed is lost"
        assert editor.selectedText() == typed, "selected: the next key replaces it"
        assert message in editor.toolTip()
        type_keys("7,5\n")  # the correction replaces the refused text
        await eventually(lambda: core.submitted, what="the corrected value")
        assert sheet.message_label.text() == "", "a valid save clears the message"

    run(qloop, scenario())
    assert core.submitted == [(CATEGORY_ID, CONTESTANTS[0].id, CRITERIA[0].id, 7.5)]
    assert sheet.table.currentIndex().column() == FIRST_CRITERION_COL + 1


def test_refused_value_left_by_a_click_is_reported_with_the_cell(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, _asked = make_sheet(qtbot)
    elsewhere = sheet.model.index(2, FIRST_CRITERION_COL + 1)

    async def scenario() -> None:
        type_keys("-3")  # no Enter: the judge clicks another cell
        assert sheet.table.state() == EDITING
        click(sheet.table, elsewhere)
        await asyncio.sleep(0.05)

    run(qloop, scenario())
    assert core.submitted == []
    text = sheet.message_label.text()
    assert "“-3” for Contestant 1, Poise was not saved" in text
    assert "A score cannot be negative." in text
    assert sheet.model.index(0, FIRST_CRITERION_COL).data() == ""


def test_the_message_clears_after_the_next_valid_save_elsewhere(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, _asked = make_sheet(qtbot)

    async def scenario() -> None:
        type_keys("x\n")
        await asyncio.sleep(0.02)
        assert "Type a number" in sheet.message_label.text()
        editor = QApplication.focusWidget()
        assert editor is not None
        QTest.keyClick(editor, Qt.Key.Key_Escape)  # give up on this cell
        sheet.table.setCurrentIndex(sheet.model.index(1, FIRST_CRITERION_COL))
        type_keys("8\n")
        await eventually(lambda: core.submitted, what="the value")

    run(qloop, scenario())
    assert sheet.message_label.text() == ""
    assert core.submitted == [(CATEGORY_ID, CONTESTANTS[1].id, CRITERIA[0].id, 8.0)]


def test_read_score() -> None:
    assert read_score(" 7,5 ", 10) == 7.5
    assert read_score("7.25", 10) == 7.25
    assert read_score(".5", 10) == 0.5
    assert read_score("+7", 10) == 7
    assert read_score("0", 10) == 0
    assert read_score("-0", 10) == 0
    assert read_score("10", 10) == 10
    assert read_score("", 10) is None
    assert read_score("  ", 10) is None
    cases = {
        "-3": "A score cannot be negative.",
        "- 3": "A score cannot be negative.",
        "-": "“-” is not a number. Type a number such as 7.5.",
        "abc": "“abc” is not a number. Type a number such as 7.5.",
        "7..5": "“7..5” is not a number. Type a number such as 7.5.",
        "nan": "“nan” is not a number. Type a number such as 7.5.",
        "7.555": "At most 2 decimals, e.g. 7.25.",
        "10.5": "The maximum for Poise is 10.",
    }
    for typed, message in cases.items():
        with pytest.raises(EntryError) as caught:
            read_score(typed, 10, "Poise")
        assert str(caught.value) == message, typed
