"""Edge cases: concurrent replays, references to missing things, size limit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.helpers.sio_client import new_client_id
from tests.server.integration.conftest import Live

pytestmark = pytest.mark.asyncio(loop_scope="module")

MISSING = 987_654


def submit(category_id: int, cell: tuple[int, int], value: float) -> dict[str, Any]:
    return {
        "clientId": new_client_id(),
        "categoryId": category_id,
        "contestantId": cell[0],
        "criterionId": cell[1],
        "score": value,
    }


async def test_concurrent_replays_of_one_client_id_store_one_score(shared_live: Live) -> None:
    layout = await shared_live.layout()
    conns = [await shared_live.connect("judge4", fresh_login=True) for _ in range(4)]
    tally = await shared_live.connect("tally1")
    payload = submit(layout.cat2.id, layout.cat2.cells[0], 4.5)
    acks = await asyncio.gather(
        *(conn.call("scores:submit", dict(payload)) for conn in conns for _ in range(5))
    )
    assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]][:3]
    assert len({(a["data"]["id"], a["data"]["version"]) for a in acks}) == 1, acks[:3]
    stored = [s for s in (await tally.sync())["scores"] if s["clientId"] == payload["clientId"]]
    assert len(stored) == 1 and stored[0]["version"] == 1


async def test_concurrent_edits_of_one_cell_get_distinct_versions(shared_live: Live) -> None:
    layout = await shared_live.layout()
    conns = [await shared_live.connect("judge4", fresh_login=True) for _ in range(4)]
    cell = layout.cat2.cells[1]
    acks = await asyncio.gather(
        *(
            conn.call("scores:submit", submit(layout.cat2.id, cell, i))
            for i, conn in enumerate(conns)
        )
    )
    assert all(a["ok"] for a in acks), acks
    assert len({a["data"]["id"] for a in acks}) == 1
    versions = sorted(a["data"]["version"] for a in acks)
    assert versions == list(range(versions[0], versions[0] + len(conns))), versions


async def test_references_to_missing_things_are_not_found(shared_live: Live) -> None:
    layout = await shared_live.layout()
    organizer = await shared_live.connect("organizer1")
    admin = await shared_live.connect("admin")
    tally = await shared_live.connect("tally1")
    judge = await shared_live.connect("judge1")
    cases = [
        (tally, "scores:request", {"categoryId": MISSING}),
        (tally, "totals:request", {"categoryId": MISSING}),
        (organizer, "results:publish", {"categoryId": MISSING}),
        (organizer, "contest:lock", {"contestId": MISSING, "locked": True}),
        (organizer, "assignment:created", {"userId": MISSING, "categoryId": layout.cat1.id}),
        (organizer, "assignment:created", {"userId": judge.user_id, "categoryId": MISSING}),
        (organizer, "assignment:removed", {"userId": judge.user_id, "categoryId": layout.cat3.id}),
        (admin, "score:removal-decide", {"requestId": MISSING, "approve": True}),
        (tally, "deduction:decide", {"deductionId": MISSING, "approve": True}),
        (
            judge,
            "score:removal-requested",
            {"clientId": new_client_id(), "scoreId": MISSING, "reason": "x"},
        ),
        (tally, "certification:sign", {"clientId": new_client_id(), "categoryId": MISSING}),
        (
            organizer,
            "deduction:requested",
            {
                "clientId": new_client_id(),
                "categoryId": MISSING,
                "contestantId": layout.cat1.contestant_ids[0],
                "amount": 1,
                "reason": "x",
            },
        ),
    ]
    for client, event, payload in cases:
        err = await client.error(event, payload)
        assert err["code"] == "not_found", (event, payload, err)


async def test_assignment_rules(shared_live: Live) -> None:
    layout = await shared_live.layout()
    organizer = await shared_live.connect("organizer1")
    judge = await shared_live.connect("judge1")
    auditor_id = (await shared_live.login("auditor1")).user_id
    # only judges and tally masters can be assigned
    err = await organizer.error(
        "assignment:created", {"userId": auditor_id, "categoryId": layout.cat3.id}
    )
    assert err["code"] not in {"internal", "forbidden"}, err
    # an existing assignment is not duplicated
    ack = await organizer.call(
        "assignment:created", {"userId": judge.user_id, "categoryId": layout.cat1.id}
    )
    assert ack["ok"] or ack["error"]["code"] == "conflict", ack
    snap = await organizer.sync()
    rows = [
        a
        for a in snap["assignments"]
        if a["userId"] == judge.user_id and a["categoryId"] == layout.cat1.id
    ]
    assert len(rows) == 1, rows


async def test_valid_but_oversized_batch_is_refused(shared_live: Live) -> None:
    """200 entries with 500-char comments pass the model but exceed the 64 KiB limit."""
    layout = await shared_live.layout()
    judge = await shared_live.connect("judge5", fresh_login=True)
    tally = await shared_live.connect("tally1")
    cells = layout.cat1.cells
    entries = [
        dict(submit(layout.cat1.id, cells[i % len(cells)], 1), comment="c" * 500)
        for i in range(200)
    ]
    call = asyncio.ensure_future(judge.call("scores:submit-batch", {"entries": entries}))
    dropped = asyncio.ensure_future(judge.disconnected.wait())
    done, _ = await asyncio.wait({call, dropped}, return_when=asyncio.FIRST_COMPLETED)
    ack = call.result() if call in done else None
    for task in (call, dropped):
        task.cancel()
    if ack is not None:
        assert ack["ok"] is False, "a payload over max_payload_bytes was accepted"
        assert ack["error"]["code"] == "validation_error", ack
    client_ids = {e["clientId"] for e in entries}
    stored = [s for s in (await tally.sync())["scores"] if s["clientId"] in client_ids]
    assert not stored, f"{len(stored)} scores of the oversized batch were stored"


async def test_tally_master_scope_is_assigned_categories_only(shared_live: Live) -> None:
    layout = await shared_live.layout()
    cat3 = layout.cat3
    organizer = await shared_live.connect("organizer1")
    tally = await shared_live.connect("tally1")
    auditor = await shared_live.connect("auditor1")
    judge = await shared_live.connect("judge3")
    await organizer.ok("assignment:created", {"userId": judge.user_id, "categoryId": cat3.id})
    score = await judge.ok("scores:submit", submit(cat3.id, cat3.cells[0], 6))
    for event, payload in (
        ("totals:request", {"categoryId": cat3.id}),
        ("scores:request", {"categoryId": cat3.id}),
        (
            "deduction:requested",
            {
                "clientId": new_client_id(),
                "categoryId": cat3.id,
                "contestantId": cat3.contestant_ids[0],
                "amount": 1,
                "reason": "x",
            },
        ),
        (
            "score:removal-requested",
            {"clientId": new_client_id(), "scoreId": score["id"], "reason": "x"},
        ),
    ):
        err = await tally.error(event, payload)
        assert err["code"] in {"forbidden", "not_found"}, (event, err)
    assert score["id"] not in {s["id"] for s in (await tally.sync())["scores"]}
    # venue-wide roles see every category without an assignment
    data = await auditor.ok("scores:request", {"categoryId": cat3.id})
    assert [s["score"] for s in data["scores"] if s["id"] == score["id"]] == [6]
    totals = await auditor.ok("totals:request", {"categoryId": cat3.id})
    assert {t["contestantId"] for t in totals["totals"]} == set(cat3.contestant_ids)


async def test_lock_is_per_contest_and_sync_seq_covers_acked_writes(shared_live: Live) -> None:
    layout = await shared_live.layout()
    board = await shared_live.connect("board1")
    judge = await shared_live.connect("judge2")
    organizer = await shared_live.connect("organizer1")
    await organizer.ok(
        "assignment:created", {"userId": judge.user_id, "categoryId": layout.cat3.id}
    )
    await board.ok("contest:lock", {"contestId": layout.contest2, "locked": True})
    try:
        err = await judge.error("scores:submit", submit(layout.cat3.id, layout.cat3.cells[2], 1))
        assert err["code"] == "locked", err
        score = await judge.ok("scores:submit", submit(layout.cat1.id, layout.cat1.cells[5], 1))
        assert score["seq"] > 0
        assert (await judge.sync())["seq"] >= score["seq"]
    finally:
        await board.ok("contest:lock", {"contestId": layout.contest2, "locked": False})
    await judge.ok("scores:submit", submit(layout.cat3.id, layout.cat3.cells[2], 1))


async def test_deduction_for_a_contestant_outside_the_category_is_refused(
    shared_live: Live,
) -> None:
    layout = await shared_live.layout()
    organizer = await shared_live.connect("organizer1")
    outsider = next(c for c in layout.cat3.contestant_ids if c not in layout.cat1.contestant_ids)
    err = await organizer.error(
        "deduction:requested",
        {
            "clientId": new_client_id(),
            "categoryId": layout.cat1.id,
            "contestantId": outsider,
            "amount": 1,
            "reason": "wrong category",
        },
    )
    assert err["code"] in {"not_found", "validation_error"}, err
