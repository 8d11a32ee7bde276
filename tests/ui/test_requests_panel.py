"""The requests panel: live lists, decisions, deduction requests, dialog validation."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from scoring_console.client.state import StateStore
from scoring_console.protocol import AckFailed, ErrorCode, ServerEvent
from scoring_console.protocol.entities import Category, Contestant, RequestStatus
from scoring_console.store.outbox import EntryState
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.requests_dialogs import (
    MAX_NOTE,
    DecisionDialog,
    DeductionDraft,
    RequestDeductionDialog,
)
from scoring_console.ui.requests_models import DeductionTableModel, RemovalTableModel
from scoring_console.ui.requests_panel import DecisionAnswer, DecisionQuestion, RequestsPanel

from .notifications_fakes import (
    ADMIN,
    CATEGORY_ID,
    CONTESTANTS,
    JUDGES,
    TALLY,
    FakeCore,
    competition,
    deduction,
    removal,
    run_until,
)


class Asker:
    """The dialog seams: canned answers, recorded questions."""

    def __init__(self) -> None:
        self.decision: DecisionAnswer | None = DecisionAnswer("checked the video")
        self.draft: DeductionDraft | None = None
        self.questions: list[DecisionQuestion] = []
        self.offered: list[tuple[list[int], int | None]] = []

    def ask_decision(self, parent: QWidget, question: DecisionQuestion) -> DecisionAnswer | None:
        self.questions.append(question)
        return self.decision

    def ask_deduction(
        self,
        parent: QWidget,
        categories: Sequence[Category],
        contestants: Mapping[int, Sequence[Contestant]],
        category_id: int | None,
    ) -> DeductionDraft | None:
        self.offered.append(([c.id for c in categories], category_id))
        return self.draft


class Panel:
    def __init__(self, qtbot: QtBot, user_id: int, **lists: object) -> None:
        self.core = FakeCore(competition(user_id=user_id, **lists))
        self.bridge = CoreBridge(self.core)
        self.asker = Asker()
        self.widget = RequestsPanel(
            self.bridge,
            ask_decision=self.asker.ask_decision,
            ask_deduction=self.asker.ask_deduction,
        )
        qtbot.addWidget(self.widget)
        self.widget.show()  # laid out: clicks land on the buttons


def test_models_pass_modeltester_and_follow_decisions(qtmodeltester: ModelTester) -> None:
    state = StateStore()
    state.apply_snapshot(competition(user_id=TALLY, deductions=[deduction(1), deduction(2)]))
    model = DeductionTableModel(state)
    state.on_change.connect(model.on_state_changed)
    qtmodeltester.check(model)
    removed: list[int] = []
    resets: list[int] = []
    model.rowsRemoved.connect(lambda _p, first, _last: removed.append(first))
    model.modelReset.connect(lambda: resets.append(1))

    state.apply(ServerEvent.DEDUCTION_PENDING, deduction(3).model_copy(update={"seq": 4}))
    assert [model.request_at(r).id for r in range(model.rowCount())] == [1, 2, 3]
    state.apply(
        ServerEvent.DEDUCTION_DECIDED,
        deduction(1, RequestStatus.APPROVED).model_copy(update={"seq": 5, "decided_by": TALLY}),
    )
    assert [model.request_at(r).id for r in range(model.rowCount())] == [2, 3]
    assert removed == [0]
    model.set_include_decided(True)
    assert [model.request_at(r).id for r in range(model.rowCount())] == [1, 2, 3]
    assert model.index(0, 5).data() == "Approved"
    assert "Tally One (you)" in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, 1).data() == "1 · Ada"
    assert model.index(1, 2).data() == "−2"
    qtmodeltester.check(model)
    assert resets == []

    removals = RemovalTableModel(state)
    state.on_change.connect(removals.on_state_changed)
    state.apply(ServerEvent.SCORE_REMOVAL_PENDING, removal(1).model_copy(update={"seq": 6}))
    assert removals.rowCount() == 1
    assert removals.index(0, 2).data() == "Poise"
    qtmodeltester.check(removals)


def test_tally_master_approves_a_deduction_with_a_note(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    panel = Panel(qtbot, TALLY, deductions=[deduction(1)])
    widget = panel.widget
    assert widget.tabs.tabText(0) == "Deductions (1)"
    assert not widget.approve_button.isEnabled()  # nothing selected
    widget.select("deduction", 1)
    assert widget.approve_button.isEnabled()

    with qtbot.waitSignal(widget.decision_finished) as blocker:
        qtbot.mouseClick(widget.approve_button, Qt.MouseButton.LeftButton)
        run_until(qloop, lambda: panel.core.calls)
    assert blocker.args == ["deduction", 1, True]
    assert panel.core.calls == [("decide_deduction", (1, True, "checked the video"))]
    question = panel.asker.questions[0]
    assert question.approve and question.request_id == 1
    assert "−2 points for 1 · Ada" in question.summary
    assert "Costume malfunction" in question.summary
    assert widget.feedback_label.text() == "Deduction approved."


def test_cancelled_decision_sends_nothing(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    panel = Panel(qtbot, TALLY, deductions=[deduction(1)])
    panel.asker.decision = None
    panel.widget.select("deduction", 1)
    qtbot.mouseClick(panel.widget.reject_button, Qt.MouseButton.LeftButton)
    assert panel.asker.questions[0].approve is False
    assert panel.core.calls == []


def test_refused_decision_says_why(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    panel = Panel(qtbot, TALLY, deductions=[deduction(1)])
    panel.core.failures["decide_deduction"] = AckFailed(ErrorCode.CONFLICT, "already decided")
    panel.widget.select("deduction", 1)
    with qtbot.waitSignal(panel.widget.decision_finished) as blocker:
        qtbot.mouseClick(panel.widget.reject_button, Qt.MouseButton.LeftButton)
        run_until(qloop, lambda: panel.core.calls)
    assert blocker.args == ["deduction", 1, False]
    text = panel.widget.feedback_label.text()
    assert "already decided" in text and "changed elsewhere" in text
    assert panel.widget.reject_button.isEnabled()  # the user may retry


def test_admin_decides_a_score_removal(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    panel = Panel(qtbot, ADMIN, removal_requests=[removal(4)])
    widget = panel.widget
    assert widget.tabs.tabText(1) == "Score removals (1)"
    widget.select("removal", 4)
    panel.asker.decision = DecisionAnswer(None)
    with qtbot.waitSignal(widget.decision_finished):
        qtbot.mouseClick(widget.approve_button, Qt.MouseButton.LeftButton)
        run_until(qloop, lambda: panel.core.calls)
    assert panel.core.calls == [("decide_removal", (4, True, None))]
    summary = panel.asker.questions[0].summary
    # the judge and the requester named as the server names them (no presence needed)
    assert summary.startswith("Remove Ines Moreau's score for 2 · Ben on Poise in Evening Gown")
    assert "requested by Ines Moreau." in summary


def test_tally_master_cannot_decide_removals(qtbot: QtBot) -> None:
    panel = Panel(qtbot, TALLY, removal_requests=[removal(4)])
    panel.widget.select("removal", 4)
    assert panel.widget.approve_button.isHidden()
    panel.widget.on_approve_clicked()
    assert panel.asker.questions == []


def test_live_requests_update_the_count(qtbot: QtBot) -> None:
    panel = Panel(qtbot, TALLY)
    with qtbot.waitSignal(panel.widget.pending_count_changed) as blocker:
        panel.core.state.apply(
            ServerEvent.DEDUCTION_PENDING, deduction(9).model_copy(update={"seq": 3})
        )
    assert blocker.args == [1]
    assert panel.widget.deductions_model.rowCount() == 1


def test_judge_requests_a_deduction_and_follows_it(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    panel = Panel(qtbot, JUDGES[0])
    widget = panel.widget
    assert widget.approve_button.isHidden()
    assert widget.request_button.isVisibleTo(widget)
    widget.category_id = CATEGORY_ID
    panel.asker.draft = DeductionDraft(CATEGORY_ID, 102, 1.5, "Late entrance")

    qtbot.mouseClick(widget.request_button, Qt.MouseButton.LeftButton)
    run_until(qloop, lambda: panel.core.entries)
    assert panel.asker.offered == [([CATEGORY_ID], CATEGORY_ID)]  # assigned categories only
    assert panel.core.calls == [("request_deduction", (CATEGORY_ID, 102, 1.5, "Late entrance"))]
    assert "saved locally" in widget.feedback_label.text()

    with qtbot.waitSignal(widget.deduction_request_finished) as blocker:
        panel.core.update_entry(
            1, state=EntryState.REJECTED, error_code="locked", error_message="contest is locked"
        )
    assert blocker.args == [1, False]
    assert "contest is locked" in widget.feedback_label.text()
    assert "the board or an organizer to unlock it" in widget.feedback_label.text()


def test_request_deduction_dialog_validates(qtbot: QtBot) -> None:
    category = competition().categories[0]
    dialog = RequestDeductionDialog(
        [category], {category.id: list(CONTESTANTS)}, category_id=category.id
    )
    qtbot.addWidget(dialog)
    problems = dialog.problems()
    assert "Enter an amount greater than 0 points." in problems
    assert any("Give a reason" in p for p in problems)
    assert not dialog.ok_button.isEnabled()
    assert "Give a reason" in dialog.problem_label.text()
    dialog.accept()  # refused while invalid
    assert dialog.result() == 0 and not dialog.problem_label.isHidden()

    dialog.contestant_combo.setCurrentIndex(2)
    dialog.amount_spin.setValue(2.25)
    dialog.reason_edit.setPlainText("x" * 501)
    assert dialog.problems() == ["The reason has 501 characters; at most 500 are allowed."]
    dialog.reason_edit.setPlainText("  Costume rule 4.2  ")
    assert dialog.problems() == []
    assert dialog.ok_button.isEnabled()
    assert dialog.draft() == DeductionDraft(category.id, 103, 2.25, "Costume rule 4.2")


def test_request_dialog_without_categories_says_so(qtbot: QtBot) -> None:
    dialog = RequestDeductionDialog([], {})
    qtbot.addWidget(dialog)
    assert "There is no category you can request a deduction in." in dialog.problems()


@pytest.mark.parametrize("approve", [True, False])
def test_decision_dialog_limits_the_note(qtbot: QtBot, approve: bool) -> None:
    dialog = DecisionDialog("Decide", "−2 for Ada", approve)
    qtbot.addWidget(dialog)
    assert dialog.ok_button.isEnabled()
    assert dialog.ok_button.text().replace("&", "") == ("Approve" if approve else "Reject")
    assert dialog.note() is None
    dialog.note_edit.setPlainText("n" * (MAX_NOTE + 1))
    assert not dialog.ok_button.isEnabled()
    assert f"at most {MAX_NOTE}" in dialog.problem_label.text()
    dialog.note_edit.setPlainText("  fine  ")
    assert dialog.ok_button.isEnabled()
    assert dialog.note() == "fine"
