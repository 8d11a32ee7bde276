"""The two-person rule as the users meet it, against a real ``scoring-server --demo``.

Whoever asked for a change to a result is not offered to settle it: the tally master
who requested a deduction sees "Approve…" disabled with who must approve it instead
(he may still reject it to withdraw it), and the auditor approves it through the
placement preview; the tally master who typed in a paper sheet cannot confirm it and
is told who must, and the auditor confirms it. Every console is the real ConsoleApp
(login → core → first sync → window), clicked with real mouse and key events.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView, QWidget
from pytestqt.qtbot import QtBot

from scoring_console.protocol.entities import Category, RequestStatus
from scoring_console.ui.paper import PaperConfirmDialog, PaperEntryDialog
from scoring_console.ui.requests_dialogs import DeductionDraft
from scoring_console.ui.requests_panel import DecisionAnswer, DecisionQuestion
from scoring_console.ui.tally_workspace import TallyWorkspace
from tests.helpers.server_process import ServerProcess

from .app_sessions import AppSession, closing, start_app
from .consoles import focus, type_keys
from .helpers import eventually, run


def click_row(qtbot: QtBot, table: QTableView, row: int) -> None:
    """Click the first cell of ``row`` where a user would."""
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def vocal(session: AppSession) -> Category:
    return next(c for c in session.core.state.categories.values() if c.name == "Vocal Performance")


def test_deduction_requester_cannot_approve_it_and_the_auditor_does(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    url = server_process.url

    async def scenario() -> None:
        tally = await start_app(url, "tally1", tmp_path)
        async with closing(tally):
            auditor = await start_app(url, "auditor1", tmp_path)
            async with closing(auditor):
                await steps(tally, auditor)

    async def steps(tally: AppSession, auditor: AppSession) -> None:
        category = vocal(tally)
        noah = next(c for c in tally.core.state.contestants_in(category.id) if c.number == 102)
        panel = tally.window.requests_panel
        tally.window.requests_dock.raise_()
        await eventually(panel.request_button.isVisible, 5, "the requests dock")

        def ask_deduction(
            _parent: QWidget, _c: object, _k: object, _selected: int | None
        ) -> DeductionDraft:
            return DeductionDraft(category.id, noah.id, 2.0, "Over time by 40 seconds")

        panel.ask_deduction = ask_deduction
        qtbot.mouseClick(panel.request_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: panel.deductions_model.rowCount() == 1, 15, "the request listed")
        click_row(qtbot, panel.deductions_view, 0)
        await eventually(lambda: panel.selected_request() is not None, 5, "selected")

        # the requester is not offered the approval, and is told who must give it
        assert not panel.approve_button.isEnabled()
        assert panel.reject_button.isEnabled()  # withdrawing is allowed
        assert panel.hint_label.isVisible()
        hint = panel.hint_label.text()
        assert "You requested this deduction" in hint
        assert "another tally master, an auditor or an admin must approve it" in hint
        asked: list[DecisionQuestion] = []

        def record(_parent: QWidget, question: DecisionQuestion) -> DecisionAnswer:
            asked.append(question)
            return DecisionAnswer()

        panel.ask_decision = record
        qtbot.mouseClick(panel.approve_button, Qt.MouseButton.LeftButton)  # disabled: nothing
        assert asked == []

        # the auditor sees it, with the placement preview, and approves it
        other = auditor.window.requests_panel
        auditor.window.requests_dock.raise_()
        await eventually(lambda: other.deductions_model.rowCount() == 1, 15, "auditor's list")
        await eventually(other.isVisible, 5, "the auditor's requests dock")
        click_row(qtbot, other.deductions_view, 0)
        await eventually(other.approve_button.isEnabled, 5, "the auditor may approve")
        assert not other.hint_label.isVisible()
        # the auditor has no presence or assignment of the tally master: named anyway
        shown = [other.deductions_model.index(0, c).data() for c in range(4, 6)]
        assert "Thomas Becker" in shown, shown
        questions: list[DecisionQuestion] = []

        def answer(_parent: QWidget, question: DecisionQuestion) -> DecisionAnswer:
            questions.append(question)
            return DecisionAnswer("Timing sheet checked")

        other.ask_decision = answer
        qtbot.mouseClick(other.approve_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: "Deduction approved." in other.feedback_label.text(), 15, "done")
        (question,) = questions
        assert question.preview is not None
        assert "−2 points for 102 · Noah Fischer in Vocal Performance" in question.summary
        assert "requested by Thomas Becker" in question.summary
        await eventually(
            lambda: (
                [d.status for d in tally.core.state.deductions.values()] == [RequestStatus.APPROVED]
            ),
            10,
            "the approval on the tally master's console",
        )

    run(qloop, scenario(), timeout=120)


def test_paper_sheet_typist_is_not_offered_the_confirmation(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    url = server_process.url

    async def scenario() -> None:
        tally = await start_app(url, "tally1", tmp_path)
        async with closing(tally):
            auditor = await start_app(url, "auditor1", tmp_path)
            async with closing(auditor):
                await steps(tally, auditor)

    async def steps(tally: AppSession, auditor: AppSession) -> None:
        category = vocal(tally)
        for session in (tally, auditor):
            workspace = session.window.workspace
            assert isinstance(workspace, TallyWorkspace)
            workspace.tabs.setCurrentWidget(workspace.views[category.id])
        tally.window.outputs.actions["paper-enter"].trigger()
        entering = tally.window.findChild(PaperEntryDialog)
        assert entering is not None
        entering.judge_box.setCurrentIndex(entering.judge_box.findText("Kenji Watanabe"))
        await eventually(entering.isVisible, 5, "the paper dialog")
        entering.table.setCurrentIndex(entering.model.index(0, 0))
        await focus(entering.table)
        type_keys("6.5\t7\t7.5\t")
        await eventually(lambda: len(entering.model.entries()) == 3, 5, "three boxes")
        qtbot.mouseClick(entering.send_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: "Sent: 3 scores" in entering.status_label.text(), 10, "sent")
        entering.close()

        # the typist's own list: the sheet is there, but not offered for confirmation
        tally.window.outputs.actions["paper-confirm"].trigger()
        own = tally.window.findChild(PaperConfirmDialog)
        assert own is not None
        await eventually(lambda: own.model.rowCount() == 1, 10, "the sheet listed")
        await eventually(own.isVisible, 5, "the confirm dialog")
        click_row(qtbot, own.table, 0)
        assert own.count_label.text() == "0 to confirm"
        assert not own.confirm_button.isEnabled() and not own.reject_button.isEnabled()
        assert own.status_label.text() == (
            "You entered Kenji Watanabe's sheet: another tally master, an auditor or an admin "
            "must confirm or reject it."
        )
        own.close()

        # the auditor confirms it
        auditor.window.outputs.actions["paper-confirm"].trigger()
        confirming = auditor.window.findChild(PaperConfirmDialog)
        assert confirming is not None
        await eventually(lambda: "1 to confirm" in confirming.count_label.text(), 10, "listed")
        await eventually(confirming.isVisible, 5, "the auditor's dialog")
        assert confirming.confirm_button.isEnabled()
        qtbot.mouseClick(confirming.confirm_button, Qt.MouseButton.LeftButton)
        await eventually(
            lambda: "Kenji Watanabe's paper sheet is confirmed" in confirming.status_label.text(),
            10,
            "confirmed",
        )

    run(qloop, scenario(), timeout=120)
