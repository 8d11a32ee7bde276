"""The results screen against a real server: final only, provisional on request (tally
master), follows publication live; full screen on a second screen."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from scoring_console.protocol import ClientEvent
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.results_screen import ResultsScreen, open_results_screen
from tests.client.integration.scoring_helpers import call_as
from tests.helpers.server_process import ServerProcess

from .helpers import eventually, run
from .notifications_fakes import start_core, stop_cores

JUDGES = [f"judge{i}" for i in range(1, 6)]


def _sign(category_id: int) -> tuple[ClientEvent, dict[str, object]]:
    return (
        ClientEvent.CERTIFICATION_SIGN,
        {"clientId": str(uuid.uuid4()), "categoryId": category_id},
    )


async def _judges_score(
    url: str, category_id: int, cells: list[tuple[int, int]], sign: bool
) -> None:
    for i, judge in enumerate(JUDGES):
        entries = [
            {
                "clientId": str(uuid.uuid4()),
                "categoryId": category_id,
                "contestantId": contestant,
                "criterionId": criterion,
                "score": 5.0 + (contestant % 4) + i * 0.25,
            }
            for contestant, criterion in cells
        ]
        calls = [(ClientEvent.SCORES_SUBMIT_BATCH, {"entries": entries})]
        acks = await call_as(url, judge, calls + ([_sign(category_id)] if sign else []))
        assert all(ack["ok"] for ack in acks), acks


def test_results_screen_final_only_provisional_on_request_and_live_publication(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    url = server_process.url

    async def scenario() -> None:
        tally = await start_core(url, "tally1", tmp_path)
        organizer = await start_core(url, "organizer1", tmp_path)
        try:
            category = min(tally.state.categories.values(), key=lambda c: c.id)
            screen = ResultsScreen(CoreBridge(tally), category.id)
            qtbot.addWidget(screen)
            screen.show()
            mc = ResultsScreen(CoreBridge(organizer), category.id)
            qtbot.addWidget(mc)
            assert screen.title.text() == category.name
            contest = tally.state.contests[category.contest_id].name
            assert screen.contest_label.text() == contest  # which contest, on the projector
            assert screen.category_box.currentText() == f"{category.name} ({contest})"
            assert screen.placings == [] and "once they are final" in screen.status.text()
            assert screen.provisional_box.isVisible() and mc.provisional_box.isHidden()

            cells = [(c, k.id) for c in category.contestant_ids for k in category.criteria]
            await _judges_score(url, category.id, cells[:6], sign=False)  # two contestants
            await eventually(lambda: len(tally.state.scores_in(category.id)) == 30, 10, "scores")
            assert screen.placings == []  # still final-only

            qtbot.mouseClick(screen.provisional_box, Qt.MouseButton.LeftButton)
            assert screen.provisional_box.isChecked()
            assert "PROVISIONAL" in screen.status.text()
            # only the two contestants with totals: nobody else is listed with a 0.00
            assert len(screen.placings) == 2
            total = len(category.contestant_ids)
            assert f"2 of {total} contestants have a total" in screen.status.text()
            first = screen.placings[0]
            leader = tally.state.contestants[category.contestant_ids[1]]
            assert (first.rank, first.number, first.name) == (1, str(leader.number), leader.name)
            assert screen.table.item(0, 2).text() == leader.name
            qtbot.mouseClick(screen.provisional_box, Qt.MouseButton.LeftButton)
            assert screen.placings == []

            await _judges_score(url, category.id, cells[6:], sign=True)
            for signer in ("tally1", "auditor1", "board1"):
                (ack,) = await call_as(url, signer, [_sign(category.id)])
                assert ack["ok"], (signer, ack)
            assert mc.placings == []
            (published,) = await call_as(
                url, "organizer1", [(ClientEvent.RESULTS_PUBLISH, {"categoryId": category.id})]
            )
            assert published["ok"], published
            await eventually(lambda: bool(mc.placings), 10, "the MC's screen to show results")
            await eventually(lambda: bool(screen.placings), 10, "the tally's screen")
            assert mc.status.text() == "Final results"
            expected = [(t["rank"], t["displayTotal"]) for t in published["data"]["totals"]]
            assert [(p.rank, p.total) for p in mc.placings] == expected
            assert screen.placings == mc.placings
        finally:
            await stop_cores(tally, organizer)

    run(qloop, scenario(), timeout=120)


def test_opens_full_screen_on_the_second_screen(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    async def scenario() -> None:
        core = await start_core(server_process.url, "tally1", tmp_path)
        try:
            bridge = CoreBridge(core)
            single = open_results_screen(bridge, None)
            qtbot.addWidget(single)
            assert single.isVisible() and not single.isFullScreen()
            primary = QGuiApplication.primaryScreen()
            monkeypatch.setattr(
                QGuiApplication, "screens", staticmethod(lambda: [primary, primary])
            )
            projector = open_results_screen(bridge, None)
            qtbot.addWidget(projector)
            await eventually(projector.isFullScreen, 5, "full screen")
            assert projector.screen() is primary
            qtbot.keyClick(projector, Qt.Key.Key_Escape)
            assert not projector.isFullScreen()
        finally:
            await stop_cores(core)

    run(qloop, scenario(), timeout=60)
