"""The console's outputs and corrections, end to end against a real server process.

The server holds a finished day (:mod:`tests.export.world`). A judge asks through the
Outputs menu to reopen a signed sheet; the tally master approves in the reopen dialog;
the judge's sheet shows the reason bar, the judge types a reason and a new score from
the keyboard, and the server records both; the score's history opens from the cell.
The tally master previews a printout and exports a PDF from the console.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from scoring_console.export import ReportKind
from scoring_console.protocol.audit import AuditQuery
from scoring_console.protocol.entities import RequestStatus
from scoring_console.protocol.reopen import ReopenRequest
from scoring_console.ui.export_actions import ExportDialog, ReceiptsDialog
from scoring_console.ui.history_view import HistoryDialog
from scoring_console.ui.judge_sheet_model import FIRST_CRITERION_COL
from scoring_console.ui.judge_workspace import JudgeWorkspace
from scoring_console.ui.paper import PaperConfirmDialog, PaperEntryDialog
from scoring_console.ui.reopen import (
    ReopenDecisionsDialog,
    ReopenRequestDialog,
    reopen_consequences,
)
from scoring_console.ui.tally_workspace import TallyWorkspace
from tests.export.conftest import pdf_text
from tests.export.world import World, seed_world
from tests.helpers.server_process import ServerProcess

from .app_sessions import answer_next_question, click_soon
from .consoles import focus, open_console, type_keys
from .helpers import eventually, run


def _yes(_parent: QWidget, *_text: str) -> bool:
    return True


@pytest.fixture
def world_server(tmp_path: Path) -> tuple[ServerProcess, World]:
    world = seed_world(tmp_path / "server")
    proc = ServerProcess(data_dir=tmp_path / "server", demo=False)
    proc.start()
    yield proc, world
    proc.stop()


def test_reopen_request_approval_and_correction_with_a_reason(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    world_server: tuple[ServerProcess, World],
    tmp_path: Path,
) -> None:
    server, world = world_server

    async def scenario() -> None:
        judge = await open_console(server.url, "judge1", tmp_path, confirm=_yes)
        tally = await open_console(server.url, "tally1", tmp_path)
        try:
            # the judge asks, from the Outputs menu
            judge.window.outputs.actions["reopen"].trigger()
            asking = judge.window.findChild(ReopenRequestDialog)
            assert asking is not None
            asking.category_box.setCurrentIndex(asking.category_box.findData(world.dance.id))
            qtbot.keyClicks(asking.reason_edit, "Musicality of #104 is wrong")
            qtbot.mouseClick(asking.send_button, Qt.MouseButton.LeftButton)
            await eventually(lambda: "Request sent" in asking.status_label.text(), 10, "sent")

            # the tally master approves in the reopen dialog
            tally.window.outputs.actions["reopen"].trigger()
            deciding = tally.window.findChild(ReopenDecisionsDialog)
            assert deciding is not None
            await eventually(lambda: "1 pending" in deciding.count_label.text(), 10, "listed")
            assert deciding.model.requests[-1].reason == "Musicality of #104 is wrong"
            await eventually(deciding.isVisible, 5, "the reopen dialog")
            # approving first says what it undoes; "No" changes nothing
            seen: list[str] = []
            answer_next_question(qtbot, QMessageBox.StandardButton.No, seen)
            click_soon(qtbot, deciding.approve_button)
            await eventually(lambda: "Nothing changed" in deciding.status_label.text(), 10, "no")
            assert "1 pending" in deciding.count_label.text()
            assert "Reopen Maria Alvarez's sheet of Contemporary Dance?" in seen[0]
            assert "Maria Alvarez's signature is set aside" in seen[0]
            assert "published results" not in seen[0]  # nothing of dance is published
            answer_next_question(qtbot, QMessageBox.StandardButton.Yes, seen)
            click_soon(qtbot, deciding.approve_button)
            await eventually(lambda: "reopened" in deciding.status_label.text(), 15, "approved")
            await eventually(lambda: "0 pending" in deciding.count_label.text(), 10, "reloaded")

            # the judge's reopened sheet asks for a reason; typed changes carry it
            workspace = judge.window.workspace
            assert isinstance(workspace, JudgeWorkspace)
            sheet = workspace.show_category(world.dance.id)
            bar = sheet.reason_bar  # type: ignore[attr-defined]
            await eventually(bar.isVisible, 10, "the reason bar")
            await focus(bar.edit)
            type_keys("Corrected from the video")
            sheet.table.setCurrentIndex(sheet.model.index(3, FIRST_CRITERION_COL + 2))
            await focus(sheet.table)
            type_keys("9\n")

            async def corrected() -> list[object]:
                page = await tally.core.audit_history(
                    AuditQuery(category_id=world.dance.id, action="score.updated")
                )
                return [e for e in page.entries if e.reason == "Corrected from the video"]

            found: list[object] = []

            async def wait_corrected() -> None:
                while not found:
                    found.extend(await corrected())
                    await asyncio.sleep(0.1)

            await asyncio.wait_for(wait_corrected(), 15)

            # the history of that score, from the cell's context menu
            sheet.table.setCurrentIndex(sheet.model.index(3, FIRST_CRITERION_COL + 2))
            history_action = next(
                a for a in sheet.table.actions() if a.objectName() == "scoreHistoryAction"
            )
            history_action.trigger()
            dialog = judge.window.findChild(HistoryDialog)
            assert dialog is not None
            await eventually(lambda: dialog.model.rowCount() >= 2, 10, "the score's history")
            reasons = [e.reason for e in dialog.model.entries]
            assert "Corrected from the video" in reasons
            assert {e.entity_id for e in dialog.model.entries} == {
                dialog.model.entries[0].entity_id
            }
            dialog.close()
        finally:
            await judge.close()
            await tally.close()

    run(qloop, scenario(), timeout=120)


def test_print_preview_export_and_receipts(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    world_server: tuple[ServerProcess, World],
    tmp_path: Path,
) -> None:
    server, world = world_server

    async def scenario() -> None:
        tally = await open_console(server.url, "tally1", tmp_path)
        try:
            outputs = tally.window.outputs
            assert tally.tally().category_id == world.vocal.id
            previews: list[QPrintPreviewDialog] = []
            outputs.preview_opened.connect(previews.append)
            outputs.actions["print:results"].trigger()
            await eventually(lambda: previews, 15, "the print preview")
            assert "Results — Vocal Performance" in previews[0].windowTitle()
            previews[0].close()

            exported: list[str] = []
            outputs.exported.connect(exported.append)
            outputs.actions["export"].trigger()
            dialog = tally.window.findChild(ExportDialog)
            assert dialog is not None
            # which category is exported, and a file name that says it
            contest = tally.core.state.contests[world.vocal.contest_id].name
            assert dialog.category_label.text() == f"Vocal Performance ({contest})"
            assert dialog.suggested_name(ReportKind.RESULTS, "pdf") == (
                f"Results - Vocal Performance ({contest}).pdf"
            )
            assert dialog.suggested_name(ReportKind.SHEETS, "csv") == (
                f"Score sheets - Vocal Performance ({contest}).csv"
            )
            target = tmp_path / "sheets.pdf"
            dialog.write(ReportKind.SHEETS, target)
            await eventually(lambda: exported, 20, "the export")
            text = pdf_text(target)
            assert "Score sheet — Maria Alvarez" in text and world.receipts["judge1"] in text
            dialog.close()

            # reopening a published category: the question names what it undoes
            judge1 = next(
                a for a in tally.core.state.assignments.values() if a.user_name == "Maria Alvarez"
            )
            request = ReopenRequest(
                id=99,
                client_id=str(uuid.uuid4()),
                category_id=world.vocal.id,
                judge_id=judge1.user_id,
                judge_name="Maria Alvarez",
                reason="typo",
                status=RequestStatus.PENDING,
                created_at=datetime.now(UTC),
            )
            question = reopen_consequences(tally.core.state, request)
            assert "Reopen Maria Alvarez's sheet of Vocal Performance?" in question
            assert "(tally master)" in question and "(auditor)" in question
            assert "(board)" in question
            assert "published results are withdrawn" in question

            outputs.actions["receipts"].trigger()
            receipts = tally.window.findChild(ReceiptsDialog)
            assert receipts is not None
            texts = [label.text() for label in receipts.labels]
            assert len(texts) == 8 and all("matches the server" in t for t in texts)
            receipts.close()
        finally:
            await tally.close()

    run(qloop, scenario(), timeout=120)


def test_paper_sheet_typed_in_by_the_tally_master_and_confirmed_by_the_auditor(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    world_server: tuple[ServerProcess, World],
    tmp_path: Path,
) -> None:
    server, world = world_server

    async def scenario() -> None:
        tally = await open_console(server.url, "tally1", tmp_path)
        auditor = await open_console(server.url, "auditor1", tmp_path)
        try:
            workspace = tally.window.workspace
            assert isinstance(workspace, TallyWorkspace)
            workspace.tabs.setCurrentWidget(workspace.views[world.dance.id])
            tally.window.outputs.actions["paper-enter"].trigger()
            entering = tally.window.findChild(PaperEntryDialog)
            assert entering is not None
            entering.judge_box.setCurrentIndex(entering.judge_box.findText("Kenji Watanabe"))
            await eventually(entering.isVisible, 5, "the paper dialog")
            entering.table.setCurrentIndex(entering.model.index(0, 0))
            await focus(entering.table)
            type_keys("6.5\t7\t7.5\t")
            await eventually(lambda: len(entering.model.entries()) == 3, 5, "three boxes")
            qtbot.keyClicks(entering.note_edit, "tablet failed")
            qtbot.mouseClick(entering.send_button, Qt.MouseButton.LeftButton)
            await eventually(lambda: "Sent: 3 scores" in entering.status_label.text(), 10, "sent")

            workspace = auditor.window.workspace
            assert isinstance(workspace, TallyWorkspace)
            workspace.tabs.setCurrentWidget(workspace.views[world.dance.id])
            auditor.window.outputs.actions["paper-confirm"].trigger()
            confirming = auditor.window.findChild(PaperConfirmDialog)
            assert confirming is not None
            await eventually(lambda: "1 to confirm" in confirming.count_label.text(), 10, "listed")
            await eventually(confirming.isVisible, 5, "the confirm dialog")
            qtbot.mouseClick(confirming.confirm_button, Qt.MouseButton.LeftButton)
            await eventually(lambda: "confirmed" in confirming.status_label.text(), 10, "confirmed")

            judge2 = next(
                a.user_id
                for a in tally.core.state.assignments.values()
                if a.user_name == "Kenji Watanabe"
            )
            await eventually(
                lambda: (
                    sorted(
                        s.score or 0
                        for s in tally.core.state.scores_in(world.dance.id)
                        if s.judge_id == judge2
                    )
                    == [6.5, 7.0, 7.5]
                ),
                10,
                "the confirmed scores on the tally master's console",
            )
        finally:
            await tally.close()
            await auditor.close()

    run(qloop, scenario(), timeout=120)
