"""The tally master's console against a real server: an outlier flag shows live, is
cleared from the breakdown with a note (then the tally may sign); a manual tie is
ordered from the console and the server ranks by it."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QTableView, QWidget
from pytestqt.qtbot import QtBot

from scoring_console.protocol import ClientEvent
from scoring_console.protocol.entities import Contestant, OutlierAction
from scoring_console.protocol.scoring import ScoringRules, rules_in_words
from scoring_console.ui.tally_table_model import FIRST_JUDGE_COL
from scoring_console.ui.tie_decision_dialog import TieOrder
from tests.client.integration.scoring_helpers import call_as
from tests.helpers import postgres
from tests.helpers.server_process import ServerProcess

from .consoles import open_console
from .helpers import eventually, run

JUDGES = [f"judge{i}" for i in range(1, 6)]


def click(qtbot: QtBot, table: QTableView, index: QModelIndex) -> None:
    """Click a table cell where a user would."""
    table.scrollTo(index)
    rect = table.visualRect(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


async def fill(url: str, category_id: int, value_of: dict[int, float], odd: float | None) -> None:
    """Every judge scores every cell; ``value_of`` by contestant; judge5's first cell odd."""
    (snap,) = await call_as(url, "tally1", [(ClientEvent.SYNC, {})])
    category = next(c for c in snap["data"]["categories"] if c["id"] == category_id)
    for judge in JUDGES:
        entries = [
            {
                "clientId": str(uuid.uuid4()),
                "categoryId": category_id,
                "contestantId": contestant,
                "criterionId": criterion["id"],
                "score": value_of.get(contestant, 5.0),
            }
            for contestant in category["contestantIds"]
            for criterion in category["criteria"]
        ]
        if odd is not None and judge == "judge5":
            entries[0]["score"] = odd
        sign = (ClientEvent.CERTIFICATION_SIGN, {"clientId": str(uuid.uuid4()),
                                                  "categoryId": category_id})  # fmt: skip
        acks = await call_as(
            url, judge, [(ClientEvent.SCORES_SUBMIT_BATCH, {"entries": entries}), sign]
        )
        assert all(a["ok"] for a in acks), acks


async def score_and_open_breakdown(
    qtbot: QtBot, url: str, view: Any, judge: str, value: float, comment: str | None = None
) -> tuple[dict[str, Any], dict[str, Any], QModelIndex]:
    """``judge`` scores the first contestant's first criterion; the tally master clicks
    that judge's cell in the tally. The judge's user info, the stored score's ack and the
    score's cell in the breakdown."""
    state = view.bridge.core.state
    contestant = state.categories[view.category_id].contestant_ids[0]
    criterion = state.categories[view.category_id].criteria[0]
    (snap,) = await call_as(url, judge, [(ClientEvent.SYNC, {})])
    user = snap["data"]["user"]
    submit = {
        "clientId": str(uuid.uuid4()),
        "categoryId": view.category_id,
        "contestantId": contestant,
        "criterionId": criterion.id,
        "score": value,
        **({"comment": comment} if comment else {}),
    }
    (stored,) = await call_as(url, judge, [(ClientEvent.SCORES_SUBMIT, submit)])
    assert stored["ok"], stored
    await eventually(
        lambda: state.score_for(view.category_id, contestant, criterion.id, user["id"]),
        10,
        "the score on the tally master's screen",
    )
    column = FIRST_JUDGE_COL + view.model.judges.index(user["id"])
    click(qtbot, view.table, view.model.index(view.model.row_of(contestant), column))
    await eventually(lambda: view.review.model.contestant_id == contestant)
    breakdown = view.review.model
    judge_column = next(
        c
        for c in range(breakdown.columnCount())
        if breakdown.cell_at(breakdown.index(0, c)) == (criterion.id, user["id"])
    )
    return user, stored, breakdown.index(0, judge_column)


