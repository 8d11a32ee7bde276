"""Corrections asked for after signatures, as the tally master meets them (real server).

Once a judge has signed, the tally master's "Request removal…" on that judge's score
says at once why it cannot be removed and how the score is corrected instead (the judge
asks to reopen, the tally master approves), without asking for a reason first. Once the
tally master has signed, a deduction request is refused with a sentence that says the
category is signed and who acts, not "the contest is locked; ask the organizer to
unlock it" (nothing is locked).
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from scoring_console.protocol import ClientEvent
from scoring_console.ui.requests_dialogs import DeductionDraft
from scoring_console.ui.tally_table_model import FIRST_JUDGE_COL
from scoring_console.ui.tally_workspace import TallyWorkspace
from tests.client.integration.scoring_helpers import call_as
from tests.helpers.server_process import ServerProcess

from .app_sessions import closing, start_app
from .helpers import eventually, run
from .test_tally_review_live import click, fill


def test_signed_scores_say_how_they_are_corrected(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    url = server_process.url

    async def scenario() -> None:
        tally = await start_app(url, "tally1", tmp_path)
        async with closing(tally):
            workspace = tally.window.workspace
            assert isinstance(workspace, TallyWorkspace)
            view = workspace.current_view()
            assert view is not None
            state = tally.core.state
            await fill(url, view.category_id, {}, odd=None)  # every judge scores and signs
            category = state.categories[view.category_id]
            await eventually(
                lambda: (
                    len(state.scores_in(category.id))
                    == 5 * len(category.contestant_ids) * len(category.criteria)
                ),
                15,
                "every score on the tally master's screen",
            )
            await eventually(
                lambda: state.certifications[category.id].status.value == "JUDGES_SIGNED",
                15,
                "the judges' signatures",
            )

            # a signed judge's score: told why and how, no reason asked for
            judge_id = view.model.judges[1]
            contestant = category.contestant_ids[0]
            column = FIRST_JUDGE_COL + 1
            click(qtbot, view.table, view.model.index(view.model.row_of(contestant), column))
            await eventually(lambda: view.review.model.contestant_id == contestant)
            breakdown = view.review.model
            judge_column = next(
                c
                for c in range(breakdown.columnCount())
                if breakdown.cell_at(breakdown.index(0, c)) == (category.criteria[0].id, judge_id)
            )
            click(qtbot, view.review.table, breakdown.index(0, judge_column))
            await eventually(view.review.removal_button.isEnabled, 5, "a score selected")
            asked: list[str] = []

            def ask_note(_parent: QWidget, title: str) -> str:
                asked.append(title)
                return "wrong row"

            view.review.ask_note = ask_note
            qtbot.mouseClick(view.review.removal_button, Qt.MouseButton.LeftButton)
            judge = view.model.judge_name(judge_id)
            text = view.review.message.text()
            assert asked == [] and not state.removal_requests
            assert f"cannot be removed: {judge} has signed this sheet" in text, text
            assert f"{judge} asks to reopen the sheet" in text
            assert "Outputs → Reopen requests…" in text

            # the tally master signs; a deduction asked for afterwards is refused plainly
            sign = (ClientEvent.CERTIFICATION_SIGN, {"clientId": str(uuid.uuid4()),
                                                      "categoryId": category.id})  # fmt: skip
            (signed,) = await call_as(url, "tally1", [sign])
            assert signed["ok"], signed
            await eventually(
                lambda: state.certifications[category.id].status.value == "TALLY_SIGNED",
                10,
                "the tally master's signature",
            )
            panel = tally.window.requests_panel
            tally.window.requests_dock.raise_()
            await eventually(panel.request_button.isVisible, 5, "the requests dock")

            def ask_deduction(
                _parent: QWidget, _c: object, _k: object, _selected: int | None
            ) -> DeductionDraft:
                return DeductionDraft(category.id, contestant, 1.0, "Late entrance")

            panel.ask_deduction = ask_deduction
            qtbot.mouseClick(panel.request_button, Qt.MouseButton.LeftButton)
            await eventually(lambda: "refused" in panel.feedback_label.text(), 15, "the refusal")
            refusal = panel.feedback_label.text()
            assert f"the tally master has signed {category.name}" in refusal, refusal
            assert "reopened (the judge asks; the tally master or an admin approves)" in refusal
            assert "unlock" not in refusal and "TALLY_SIGNED" not in refusal

    run(qloop, scenario(), timeout=120)
