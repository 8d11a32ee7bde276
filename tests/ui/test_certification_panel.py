"""The certification panel against a real StateStore and the FakeCore seam."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from scoring_console.client.errors import PendingEntriesError
from scoring_console.protocol import AckFailed, ErrorCode, ServerEvent
from scoring_console.protocol.entities import CertificationStatus, Contest, RankedTotal
from scoring_console.protocol.payloads import ContestLocked, ResultsPublished
from scoring_console.protocol.roles import Role
from scoring_console.store.outbox import EntryState
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.certification_models import (
    COL_RECEIPT,
    COL_STATE,
    COL_WHO,
    CertificationChainModel,
    ResultsTableModel,
    StepState,
    chain_steps,
    is_my_turn,
    why_not_my_turn,
)
from scoring_console.ui.certification_panel import CertificationPanel

from .notifications_fakes import (
    AUDITOR,
    BOARD,
    CATEGORY_ID,
    CONTEST_ID,
    CONTESTANTS,
    JUDGES,
    NOW,
    ORGANIZER,
    RECEIPT,
    TALLY,
    FakeCore,
    certification,
    competition,
    full_sheet,
    run_until,
    user,
)


def totals(count: int) -> list[RankedTotal]:
    """A ranking of the first ``count`` contestants, in contestant order."""
    return [
        RankedTotal(
            contestant_id=c.id,
            score_sum=5 - i,
            deductions=0,
            total=5 - i,
            rank=i + 1,
            score_count=1,
        )
        for i, c in enumerate(CONTESTANTS[:count])
    ]


class Confirmer:
    """The confirmation seam: answers ``answer`` and records the questions."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.questions: list[str] = []

    def __call__(self, parent: QWidget, title: str, question: str) -> bool:
        self.questions.append(f"{title}: {question}")
        return self.answer


class Panel:
    """A panel for one user, with its core, bridge and confirmation seam."""

    def __init__(self, qtbot: QtBot, user_id: int, **lists: object) -> None:
        self.core = FakeCore(competition(user_id=user_id, **lists))
        self.bridge = CoreBridge(self.core)  # type: ignore[arg-type]
        self.confirm = Confirmer()
        self.widget = CertificationPanel(self.bridge, confirm=self.confirm)
        qtbot.addWidget(self.widget)
        self.widget.set_category(CATEGORY_ID)
        self.widget.show()  # laid out: clicks land on the buttons

    def states(self) -> list[str]:
        model = self.widget.chain_model
        return [model.index(r, COL_STATE).data() for r in range(model.rowCount())]


@pytest.fixture
def judge_panel(qtbot: QtBot) -> Iterator[Panel]:
    panel = Panel(qtbot, JUDGES[0], scores=full_sheet(JUDGES[0]))
    yield panel
    panel.bridge.close()


def test_chain_steps_follow_the_status() -> None:
    names = {11: "Judge One", 12: "Judge Two"}.__getitem__
    steps = chain_steps(None, JUDGES, names)
    assert [(s.role, s.state) for s in steps] == [
        (Role.JUDGE, StepState.NEXT),
        (Role.JUDGE, StepState.NEXT),
        (Role.TALLY_MASTER, StepState.WAITING),
        (Role.AUDITOR, StepState.WAITING),
        (Role.BOARD, StepState.WAITING),
    ]
    cert = certification(CertificationStatus.TALLY_SIGNED, (*JUDGES, TALLY))
    steps = chain_steps(cert, JUDGES, names)
    assert [s.state for s in steps] == [StepState.SIGNED] * 3 + [StepState.NEXT, StepState.WAITING]
    assert steps[2].who == "Tally One" and steps[2].receipt == RECEIPT


def test_whose_turn_it_is() -> None:
    judging = certification(CertificationStatus.JUDGES_SIGNING, (11,))
    assert not is_my_turn(judging, JUDGES, user(11))  # signed already
    assert is_my_turn(judging, JUDGES, user(12))
    assert not is_my_turn(judging, JUDGES, user(TALLY))
    assert is_my_turn(None, JUDGES, user(12))
    signed = certification(CertificationStatus.JUDGES_SIGNED, JUDGES)
    assert is_my_turn(signed, JUDGES, user(TALLY))
    assert not is_my_turn(signed, JUDGES, user(AUDITOR))
    assert is_my_turn(certification(CertificationStatus.TALLY_SIGNED), JUDGES, user(AUDITOR))
    assert is_my_turn(certification(CertificationStatus.AUDITOR_SIGNED), JUDGES, user(BOARD))
    assert not is_my_turn(certification(CertificationStatus.CERTIFIED), JUDGES, user(BOARD))
    assert not is_my_turn(signed, JUDGES, user(ORGANIZER))


