"""Outlier flags and manual tie decisions over real Socket.IO against a real server."""

from __future__ import annotations

from scoring_console.protocol.scoring import ScoringRules
from tests.helpers import postgres
from tests.helpers.sio_client import SioClient, new_client_id
from tests.server.integration.conftest import Live
from tests.server.integration.util import submit

JUDGES = [f"judge{i}" for i in range(1, 6)]


async def _fill(live: Live, judges: list[SioClient], odd: float | None = None) -> None:
    """Every judge scores every cell 8; judge5 gives ``odd`` for the first cell."""
    layout = await live.layout()
    for judge in judges:
        entries = [submit(layout.cat1, cell, 8.0) for cell in layout.cat1.cells]
        if odd is not None and judge is judges[-1]:
            entries[0]["score"] = odd
        batch = await judge.ok("scores:submit-batch", {"entries": entries})
        assert all(item["ok"] for item in batch["results"])


async def _judges_sign(live: Live, judges: list[SioClient]) -> None:
    layout = await live.layout()
    for judge in judges:
        await judge.ok(
            "certification:sign", {"clientId": new_client_id(), "categoryId": layout.cat1.id}
        )


async def test_open_outlier_flag_refuses_the_tally_signature_until_cleared(live: Live) -> None:
    layout = await live.layout()
    judges = [await live.connect(name) for name in JUDGES]
    tally = await live.connect("tally1")
    auditor = await live.connect("auditor1")
    await _fill(live, judges, odd=1.0)
    await _judges_sign(live, judges)
    contestant, criterion = layout.cat1.cells[0]
    snap = await tally.sync()
    contestant_name = next(c["name"] for c in snap["contestants"] if c["id"] == contestant)
    criterion_name = next(k["name"] for k in layout.cat1.criteria if k["id"] == criterion)

    sign = {"clientId": new_client_id(), "categoryId": layout.cat1.id}
    error = await tally.error("certification:sign", sign)
    assert error["code"] == "precondition_failed"
    assert contestant_name in error["message"] and criterion_name in error["message"]
    assert error["details"]["openFlags"] == [
        {"contestantId": contestant, "criterionId": criterion, "judgeId": judges[-1].user_id}
    ]

    review = {
        "clientId": new_client_id(),
        "categoryId": layout.cat1.id,
        "contestantId": contestant,
        "criterionId": criterion,
        "judgeId": judges[-1].user_id,
        "action": "ask_judge",
        "note": "Please confirm the 1",
    }
    await tally.ok("outliers:review", review)
    note = await judges[-1].events.wait_for(
        "notification", lambda n: n["title"] == "Please check a score"
    )
    assert "Please confirm the 1" in note["message"] and criterion_name in note["message"]
    assert judges[0].events.get("notification") == []  # only the judge concerned
    await auditor.events.wait_for("outliers:reviewed", lambda r: r["action"] == "ask_judge")
    assert (await tally.error("certification:sign", sign))["code"] == "precondition_failed"

    cleared = await tally.ok(
        "outliers:review",
        {**review, "clientId": new_client_id(), "action": "clear", "note": "Judge confirmed"},
    )
    assert cleared["scoreVersion"] == 1
    signed = await tally.ok("certification:sign", sign)
    assert signed["certification"]["status"] == "TALLY_SIGNED"
    assert len((await tally.sync())["outlierReviews"]) == 2


async def test_manual_tie_decision_is_stored_broadcast_and_ranks(live: Live) -> None:
    layout = await live.layout()
    with postgres.connect_to(live.data_dir) as conn:
        conn.execute(
            "UPDATE categories SET scoring = ? WHERE id = ?",
            (ScoringRules(tie_break=["manual"]).to_json_text(), layout.cat1.id),
        )
    judges = [await live.connect(name) for name in JUDGES]
    tally = await live.connect("tally1")
    board = await live.connect("board1")
    await _fill(live, judges)
    a, b = layout.cat1.contestant_ids[:2]
    totals = await tally.ok("totals:request", {"categoryId": layout.cat1.id})
    assert {t["rank"] for t in totals["totals"]} == {1}  # everyone equal

    order = list(reversed(layout.cat1.contestant_ids))
    decision = await tally.ok(
        "ties:decide",
        {
            "clientId": new_client_id(),
            "categoryId": layout.cat1.id,
            "contestantIds": order,
            "reason": "Crowned by the panel's vote",
        },
    )
    assert decision["contestantIds"] == order and decision["decidedBy"] == tally.user_id
    await board.events.wait_for("ties:decided", lambda d: d["id"] == decision["id"])
    totals = await tally.ok("totals:request", {"categoryId": layout.cat1.id})
    ranks = {t["contestantId"]: t["rank"] for t in totals["totals"]}
    assert ranks[order[0]] == 1 and ranks[b] == len(order) - 1 and ranks[a] == len(order)
    assert all(t["tieBreak"] == "manual" for t in totals["totals"])
    assert (await tally.sync())["tieDecisions"][0]["reason"] == "Crowned by the panel's vote"
    judge_error = await judges[0].error(
        "ties:decide",
        {"clientId": new_client_id(), "categoryId": layout.cat1.id, "contestantIds": [a, b],
         "reason": "no"},
    )  # fmt: skip
    assert judge_error["code"] == "forbidden"