def test_outlier_flag_cleared_from_the_breakdown_lets_the_tally_sign(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    url = server_process.url

    async def scenario() -> None:
        console = await open_console(url, "tally1", tmp_path)
        try:
            view = console.tally()
            # names and rules are shown as text: "judges' totals", not "judges&#x27; totals"
            category = console.core.state.categories[view.category_id]
            assert view.rules_label.textFormat() == Qt.TextFormat.PlainText
            assert view.rules_label.text() == rules_in_words(category)
            assert "judges' totals" in view.rules_label.text()
            await fill(url, view.category_id, {}, odd=1.0)
            await eventually(lambda: len(view.model.open_flags) == 1, 15, "the flag to show")
            assert "1 outlier flag(s) open" in view.review.flags_label.text()
            flag = view.model.open_flags[0]
            sign = (ClientEvent.CERTIFICATION_SIGN, {"clientId": str(uuid.uuid4()),
                                                      "categoryId": view.category_id})  # fmt: skip
            (refused,) = await call_as(url, "tally1", [sign])
            assert refused["error"]["code"] == "precondition_failed"

            row = view.model.row_of(flag.contestant_id)
            column = FIRST_JUDGE_COL + view.model.judges.index(flag.judge_id)
            click(qtbot, view.table, view.model.index(row, column))
            await eventually(lambda: view.review.model.contestant_id == flag.contestant_id)
            breakdown = view.review.model
            criteria = console.core.state.categories[view.category_id].criteria
            criterion_row = [c.id for c in criteria].index(flag.criterion_id)
            wanted = (flag.criterion_id, flag.judge_id)
            judge_column = next(
                c
                for c in range(breakdown.columnCount())
                if breakdown.cell_at(breakdown.index(criterion_row, c)) == wanted
            )
            click(qtbot, view.review.table, breakdown.index(criterion_row, judge_column))
            assert view.review.clear_button.isEnabled() and view.review.ask_button.isEnabled()
            notes: list[str] = []

            def ask_note(_parent: QWidget, title: str) -> str:
                notes.append(title)
                return "Judge confirmed the 1 on the phone"

            view.review.ask_note = ask_note
            finished: list[bool] = []
            view.review.review_finished.connect(finished.append)
            qtbot.mouseClick(view.review.clear_button, Qt.MouseButton.LeftButton)
            await eventually(lambda: finished, 10, "the review's answer")
            assert finished == [True] and notes == ["Clear the outlier flag"]
            await eventually(lambda: not view.model.open_flags, 10, "the flag to close")
            assert view.review.flags_label.text() == "No outlier flags open."
            reviews = list(console.core.state.outlier_reviews.values())
            assert [(r.action, r.note) for r in reviews] == [
                (OutlierAction.CLEAR, "Judge confirmed the 1 on the phone")
            ]
            (signed,) = await call_as(url, "tally1", [sign])
            assert signed["ok"], signed
        finally:
            await console.close()

    run(qloop, scenario(), timeout=120)


def test_manual_tie_is_ordered_from_the_console(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    url = server_process.url
    with postgres.connect_to(server_process.data_dir) as conn:
        conn.execute(
            "UPDATE categories SET scoring = ?",
            (ScoringRules(tie_break=["manual"]).to_json_text(),),
        )

    async def scenario() -> None:
        console = await open_console(url, "tally1", tmp_path)
        try:
            view = console.tally()
            ids = console.core.state.categories[view.category_id].contestant_ids
            a, b = ids[0], ids[1]
            values = {c: 4.0 + i * 0.5 for i, c in enumerate(ids)}  # distinct but for a, b
            await fill(url, view.category_id, {**values, a: 9.0, b: 9.0}, odd=None)
            await eventually(
                lambda: view.model.result is not None and view.model.result.open_ties, 15, "the tie"
            )
            assert view.review.tie_button.isVisible()
            offered: list[list[int]] = []

            def ask_order(_parent: QWidget, _category: str, tied: list[Contestant]) -> TieOrder:
                offered.append([c.id for c in tied])
                return TieOrder([b, a], "Better crowd response")

            view.review.ask_tie_order = ask_order
            finished: list[bool] = []
            view.review.review_finished.connect(finished.append)
            qtbot.mouseClick(view.review.tie_button, Qt.MouseButton.LeftButton)
            await eventually(lambda: finished, 10, "the decision's answer")
            assert finished == [True] and offered == [[a, b]]
            await eventually(lambda: view.model.result.ranks()[a] == 2, 10, "the new order")  # type: ignore[union-attr]
            assert view.model.result.ranks()[b] == 1  # type: ignore[union-attr]
            assert view.model.index(view.model.row_of(b), view.model.rank_col).data() == "1"
            assert not view.review.tie_button.isVisible()
            click(qtbot, view.table, view.model.index(view.model.row_of(b), 1))
            await eventually(lambda: "Better crowd response" in view.review.caption.text())
            assert "tie broken by the tally master's order" in view.review.caption.text()
            (totals,) = await call_as(
                url, "tally1", [(ClientEvent.TOTALS_REQUEST, {"categoryId": view.category_id})]
            )
            ranks = {
                t["contestantId"]: (t["rank"], t["tieBreak"]) for t in totals["data"]["totals"]
            }
            assert ranks[b] == (1, "manual") and ranks[a] == (2, "manual")
        finally:
            await console.close()

    run(qloop, scenario(), timeout=120)


def test_tally_master_requests_a_score_removal_from_the_breakdown(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    url = server_process.url

    async def scenario() -> None:
        console = await open_console(url, "tally1", tmp_path)
        try:
            view = console.tally()
            state = console.core.state
            contestant = state.categories[view.category_id].contestant_ids[0]
            criterion = state.categories[view.category_id].criteria[0]
            judge, stored, cell = await score_and_open_breakdown(qtbot, url, view, "judge2", 7.5)
            click(qtbot, view.review.table, cell)
            assert view.review.removal_button.isEnabled()
            titles: list[str] = []

            def ask_note(_parent: QWidget, title: str) -> str:
                titles.append(title)
                return "Entered for the wrong contestant"

            view.review.ask_note = ask_note
            qtbot.mouseClick(view.review.removal_button, Qt.MouseButton.LeftButton)
            await eventually(
                lambda: any(r.status.value == "PENDING" for r in state.removal_requests.values()),
                10,
                "the pending removal from the server",
            )
            (request,) = state.removal_requests.values()
            assert request.score_id == stored["data"]["id"]
            assert request.reason == "Entered for the wrong contestant"
            assert request.requested_by == state.user.id  # type: ignore[union-attr]
            name = state.contestants[contestant].name
            assert len(titles) == 1 and criterion.name in titles[0] and name in titles[0]
            assert judge["name"] in titles[0]  # the judge's name, never an id
            assert "requested; the score counts" in view.review.message.text()
        finally:
            await console.close()

    run(qloop, scenario(), timeout=120)


def test_judges_comment_shows_in_the_breakdown(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    """A far-off score with the judge's comment: the tally master reads why before clearing."""
    url = server_process.url

    async def scenario() -> None:
        console = await open_console(url, "tally1", tmp_path)
        try:
            view = console.tally()
            state = console.core.state
            criterion = state.categories[view.category_id].criteria[0]
            judge, _stored, cell = await score_and_open_breakdown(
                qtbot, url, view, "judge3", 2.0, "Stopped singing halfway, restarted"
            )
            breakdown = view.review.model
            judge_column = cell.column()
            await eventually(lambda: cell.data() == "2 ✎", 5, "the score marked as commented")
            assert "Stopped singing halfway" in cell.data(Qt.ItemDataRole.ToolTipRole)
            other = breakdown.index(1, judge_column)  # no score there: no comment
            click(qtbot, view.review.table, other)
            await eventually(lambda: not view.review.comment_label.isVisible(), 5, "no comment")
            click(qtbot, view.review.table, cell)
            await eventually(view.review.comment_label.isVisible, 5, "the comment under the table")
            assert view.review.comment_label.text() == (
                f"{judge['name']}'s comment on {criterion.name}: Stopped singing halfway, restarted"
            )
        finally:
            await console.close()

    run(qloop, scenario(), timeout=120)


def test_no_total_is_shown_before_a_judge_total_counts(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    """Scores in but no judge's sheet row complete: "–", not a "0.00" ranked last."""
    url = server_process.url

    async def scenario() -> None:
        console = await open_console(url, "tally1", tmp_path)
        try:
            view = console.tally()
            category = console.core.state.categories[view.category_id]
            contestant = category.contestant_ids[0]
            model = view.model
            expected = len(model.judges) * len(category.criteria)

            def submit(criterion_id: int, score: float) -> tuple[str, dict[str, object]]:
                return (
                    ClientEvent.SCORES_SUBMIT,
                    {
                        "clientId": str(uuid.uuid4()),
                        "categoryId": view.category_id,
                        "contestantId": contestant,
                        "criterionId": criterion_id,
                        "score": score,
                    },
                )

            first, *rest = category.criteria
            acks = await call_as(url, "judge1", [submit(first.id, 8.0)])
            assert acks[0]["ok"], acks
            row = model.row_of(contestant)
            total, rank = model.index(row, model.total_col), model.index(row, model.rank_col)
            await eventually(lambda: rank.data() == f"– · 1 of {expected}", 10, "the score in")
            assert total.data() == "–"
            assert "no judge total counts" in total.data(Qt.ItemDataRole.ToolTipRole)
            click(qtbot, view.table, model.index(row, 1))
            await eventually(lambda: view.review.model.contestant_id == contestant)
            assert view.review.caption.text().startswith("No total yet: no judge has scored")
            assert "rank" not in view.review.caption.text()

            acks = await call_as(url, "judge1", [submit(c.id, 7.0) for c in rest])
            assert all(a["ok"] for a in acks), acks
            done = len(category.criteria)
            await eventually(lambda: rank.data().endswith(f" · {done} of {expected}"), 10, "in")
            assert total.data() not in ("–", "")
            assert rank.data().startswith("1")
        finally:
            await console.close()

    run(qloop, scenario(), timeout=120)