def test_models_pass_modeltester(qtmodeltester: ModelTester) -> None:
    chain = CertificationChainModel()
    chain.set_rows(
        chain_steps(certification(CertificationStatus.JUDGES_SIGNING, (11,)), JUDGES, str)
    )
    qtmodeltester.check(chain)
    results = ResultsTableModel()
    from .notifications_fakes import FakeCore as _Core  # the fake's publish answer

    del _Core
    qtmodeltester.check(results)


def test_judge_signs_and_sees_saved_locally_then_the_receipt(
    judge_panel: Panel, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    panel = judge_panel.widget
    assert panel.sign_button.isEnabled()
    assert judge_panel.states()[:2] == ["Your turn", "Next"]
    assert panel.lock_button.isHidden() and panel.publish_button.isHidden()
    judge_panel.core.connection = judge_panel.core.connection.__class__()  # offline

    qtbot.mouseClick(panel.sign_button, Qt.MouseButton.LeftButton)
    run_until(qloop, lambda: judge_panel.core.entries)
    assert judge_panel.core.calls == [("sign_certification", (CATEGORY_ID,))]
    assert "saved locally" in panel.feedback_label.text()
    assert "connection is back" in panel.feedback_label.text()

    entry = judge_panel.core.entries[0]
    judge_panel.core.update_entry(entry.id, state=EntryState.SENDING)
    assert "waiting for the server" in panel.feedback_label.text()
    with qtbot.waitSignal(panel.sign_finished) as blocker:
        judge_panel.core.update_entry(
            entry.id,
            state=EntryState.SYNCED,
            result={"receipt": RECEIPT, "signedScoreCount": 3, "certification": {}},
        )
    assert blocker.args == [CATEGORY_ID, RECEIPT]
    assert RECEIPT in panel.feedback_label.text()
    assert "over 3 scores" in panel.feedback_label.text()


def test_refused_sign_off_shows_the_reason(
    judge_panel: Panel, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    panel = judge_panel.widget
    qtbot.mouseClick(panel.sign_button, Qt.MouseButton.LeftButton)
    run_until(qloop, lambda: judge_panel.core.entries)
    with qtbot.waitSignal(panel.sign_finished) as blocker:
        judge_panel.core.update_entry(
            1,
            state=EntryState.REJECTED,
            error_code="precondition_failed",
            error_message="3 scores missing",
        )
    assert blocker.args == [CATEGORY_ID, ""]
    text = panel.feedback_label.text()
    assert "3 scores missing" in text
    assert "refused" in text
    assert "Complete what is missing" in text


def test_pending_entries_block_signing_with_a_clear_message(
    judge_panel: Panel, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    judge_panel.core.failures["sign_certification"] = PendingEntriesError(2)
    panel = judge_panel.widget
    with qtbot.waitSignal(panel.sign_finished, timeout=3000):
        qtbot.mouseClick(panel.sign_button, Qt.MouseButton.LeftButton)
        run_until(qloop, lambda: "waiting to be sent" in panel.feedback_label.text())
    assert "2 entries" in panel.feedback_label.text()
    assert panel.sign_button.isEnabled()  # may try again once synced


def test_chain_updates_live_without_reset(judge_panel: Panel) -> None:
    panel = judge_panel.widget
    resets: list[int] = []
    changed: list[int] = []
    panel.chain_model.modelReset.connect(lambda: resets.append(1))
    panel.chain_model.dataChanged.connect(lambda top, *_: changed.append(top.row()))
    judge_panel.core.state.apply(
        ServerEvent.CERTIFICATION_UPDATED,
        certification(CertificationStatus.JUDGES_SIGNING, (11,), version=1, seq=5),
    )
    assert judge_panel.states()[:2] == ["Signed", "Next"]
    model = panel.chain_model
    assert model.index(0, COL_WHO).data() == "Judge One"
    assert model.index(0, COL_RECEIPT).data().startswith(RECEIPT[:12])
    assert RECEIPT in model.index(0, COL_RECEIPT).data(Qt.ItemDataRole.ToolTipRole)
    assert resets == []
    assert changed == [0]
    assert not panel.sign_button.isEnabled()
    assert "signed this category already" in panel.sign_button.toolTip()
    assert "1 of 2 judges" in panel.status_label.text()


def test_tally_master_waits_for_the_judges(qtbot: QtBot) -> None:
    panel = Panel(qtbot, TALLY)
    assert not panel.widget.sign_button.isEnabled()
    assert "Waiting for the judges" in panel.widget.sign_button.toolTip()
    panel.core.state.apply(
        ServerEvent.CERTIFICATION_UPDATED,
        certification(CertificationStatus.JUDGES_SIGNED, JUDGES, version=2, seq=3),
    )
    assert panel.widget.sign_button.isEnabled()
    assert panel.states()[2] == "Your turn"
    assert panel.widget.lock_button.isHidden()
    panel.bridge.close()


def test_board_locks_the_contest_after_confirming(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    panel = Panel(qtbot, BOARD)
    widget = panel.widget
    assert widget.lock_button.isVisibleTo(widget) and widget.lock_button.isEnabled()
    assert "open for scoring" in widget.contest_label.text()

    panel.confirm.answer = False
    qtbot.mouseClick(widget.lock_button, Qt.MouseButton.LeftButton)
    run_until(qloop, lambda: panel.confirm.questions)
    assert panel.core.calls == []  # cancelled

    panel.confirm.answer = True
    panel.core.answers["lock_contest"] = None
    with qtbot.waitSignal(widget.contest_lock_changed) as blocker:
        qtbot.mouseClick(widget.lock_button, Qt.MouseButton.LeftButton)
        run_until(qloop, lambda: panel.core.calls)
    assert blocker.args == [CONTEST_ID, True]
    assert panel.core.calls == [("lock_contest", (CONTEST_ID, True))]
    assert "no longer enter or change scores" in panel.confirm.questions[-1]
    # the server's contest:locked reaches the state: the panel says so
    panel.core.state.apply(
        ServerEvent.CONTEST_LOCKED, ContestLocked(contest_id=CONTEST_ID, locked=True, seq=9)
    )
    assert "is locked" in widget.contest_label.text()
    assert "Unlock" in widget.lock_button.text().replace("&", "")
    panel.bridge.close()


def test_lock_refusal_is_shown(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    panel = Panel(qtbot, ORGANIZER)
    panel.core.failures["lock_contest"] = AckFailed(ErrorCode.FORBIDDEN, "not allowed")
    qtbot.mouseClick(panel.widget.lock_button, Qt.MouseButton.LeftButton)
    run_until(qloop, lambda: "not allowed" in panel.widget.feedback_label.text())
    assert "ask an administrator" in panel.widget.feedback_label.text()
    panel.bridge.close()


def test_publish_needs_certification_then_shows_the_ranking(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    panel = Panel(qtbot, ORGANIZER)
    widget = panel.widget
    assert not widget.publish_button.isEnabled()
    assert "certified" in widget.publish_button.toolTip()
    panel.core.state.apply(
        ServerEvent.CERTIFICATION_UPDATED,
        certification(CertificationStatus.CERTIFIED, (*JUDGES, TALLY, AUDITOR, BOARD), 5, 7),
    )
    assert widget.publish_button.isEnabled()
    assert "Certified" in widget.status_label.text()

    with qtbot.waitSignal(widget.results_published):
        qtbot.mouseClick(widget.publish_button, Qt.MouseButton.LeftButton)
        run_until(qloop, lambda: widget.results_model.rowCount() == 3)
    assert panel.core.calls == [("publish_results", (CATEGORY_ID,))]
    model = widget.results_model
    assert [model.index(r, 2).data() for r in range(3)] == ["Ada", "Ben", "Cleo"]
    assert [model.index(r, 0).data() for r in range(3)] == [1, 2, 3]
    assert "Results published" in widget.published_label.text()
    assert not widget.publish_button.isEnabled()
    assert widget.results_view.isVisibleTo(widget)
    panel.bridge.close()


def test_results_published_event_shows_the_table_to_a_judge(judge_panel: Panel) -> None:
    judge_panel.core.state.apply(
        ServerEvent.RESULTS_PUBLISHED,
        ResultsPublished(category_id=CATEGORY_ID, totals=totals(3), published_at=NOW, seq=11),
    )
    widget = judge_panel.widget
    assert widget.results_model.rowCount() == 3
    assert "Results published" in widget.results_caption.text()
    assert "Results published" in widget.published_label.text()


def test_locked_contest_in_the_snapshot_is_shown(qtbot: QtBot) -> None:
    locked = Contest(id=CONTEST_ID, event_id=1, name="Finals", locked=True)
    panel = Panel(qtbot, JUDGES[1], contests=[locked])
    assert "is locked" in panel.widget.contest_label.text()
    panel.bridge.close()


def test_why_it_is_not_my_turn() -> None:
    signing = certification(CertificationStatus.JUDGES_SIGNING, (11,))
    assert why_not_my_turn(signing, JUDGES, user(11)) == "You signed this category already."
    assert why_not_my_turn(signing, JUDGES, user(TALLY)) == "Waiting for the judges to sign."
    tally_signed = certification(CertificationStatus.TALLY_SIGNED, (*JUDGES, TALLY))
    assert why_not_my_turn(tally_signed, JUDGES, user(BOARD)) == "Waiting for the auditor to sign."
    assert why_not_my_turn(tally_signed, (), user(ORGANIZER)).startswith("Your role does not")
    certified = certification(CertificationStatus.CERTIFIED)
    assert why_not_my_turn(certified, JUDGES, user(11)) == "The category is certified."
    other = signing.model_copy(update={"required_judge_ids": [12]})
    assert why_not_my_turn(other, [12], user(11)) == "You are not a judge of this category."
