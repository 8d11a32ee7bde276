"""Placement-impact preview: before/after rankings for a deduction, a removal and a
correction, and the approve dialog showing them side by side."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from scoring_console.client.standings import (
    ChangeKind,
    preview_correction,
    preview_deduction,
    preview_removal,
)
from scoring_console.protocol.entities import Deduction, RemovalRequest, RequestStatus
from scoring_console.ui.placement_preview import (
    CHANGED_ROLE,
    PlacementDecisionDialog,
    PlacementPreviewWidget,
    RankingModel,
)
from scoring_console.ui.requests_panel import DecisionQuestion, ask_decision_dialog

from .notifications_fakes import TALLY
from .notifications_fakes import deduction as fake_deduction
from .scoring_world import score_row, world
from .snapshots import CATEGORY_ID, CONTESTANTS, NOW
from .test_requests_panel import Panel

A, B, C, D = (c.id for c in CONTESTANTS)


def _scored():  # type: ignore[no-untyped-def]
    """A: 30 per judge, B: 28, C: 20, D: 10 (Poise + 2 × Talent), five judges."""
    state = world()
    rows = {0: (10.0, 10.0), 1: (8.0, 10.0), 2: (6.0, 7.0), 3: (2.0, 4.0)}
    applied = {i: score_row(state, i, dict.fromkeys(range(11, 16), v)) for i, v in rows.items()}
    return state, applied


def _deduction(contestant: int, amount: float) -> Deduction:
    return Deduction(
        id=7,
        client_id="00000000-0000-4000-8000-000000000007",
        category_id=CATEGORY_ID,
        contestant_id=contestant,
        amount=amount,
        reason="costume",
        requested_by=11,
        status=RequestStatus.PENDING,
        created_at=NOW,
    )


def test_deduction_preview_swaps_the_two_leaders() -> None:
    state, _ = _scored()
    preview = preview_deduction(state, _deduction(A, 15))
    assert preview is not None and preview.kind is ChangeKind.DEDUCTION
    assert preview.before.ranks() == {A: 1, B: 2, C: 3, D: 4}
    assert preview.after.ranks() == {B: 1, A: 2, C: 3, D: 4}
    assert preview.changed() == {A, B}
    assert state.category_result(CATEGORY_ID).ranks() == preview.before.ranks()  # type: ignore[union-attr]


def test_small_deduction_changes_no_placing() -> None:
    state, _ = _scored()
    preview = preview_deduction(state, _deduction(C, 5))
    assert preview is not None and preview.changed() == set()
    assert preview.after.row(C).total == 95  # type: ignore[union-attr]


def test_removal_preview_drops_a_judge_score_and_rescales() -> None:
    state, applied = _scored()
    # remove judge 11's Talent for B: B's judge 11 total no longer counts
    target = next(s for s in applied[1] if s.judge_id == 11 and s.criterion_id == 2)
    request = RemovalRequest(
        id=3,
        client_id="00000000-0000-4000-8000-000000000003",
        score_id=target.id,
        category_id=CATEGORY_ID,
        contestant_id=B,
        criterion_id=2,
        judge_id=11,
        requested_by=99,
        reason="wrong sheet",
        status=RequestStatus.PENDING,
        created_at=NOW,
    )
    preview = preview_removal(state, request)
    assert preview is not None and preview.kind is ChangeKind.REMOVAL
    after_b = preview.after.row(B)
    assert after_b is not None and after_b.provisional and after_b.total == 140  # 28 × 5
    assert preview.changed() == set()


def test_correction_preview_moves_a_contestant() -> None:
    state, applied = _scored()
    score = next(s for s in applied[0] if s.judge_id == 11 and s.criterion_id == 2)
    preview = preview_correction(state, score, 0.0)  # A: judge 11 total 30 → 10
    assert preview is not None and preview.kind is ChangeKind.CORRECTION
    assert preview.after.row(A).total == 130  # type: ignore[union-attr]
    assert preview.after.ranks() == {B: 1, A: 2, C: 3, D: 4}
    assert preview.changed() == {A, B}
    unchanged = preview_correction(state, score, 9.5)  # 150 → 149: still first
    assert unchanged is not None and unchanged.changed() == set()


def test_preview_widget_highlights_changed_ranks_on_both_sides(
    qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    state, _ = _scored()
    preview = preview_deduction(state, _deduction(A, 15))
    assert preview is not None
    qtmodeltester.check(
        RankingModel(preview.contestants, preview.before, preview.changed(), preview.after),
        force_py=True,
    )
    widget = PlacementPreviewWidget(preview)
    qtbot.addWidget(widget)
    before, after = widget.before_model, widget.after_model
    assert [before.index(r, 2).data() for r in range(4)] == [
        "Contestant 1",
        "Contestant 2",
        "Contestant 3",
        "Contestant 4",
    ]
    assert [after.index(r, 2).data() for r in range(2)] == ["Contestant 2", "Contestant 1"]
    assert [before.index(r, 0).data(CHANGED_ROLE) for r in range(4)] == [True, True, False, False]
    assert after.index(1, 3).data() == "135.00"
    assert after.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert after.index(2, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert "Contestant 1, Contestant 2" in widget.summary.text()


def test_approve_dialog_shows_the_preview_above_the_note(qtbot: QtBot) -> None:
    state, _ = _scored()
    preview = preview_deduction(state, _deduction(A, 15))
    assert preview is not None
    dialog = PlacementDecisionDialog("Approve deduction", "−15 for Contestant 1", preview)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.preview.isVisible() and dialog.ok_button.text() == "&Approve"
    assert dialog.findChild(QWidget, "previewAfter") is not None


def test_default_decision_dialog_uses_the_preview_when_given(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, _ = _scored()
    preview = preview_deduction(state, _deduction(A, 15))
    shown: list[object] = []

    def fake_exec(self: PlacementDecisionDialog) -> int:
        shown.append(self)
        return 0  # cancelled

    monkeypatch.setattr(PlacementDecisionDialog, "exec", fake_exec)
    parent = QWidget()
    qtbot.addWidget(parent)
    question = DecisionQuestion("deduction", 7, True, "summary", preview)
    assert ask_decision_dialog(parent, question) is None
    assert len(shown) == 1 and isinstance(shown[0], PlacementDecisionDialog)


def test_requests_panel_asks_with_the_preview_only_when_approving(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    panel = Panel(qtbot, TALLY, deductions=[fake_deduction(1)])
    panel.asker.decision = None  # the user looks at the preview and cancels
    panel.widget.select("deduction", 1)
    qtbot.mouseClick(panel.widget.approve_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.widget.reject_button, Qt.MouseButton.LeftButton)
    approve, reject = panel.asker.questions
    assert approve.preview is not None and approve.preview.kind is ChangeKind.DEDUCTION
    target = fake_deduction(1)
    row = approve.preview.after.row(target.contestant_id)
    assert row is not None and row.deductions == target.amount
    assert reject.preview is None
    assert panel.core.calls == []  # cancelled: nothing sent
