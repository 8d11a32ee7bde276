"""The "unusual value" question: asked only when a value is far from the judge's own scores.

Zero and the maximum are ordinary scores; a value is questioned only after a few own
scores on the criterion, when it lies far outside the range the judge has used (and
outside the visible panel's values). The distance is a user setting; 0 turns it off.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from scoring_console.protocol.roles import Role
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.judge_sheet_model import FIRST_CRITERION_COL
from scoring_console.ui.judge_workspace import JudgeWorkspace
from scoring_console.ui.plausibility import DEFAULT_GAP_PERCENT, PlausibilityRule
from scoring_console.ui.settings import UserSettings
from tests.helpers.server_process import ServerProcess

from .consoles import focus, open_console
from .helpers import eventually, run
from .judge_input import FAIL_ON_QT_WARNINGS, type_keys
from .sheet_fakes import SheetFakeCore
from .snapshots import CATEGORY_ID, CONTESTANTS, CRITERIA, make_snapshot
from .test_judge_sheet_keyboard import make_sheet

pytestmark = FAIL_ON_QT_WARNINGS


def test_the_rule() -> None:
    rule = PlausibilityRule()
    assert rule.enabled and rule.gap_percent == DEFAULT_GAP_PERCENT
    # zero and the maximum are ordinary, and nothing is asked without history
    assert rule.warning(0, 10, []) is None
    assert rule.warning(10, 10, []) is None
    assert rule.warning(0, 10, [7, 8]) is None  # two scores are not yet a history
    assert rule.warning(0, 10, [0, 1, 2]) is None  # a judge who scores low
    assert rule.warning(10, 10, [8, 9, 9.5]) is None  # a judge who scores high
    assert rule.warning(2, 10, [2, 8, 8]) is None  # inside the range already used
    assert rule.warning(4.5, 10, [7, 8, 7.5]) is None  # 2.5 below: within the gap of 3
    # far outside the judge's own range: ask, and say why
    warning = rule.warning(3, 10, [7, 8, 7.5])
    assert warning == "3 is far from your other scores on this criterion (7 to 8)."
    assert rule.warning(0, 10, [7, 7, 7]) == (
        "0 is far from your other scores on this criterion (all 7)."
    )
    assert rule.warning(20, 20, [6, 7, 8]) is not None
    # the gap scales with the criterion's maximum
    assert rule.warning(3, 100, [7, 8, 7.5]) is None
    # visible panel values that agree with the value make it ordinary
    assert rule.warning(3, 10, [7, 8, 7.5], panel_scores=[2.5, 3.5]) is None
    assert rule.warning(3, 10, [7, 8, 7.5], panel_scores=[3]) is not None  # one is too few
    assert rule.warning(3, 10, [7, 8, 7.5], panel_scores=[8, 9]) is not None
    # the off switch and a stricter setting
    off = PlausibilityRule(gap_percent=0)
    assert not off.enabled
    assert off.warning(0, 10, [9, 9, 9, 9]) is None
    assert PlausibilityRule(gap_percent=10).warning(5.5, 10, [7, 8, 7.5]) is not None


def test_zero_and_maximum_on_a_fresh_sheet_are_not_questioned(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    _sheet, core, asked = make_sheet(qtbot)

    async def scenario() -> None:
        type_keys("0\n20\n10\n0\n")  # Poise max 10, Talent max 20
        await eventually(lambda: len(core.submitted) == 4, what="four values")

    run(qloop, scenario())
    assert asked == []
    assert [value for *_cell, value in core.submitted] == [0, 20, 10, 0]


def test_a_value_far_from_the_judges_own_scores_is_questioned(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    sheet, core, asked = make_sheet(qtbot)

    async def scenario() -> None:
        type_keys("7\n12\n8\n14\n7.5\n13\n")  # three rows: Poise 7 / 8 / 7.5
        await eventually(lambda: len(core.submitted) == 6, what="three rows")
        assert asked == []
        type_keys("1\n")  # the fourth contestant's Poise: far below 7..8
        await eventually(lambda: len(core.submitted) == 7, what="the confirmed value")

    run(qloop, scenario())
    assert asked == ["1 is far from your other scores on this criterion (7 to 8)."]
    assert core.submitted[-1] == (CATEGORY_ID, CONTESTANTS[3].id, CRITERIA[0].id, 1.0)
    assert "Saved after confirmation" in sheet.message_label.text()


def test_the_setting_turns_the_question_off(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    UserSettings(unusual_score_gap=0).save()
    assert UserSettings.load().unusual_score_gap == 0
    core = SheetFakeCore(make_snapshot(user_id=11, role=Role.JUDGE))
    asked: list[str] = []

    def confirm(_parent: QWidget, message: str) -> bool:
        asked.append(message)
        return True

    workspace = JudgeWorkspace(
        CoreBridge(core),  # type: ignore[arg-type]
        confirm,
        settings=UserSettings.load(),
    )
    qtbot.addWidget(workspace)
    workspace.resize(1000, 600)
    workspace.show()
    qtbot.waitExposed(workspace)
    sheet = workspace.current_sheet()
    assert sheet is not None
    assert not sheet.delegate.rule.enabled, "the saved setting is used"

    async def scenario() -> None:
        sheet.table.setFocus()
        await eventually(lambda: sheet.table.hasFocus(), what="focus")
        type_keys("7\n12\n8\n14\n7.5\n13\n1\n")
        await eventually(lambda: len(core.submitted) == 7, what="seven values")
        assert asked == []
        workspace.apply_settings(UserSettings(unusual_score_gap=DEFAULT_GAP_PERCENT))
        type_keys("20\n")  # back on; Talent 20 is within 6 (30 % of 20) of 12..14
        await eventually(lambda: len(core.submitted) == 8, what="eight values")
        assert asked == []
        sheet.table.setCurrentIndex(sheet.model.index(3, 2))
        type_keys("0\n")  # Poise 0, far from 7..8: asked now
        await eventually(lambda: len(core.submitted) == 9, what="nine values")

    run(qloop, scenario())
    assert asked == ["0 is far from your other scores on this criterion (7 to 8)."]


def test_the_console_uses_the_setting_and_follows_its_change(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    """Real login: the window's settings reach every sheet, also when changed later."""
    asked: list[str] = []

    def confirm(_parent: QWidget, message: str) -> bool:
        asked.append(message)
        return True

    async def scenario() -> None:
        judge = await open_console(server_process.url, "judge1", tmp_path, confirm=confirm)
        try:
            sheet = judge.sheet()
            assert sheet.delegate.rule == PlausibilityRule(DEFAULT_GAP_PERCENT)
            judge.window.apply_settings(replace(judge.window.settings, unusual_score_gap=0))
            assert not sheet.delegate.rule.enabled
            assert UserSettings.load().unusual_score_gap == 0, "saved with the settings"
            sheet.table.setCurrentIndex(sheet.model.index(0, FIRST_CRITERION_COL))
            await focus(sheet.table)
            columns = sheet.model.total_col - FIRST_CRITERION_COL
            rows = ["8\n" * columns] * 3 + ["0\n" * columns]  # a far 0 on every criterion
            type_keys("".join(rows))
            await eventually(lambda: judge.core.pending_count() == 0, 15, "sent")
            await eventually(lambda: sheet.model.filled_count() == 4 * columns, 10, "filled")
        finally:
            await judge.close()

    run(qloop, scenario(), timeout=60)
    assert asked == []
