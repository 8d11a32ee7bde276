"""End to end: a category certified through the panels by all four roles, then published.

A real server (subprocess). The organizer assigns two judges and the tally master to
"Variety Talent"; each of judge1, judge2, tally1, auditor1 and board1 has a real
``ClientCore`` and a :class:`CertificationPanel`, and signs with the panel's button.
A judge signing an incomplete sheet gets the server's refusal in the panel; the board
member publishes and every panel shows the ranking; locking shows everywhere.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from scoring_console.client.core import ClientCore
from scoring_console.protocol.entities import CertificationStatus
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.certification_models import COL_STATE, COL_WHO
from scoring_console.ui.certification_panel import CertificationPanel
from tests.helpers.server_process import ServerProcess

from .helpers import eventually, run
from .notifications_fakes import start_core, stop_cores

RECEIPT = re.compile(r"Receipt <code>[0-9a-f]{64}</code>")


class Seat:
    """One user's core, bridge and certification panel."""

    def __init__(self, qtbot: QtBot, core: ClientCore, category_id: int) -> None:
        self.core = core
        self.bridge = CoreBridge(core)
        self.questions: list[str] = []
        self.texts: list[str] = []
        self.panel = CertificationPanel(self.bridge, confirm=self._confirm)
        qtbot.addWidget(self.panel)
        self.panel.set_category(category_id)
        self.panel.show()  # laid out: clicks land on the buttons
        self.receipts: list[str] = []
        self.panel.sign_finished.connect(lambda _c, receipt: self.receipts.append(receipt))

    def _confirm(self, parent: QWidget, title: str, question: str) -> bool:
        self.questions.append(title)
        self.texts.append(question)
        return True

    def status(self) -> str:
        cert = self.core.state.certifications.get(self.panel.category_id or 0)
        return str(cert.status) if cert else str(CertificationStatus.NOT_STARTED)

    async def sign(self, qtbot: QtBot) -> str:
        """Click "Sign my step" once it is enabled; return the receipt (or "" if refused)."""
        await eventually(self.panel.sign_button.isEnabled, 10, "my turn to sign")
        count = len(self.receipts)
        qtbot.mouseClick(self.panel.sign_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: len(self.receipts) > count, 15, "the sign-off's outcome")
        return self.receipts[-1]


async def fill_sheet(judge: ClientCore, category_id: int, base: float) -> None:
    category = judge.state.categories[category_id]
    for n, contestant_id in enumerate(category.contestant_ids):
        for criterion in category.criteria:
            await judge.submit_score(category_id, contestant_id, criterion.id, base + n % 4)
    assert await judge.flush(15), "the sheet did not reach the server"


def test_certification_chain_through_the_panels(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    url = server_process.url

    async def scenario() -> None:
        organizer = await start_core(url, "organizer1", tmp_path)
        variety = next(c for c in organizer.state.categories.values() if c.name == "Variety Talent")
        cores: list[ClientCore] = [organizer]
        try:
            names = ("judge1", "judge2", "tally1", "auditor1", "board1")
            started = await asyncio.gather(*(start_core(url, n, tmp_path) for n in names[:3]))
            for core in started:  # assigned before their snapshot is taken
                assert core.user is not None
                await organizer.assign(core.user.id, variety.id)
            await stop_cores(*started)
            cores.extend(await asyncio.gather(*(start_core(url, n, tmp_path) for n in names)))
            judge1, judge2, tally, auditor, board = (Seat(qtbot, c, variety.id) for c in cores[1:])

            chain = judge1.panel.chain_model
            assert [chain.index(r, COL_STATE).data() for r in range(chain.rowCount())] == [
                "Your turn", "Next", "Waiting", "Waiting", "Waiting",
            ]  # fmt: skip
            assert not tally.panel.sign_button.isEnabled()
            assert board.panel.lock_button.isVisibleTo(board.panel)
            assert judge1.panel.lock_button.isHidden()

            # an incomplete sheet cannot be signed (the server would refuse it): the
            # button waits, and says how many cells are left (one rule with the sheet's)
            assert judge1.panel.sign_button.isVisible()
            assert not judge2.panel.sign_button.isEnabled()
            assert "Fill every cell of the sheet first (12 to go)" in (
                judge2.panel.sign_button.toolTip()
            )

            await asyncio.gather(
                fill_sheet(judge1.core, variety.id, 6.0), fill_sheet(judge2.core, variety.id, 5.5)
            )
            for seat in (judge1, judge2, tally, auditor, board):
                receipt = await seat.sign(qtbot)
                assert re.fullmatch(r"[0-9a-f]{64}", receipt), seat.panel.feedback_label.text()
                assert RECEIPT.search(seat.panel.feedback_label.text())

            for seat in (judge1, judge2, tally, auditor, board):
                await eventually(lambda s=seat: s.status() == "CERTIFIED", 10, "certified")
                assert "Certified" in seat.panel.status_label.text()
            rows = [chain.index(r, COL_WHO).data() for r in range(chain.rowCount())]
            assert rows == [
                "Maria Alvarez", "Kenji Watanabe", "Thomas Becker", "Aisha Khan", "Henrik Larsen",
            ]  # fmt: skip
            assert {chain.index(r, COL_STATE).data() for r in range(5)} == {"Signed"}

            # the board publishes; everyone in the category sees the ranking
            assert board.panel.publish_button.isEnabled()
            published: list[int] = []
            board.panel.results_published.connect(published.append)
            qtbot.mouseClick(board.panel.publish_button, Qt.MouseButton.LeftButton)
            await eventually(lambda: published == [variety.id], 10, "the publish call's answer")
            for seat in (board, judge1, tally):
                await eventually(
                    lambda s=seat: s.panel.results_model.rowCount() == 4, 10, "the ranking"
                )
            # every signer was shown what they sign (category, contest, score count)
            # before anything was queued; the board then confirmed publishing
            assert board.questions[0].startswith("Sign Variety Talent (")
            assert board.questions[-1] == "Publish results"
            assert "covers 24 of 24 scores" in board.texts[0]
            assert "covers 12 of 12 scores" in judge1.texts[-1]
            for seat in (judge1, judge2, tally, auditor, board):
                assert seat.panel.receipt_dialog is not None
                kept = seat.panel.receipt_dialog.saved_path
                assert kept is not None
                assert seat.panel.receipt_dialog.receipt in kept.read_text()
            ranking = judge1.panel.results_model
            assert [ranking.index(r, 0).data() for r in range(4)] == [1, 2, 3, 4]
            assert "Results published" in judge1.panel.published_label.text()
            assert not board.panel.publish_button.isEnabled()

            # locking the contest shows in the judges' panels too
            locked: list[tuple[int, bool]] = []
            board.panel.contest_lock_changed.connect(lambda *args: locked.append(args))
            qtbot.mouseClick(board.panel.lock_button, Qt.MouseButton.LeftButton)
            await eventually(
                lambda: locked or "failed" in board.panel.feedback_label.text(), 10, "lock"
            )
            assert locked == [(variety.contest_id, True)], board.panel.feedback_label.text()
            assert "is locked" in board.panel.contest_label.text()
            await eventually(
                lambda: "is locked" in judge2.panel.contest_label.text(), 10, "locked shown"
            )
        finally:
            await stop_cores(*cores)

    run(qloop, scenario(), timeout=80)
