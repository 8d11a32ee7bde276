"""A judge asks for one of their scores to be removed from the sheet's context menu; the
request reaches the server and an admin's console sees it pending."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pytestqt.qtbot import QtBot

from scoring_console.protocol.entities import RequestStatus
from scoring_console.ui.judge_sheet_model import FIRST_CRITERION_COL
from tests.helpers.server_process import ServerProcess

from .consoles import open_console
from .helpers import eventually, run


def test_judge_requests_removal_of_a_stored_score(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    async def scenario() -> None:
        judge = await open_console(server_process.url, "judge1", tmp_path)
        admin = await open_console(server_process.url, "admin", tmp_path)
        try:
            sheet = judge.sheet()
            action = sheet.removal
            asked: list[str] = []
            action.ask_reason = lambda _parent, what: asked.append(what) or "typed 7 not 1"
            sheet.table.setCurrentIndex(sheet.model.index(0, FIRST_CRITERION_COL))
            action.action.trigger()  # nothing stored yet
            assert sheet.message_label.text().startswith("<b>There is no stored score")
            assert asked == []
            person = sheet.model.contestant_at(0)
            criterion = sheet.model.criterion_at(FIRST_CRITERION_COL)
            assert person is not None and criterion is not None
            await judge.core.submit_score(sheet.category_id, person.id, criterion.id, 1)
            await eventually(
                lambda: (
                    judge.core.state.score_for(
                        sheet.category_id, person.id, criterion.id, judge.core.user.id
                    )
                    is not None
                ),
                what="the score stored",
            )
            assert action.action in sheet.table.actions()
            action.action.trigger()
            assert asked and asked[0].startswith(
                f"your {criterion.name} score for #{person.number}"
            )
            await eventually(
                lambda: any(
                    r.reason == "typed 7 not 1" and r.status is RequestStatus.PENDING
                    for r in admin.core.state.removal_requests.values()
                ),
                15,
                "the pending request at the admin",
            )
            assert "requested; an administrator decides" in sheet.message_label.text()
        finally:
            await admin.close()
            await judge.close()

    run(qloop, scenario())
