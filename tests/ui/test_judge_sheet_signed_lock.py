"""Once the judge's own signature is in the category's certification, the sheet locks.

The server refuses every later write to a signed sheet (``locked``); the sheet must
not invite them: cells become read-only and a notice says why. Another judge's
signature does not lock it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from scoring_console.protocol import ServerEvent
from scoring_console.protocol.entities import (
    Certification,
    CertificationSignoff,
    CertificationStatus,
    Contest,
)
from scoring_console.protocol.roles import Role
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.judge_sheet_model import FIRST_CRITERION_COL
from scoring_console.ui.judge_sheet_view import JudgeSheetView

from .judge_input import FAIL_ON_QT_WARNINGS
from .sheet_fakes import SheetFakeCore
from .snapshots import CATEGORY_ID, JUDGES, NOW, make_snapshot

JUDGE_ID = 11
RECEIPT = "ab" * 32

pytestmark = FAIL_ON_QT_WARNINGS


def certification(signers: tuple[int, ...], version: int) -> Certification:
    return Certification(
        category_id=CATEGORY_ID,
        status=CertificationStatus.JUDGES_SIGNING,
        required_judge_ids=list(JUDGES),
        signoffs=[
            CertificationSignoff(
                role=Role.JUDGE,
                user_id=judge,
                user_name=f"Judge {judge}",
                signed_at=NOW,
                receipt=RECEIPT,
            )
            for judge in signers
        ],
        version=version,
        seq=version,
    )


def make_sheet(qtbot: QtBot) -> tuple[JudgeSheetView, SheetFakeCore]:
    core = SheetFakeCore(make_snapshot(user_id=JUDGE_ID, role=Role.JUDGE))
    bridge = CoreBridge(core)  # type: ignore[arg-type]
    sheet = JudgeSheetView(bridge, CATEGORY_ID)
    qtbot.addWidget(sheet)
    sheet.show()
    return sheet, core


def editable(sheet: JudgeSheetView) -> bool:
    flags = sheet.model.flags(sheet.model.index(0, FIRST_CRITERION_COL))
    return bool(flags & Qt.ItemFlag.ItemIsEditable)


def test_own_signature_locks_the_sheet(qtbot: QtBot) -> None:
    sheet, core = make_sheet(qtbot)
    assert editable(sheet) and not sheet.lock_label.isVisibleTo(sheet)

    core.state.apply(ServerEvent.CERTIFICATION_UPDATED, certification((12,), version=1))
    assert editable(sheet), "another judge's signature leaves this sheet editable"
    assert not sheet.model.locked

    core.state.apply(ServerEvent.CERTIFICATION_UPDATED, certification((12, JUDGE_ID), 2))
    assert sheet.receipt == RECEIPT
    assert sheet.model.locked and not editable(sheet)
    assert sheet.lock_label.isVisibleTo(sheet)
    assert "certified" in sheet.lock_label.text().lower()
    assert sheet.model.setData(sheet.model.index(0, FIRST_CRITERION_COL), "5") is False
    assert core.submitted == []

    # a contest update that is not a lock keeps the signed sheet locked
    contest_id = core.state.categories[CATEGORY_ID].contest_id
    contest = core.state.contests[contest_id]
    sheet.on_contest_changed(Contest.model_validate({**contest.model_dump(), "locked": False}))
    assert sheet.model.locked and sheet.lock_label.isVisibleTo(sheet)


def test_sheet_signed_before_opening_is_locked(qtbot: QtBot) -> None:
    core = SheetFakeCore(make_snapshot(user_id=JUDGE_ID, role=Role.JUDGE))
    core.state.apply(ServerEvent.CERTIFICATION_UPDATED, certification((JUDGE_ID,), 1))
    sheet = JudgeSheetView(CoreBridge(core), CATEGORY_ID)  # type: ignore[arg-type]
    qtbot.addWidget(sheet)
    sheet.show()
    assert sheet.model.locked and not editable(sheet)
    assert sheet.lock_label.isVisibleTo(sheet)
