"""End-to-end flows: certification chain, publishing, locking, deductions, removals,
announcements, notifications and the ``prevSeq`` chain."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from scoring_console.protocol.entities import Certification, Snapshot
from scoring_console.protocol.ranking import rank_totals
from scoring_console.protocol.receipt import compute_receipt
from tests.helpers.sio_client import SioClient, new_client_id
from tests.server.integration.conftest import CategoryInfo, Live
from tests.server.integration.util import barrier, submit


def sheet_value(judge_index: int, cell_index: int) -> float:
    return float((judge_index * 7 + cell_index * 3) % 11)


async def fill(
    judge: SioClient, category: CategoryInfo, judge_index: int, cells: list[tuple[int, int]]
) -> None:
    entries = [
        submit(category, cell, sheet_value(judge_index, category.cells.index(cell)))
        for cell in cells
    ]
    result = await judge.ok("scores:submit-batch", {"entries": entries})
    bad = [item for item in result["results"] if not item["ok"]]
    assert not bad, bad


def sign(category_id: int) -> dict[str, Any]:
    return {"clientId": new_client_id(), "categoryId": category_id}


def as_scores(rows: list[dict[str, Any]]) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(
            contestant_id=r["contestantId"],
            criterion_id=r["criterionId"],
            judge_id=r["judgeId"],
            score=r["score"],
            version=r["version"],
        )
        for r in rows
    ]


async def test_certification_chain_and_publishing(live: Live) -> None:
    layout = await live.layout()
    cat1 = layout.cat1
    judges = [await live.connect(f"judge{i}") for i in range(1, 6)]
    tally = await live.connect("tally1")
    auditor = await live.connect("auditor1")
    board = await live.connect("board1")
    organizer = await live.connect("organizer1")
    judge1 = judges[0]

    # judge1 with an incomplete sheet cannot sign
    await fill(judge1, cat1, 0, cat1.cells[:-1])
    err = await judge1.error("certification:sign", sign(cat1.id))
    assert err["code"] == "precondition_failed", err
    # later steps cannot sign before the judges; results cannot be published
    for early in (tally, auditor, board):
        err = await early.error("certification:sign", sign(cat1.id))
        assert err["code"] == "precondition_failed", (early.user, err)
    err = await organizer.error("results:publish", {"categoryId": cat1.id})
    assert err["code"] == "precondition_failed", err

    await fill(judge1, cat1, 0, cat1.cells[-1:])
    for index, judge in enumerate(judges[1:], start=1):
        await fill(judge, cat1, index, cat1.cells)

    receipts: dict[int, str] = {}
    for judge in judges:
        view = [s for s in (await judge.sync())["scores"] if s["categoryId"] == cat1.id]
        sign_payload = sign(cat1.id)
        result = await judge.ok("certification:sign", sign_payload)
        replay = await judge.ok("certification:sign", dict(sign_payload))
        assert replay["receipt"] == result["receipt"], (replay, result)
        cert = Certification.model_validate(result["certification"])
        receipt = result["receipt"]
        own = [s for s in view if s["judgeId"] == judge.user_id]
        # "over what the judge sees": the judge's own sheet, or the whole (masked) view
        candidates = {
            compute_receipt(cat1.id, judge.user_id, "JUDGE", as_scores(own)): len(own),
            compute_receipt(cat1.id, judge.user_id, "JUDGE", as_scores(view)): len(view),
        }
        assert receipt in candidates, "receipt is not a SHA-256 over what the judge sees"
        assert result["signedScoreCount"] == candidates[receipt]
        assert len(own) == len(cat1.cells)
        mine = [s for s in cert.signoffs if s.user_id == judge.user_id]
        assert len(mine) == 1 and mine[0].receipt == receipt and mine[0].role == "JUDGE"
        receipts[judge.user_id] = receipt
    assert cert.status == "JUDGES_SIGNED", cert
    # a second sign-off (new clientId) by a judge who signed is refused, not counted twice
    err = await judge1.error("certification:sign", sign(cat1.id))
    assert err["code"] in {"conflict", "locked", "precondition_failed"}, err

    # a signed judge's sheet is locked, single and batch
    err = await judge1.error("scores:submit", submit(cat1, cat1.cells[0], 1))
    assert err["code"] == "locked", err
    batch = await judge1.ok("scores:submit-batch", {"entries": [submit(cat1, cat1.cells[1], 1)]})
    assert batch["results"][0]["error"]["code"] == "locked", batch

    # order: the auditor cannot sign before the tally master
    err = await auditor.error("certification:sign", sign(cat1.id))
    assert err["code"] == "precondition_failed", err
    expected = {"TALLY_MASTER": "TALLY_SIGNED", "AUDITOR": "AUDITOR_SIGNED", "BOARD": "CERTIFIED"}
    steps = {"TALLY_MASTER": "tally master", "AUDITOR": "auditor", "BOARD": "board"}
    for signer in (tally, auditor, board):
        # whoever signs next was told, by category and contest name
        turn = await signer.events.wait_for(
            "notification", lambda n: n.get("categoryId") == cat1.id and "turn" in n["message"]
        )
        assert turn["message"].endswith(
            f"Vocal Performance (Senior Showcase): it is your turn to sign as "
            f"{steps[signer.user['role']]}."
        ), turn
        result = await signer.ok("certification:sign", sign(cat1.id))
        status = result["certification"]["status"]
        assert status == expected[signer.user["role"]], result
    # every judge of the category saw the certification progress live
    for judge in judges:
        await judge.events.wait_for(
            "certification:updated",
            lambda c: c["categoryId"] == cat1.id and c["status"] == "CERTIFIED",
        )
    # the seed's board notification
    note = await board.events.wait_for(
        "notification", lambda n: n.get("categoryId") == cat1.id and n["type"] == "success"
    )
    assert note["title"] == "Certification completed", note
    assert note["message"].startswith("Vocal Performance (Senior Showcase) is certified"), note
    assert note["type"] == "success", note
    snap = Snapshot.model_validate(await board.sync())
    assert any(n.id == note["id"] and not n.read for n in snap.notifications)

    # notification:read: others' ids are ignored; own ids are marked
    ack = await judge1.ok("notification:read", {"ids": [note["id"]]})
    assert ack["updated"] == 0
    ack = await board.ok("notification:read", {"ids": [note["id"]]})
    assert ack["updated"] == 1
    snap = Snapshot.model_validate(await board.sync())
    assert [n.read for n in snap.notifications if n.id == note["id"]] == [True]

    # publish: ranked totals equal to the protocol's ranking over tally's scores
    published = await organizer.ok("results:publish", {"categoryId": cat1.id})
    tally_scores = [s for s in (await tally.sync())["scores"] if s["categoryId"] == cat1.id]
    assert len(tally_scores) == 5 * len(cat1.cells)
    expected_totals = rank_totals(
        cat1.contestant_ids, [(s["contestantId"], s["score"]) for s in tally_scores], []
    )
    assert published["totals"] == [t.to_wire() for t in expected_totals]
    event = await judges[1].events.wait_for(
        "results:published", lambda r: r["categoryId"] == cat1.id
    )
    assert event["totals"] == published["totals"]
    await tally.events.wait_for("results:published", lambda r: r["categoryId"] == cat1.id)
    # every judge of the category is told, by name
    for judge in judges:
        await judge.events.wait_for(
            "notification",
            lambda n: n["message"] == "Results of Vocal Performance (Senior Showcase) are public.",
        )

    # the results are public: the contest can be locked, but not unlocked again
    await organizer.ok("contest:lock", {"contestId": layout.contest1, "locked": True})
    err = await board.error("contest:lock", {"contestId": layout.contest1, "locked": False})
    assert err["code"] == "locked", err
    assert "already public" in err["message"] and "Senior Showcase" in err["message"], err
    snap = Snapshot.model_validate(await board.sync())
    assert [c.locked for c in snap.contests if c.id == layout.contest1] == [True]


async def test_contest_lock_refuses_edits(live: Live) -> None:
    layout = await live.layout()
    cat1, cat2 = layout.cat1, layout.cat2
    judge = await live.connect("judge1")
    board = await live.connect("board1")
    await judge.ok("scores:submit", submit(cat1, cat1.cells[0], 5))
    locked = await board.ok("contest:lock", {"contestId": layout.contest1, "locked": True})
    assert locked["locked"] is True and locked["id"] == layout.contest1
    event = await judge.events.wait_for(
        "contest:locked", lambda c: c["contestId"] == layout.contest1
    )
    assert event["locked"] is True
    for category in (cat1, cat2):
        err = await judge.error("scores:submit", submit(category, category.cells[1], 5))
        assert err["code"] == "locked", err
    batch = await judge.ok("scores:submit-batch", {"entries": [submit(cat2, cat2.cells[2], 5)]})
    assert batch["results"][0]["error"]["code"] == "locked", batch
    snap = await judge.sync()
    assert [c["locked"] for c in snap["contests"] if c["id"] == layout.contest1] == [True]
    await board.ok("contest:lock", {"contestId": layout.contest1, "locked": False})
    await judge.events.wait_for(
        "contest:locked", lambda c: c["contestId"] == layout.contest1 and c["locked"] is False
    )
    await judge.ok("scores:submit", submit(cat1, cat1.cells[1], 5))


def total_of(totals: list[dict[str, Any]], contestant_id: int) -> dict[str, Any]:
    (row,) = [t for t in totals if t["contestantId"] == contestant_id]
    return row


async def test_deduction_flow_changes_totals(live: Live) -> None:
    layout = await live.layout()
    cat1 = layout.cat1
    judge = await live.connect("judge1")
    tally = await live.connect("tally1")
    auditor = await live.connect("auditor1")
    other_judge = await live.connect("judge2")
    target = cat1.contestant_ids[0]
    cells = [c for c in cat1.cells if c[0] == target]
    for cell in cells:
        await judge.ok("scores:submit", submit(cat1, cell, 4))
    score_sum = 4.0 * len(cells)
    before = await tally.ok("totals:request", {"categoryId": cat1.id})
    assert total_of(before["totals"], target)["total"] == score_sum

    request = {
        "clientId": new_client_id(),
        "categoryId": cat1.id,
        "contestantId": target,
        "amount": 2.5,
        "reason": "costume",
    }
    deduction = await judge.ok("deduction:requested", request)
    assert deduction["status"] == "PENDING"
    assert (await judge.ok("deduction:requested", request))["id"] == deduction["id"]
    for watcher in (tally, auditor):
        pending = await watcher.events.wait_for(
            "deduction:pending", lambda d: d["id"] == deduction["id"]
        )
        assert pending["amount"] == 2.5
    # other judges do not hear of it
    await barrier(judge, other_judge, cat1)
    assert not other_judge.events.get("deduction:pending")
    pending_totals = await tally.ok("totals:request", {"categoryId": cat1.id})
    assert total_of(pending_totals["totals"], target)["total"] == score_sum

    decided = await tally.ok(
        "deduction:decide", {"deductionId": deduction["id"], "approve": True, "note": "ok"}
    )
    assert decided["status"] == "APPROVED" and decided["decidedBy"] == tally.user_id
    await judge.events.wait_for(
        "deduction:decided", lambda d: d["id"] == deduction["id"] and d["status"] == "APPROVED"
    )
    await auditor.events.wait_for("deduction:decided", lambda d: d["id"] == deduction["id"])
    err = await auditor.error(
        "deduction:decide", {"deductionId": deduction["id"], "approve": False}
    )
    assert err["code"] == "conflict", err
    after = await tally.ok("totals:request", {"categoryId": cat1.id})
    row = total_of(after["totals"], target)
    assert (row["scoreSum"], row["deductions"], row["total"]) == (score_sum, 2.5, score_sum - 2.5)

    rejected = await judge.ok("deduction:requested", dict(request, clientId=new_client_id()))
    await auditor.ok("deduction:decide", {"deductionId": rejected["id"], "approve": False})
    again = await tally.ok("totals:request", {"categoryId": cat1.id})
    assert total_of(again["totals"], target)["total"] == score_sum - 2.5

    huge = await judge.ok(
        "deduction:requested", dict(request, clientId=new_client_id(), amount=1000)
    )
    await tally.ok("deduction:decide", {"deductionId": huge["id"], "approve": True})
    floored = await tally.ok("totals:request", {"categoryId": cat1.id})
    assert total_of(floored["totals"], target)["total"] == 0  # floored at 0
    snap = await tally.sync()
    statuses = {d["id"]: d["status"] for d in snap["deductions"]}
    assert statuses[deduction["id"]] == "APPROVED" and statuses[rejected["id"]] == "REJECTED"


async def test_removal_flow_deletes_score(live: Live) -> None:
    layout = await live.layout()
    cat1 = layout.cat1
    judge = await live.connect("judge1")
    judge2 = await live.connect("judge2")
    tally = await live.connect("tally1")
    admin = await live.connect("admin")
    score = await judge.ok("scores:submit", submit(cat1, cat1.cells[0], 6))
    keep = await judge.ok("scores:submit", submit(cat1, cat1.cells[1], 7))

    request = await judge.ok(
        "score:removal-requested",
        {"clientId": new_client_id(), "scoreId": score["id"], "reason": "wrong contestant"},
    )
    assert request["status"] == "PENDING" and request["scoreId"] == score["id"]
    await admin.events.wait_for("score:removal-pending", lambda r: r["id"] == request["id"])
    # only admins and the requester hear of a pending removal
    await barrier(judge, judge2, cat1)
    assert not judge2.events.get("score:removal-pending")
    assert not tally.events.get("score:removal-pending")
    decided = await admin.ok("score:removal-decide", {"requestId": request["id"], "approve": True})
    assert decided["status"] == "APPROVED"
    for watcher in (tally, judge, judge2, admin):
        deleted = await watcher.events.wait_for("scores:deleted", lambda d: d["id"] == score["id"])
        assert deleted["categoryId"] == cat1.id and deleted["judgeId"] == judge.user_id
    await judge.events.wait_for("score:removal-decided", lambda r: r["id"] == request["id"])
    err = await admin.error("score:removal-decide", {"requestId": request["id"], "approve": False})
    assert err["code"] == "conflict", err
    ids = {s["id"] for s in (await tally.sync())["scores"]}
    assert score["id"] not in ids and keep["id"] in ids
    assert score["id"] not in {s["id"] for s in (await judge.sync())["scores"]}

    rejected = await judge.ok(
        "score:removal-requested",
        {"clientId": new_client_id(), "scoreId": keep["id"], "reason": "never mind"},
    )
    await admin.ok("score:removal-decide", {"requestId": rejected["id"], "approve": False})
    assert keep["id"] in {s["id"] for s in (await tally.sync())["scores"]}


async def test_announcement_reaches_everyone(live: Live) -> None:
    names = ["judge1", "judge2", "tally1", "auditor1", "board1", "organizer1", "admin"]
    clients = [await live.connect(name) for name in names]
    organizer = clients[names.index("organizer1")]
    sent = await organizer.ok(
        "system:announcement", {"message": "Break: 10 minutes", "type": "warning"}
    )
    for client in clients:
        got = await client.events.wait_for("system:announcement", lambda a: a["id"] == sent["id"])
        assert (got["message"], got["type"]) == ("Break: 10 minutes", "warning")
    late = await live.connect("judge3")
    snap = await late.sync()
    assert any(a["id"] == sent["id"] for a in snap["announcements"])


async def test_prev_seq_chain_on_one_connection(live: Live) -> None:
    layout = await live.layout()
    cat1 = layout.cat1
    tally = await live.connect("tally1")
    judge2 = await live.connect("judge2")
    judge = await live.connect("judge1")
    admin = await live.connect("admin")
    starts: dict[int, tuple[int, int]] = {}
    for client in (tally, judge2):
        starts[client.user_id] = ((await client.sync())["seq"], len(client.events.ordered))
    for i, cell in enumerate(cat1.cells[:8]):
        await judge.ok("scores:submit", submit(cat1, cell, i))
        if i % 3 == 0:
            await admin.ok("system:announcement", {"message": f"note {i}"})
        if i == 4:  # scores:data is an event on judge2's connection too
            await judge2.ok("scores:request", {"categoryId": cat1.id})
    await judge.ok("user:active", {"pendingCount": 3})
    final = await admin.ok("system:announcement", {"message": "last"})
    for client in (tally, judge2):
        await client.events.wait_for("system:announcement", lambda a: a["id"] == final["id"])
        previous, mark = starts[client.user_id]
        chain = [
            (name, p)
            for name, p in client.events.ordered[mark:]
            if name != "error" and isinstance(p, dict)
        ]
        assert len(chain) >= 12, [n for n, _ in chain]
        for name, payload in chain:
            assert payload.get("prevSeq") == previous, (client.user, name, payload, previous)
            assert isinstance(payload.get("seq"), int), payload
            if name == "scores:data":  # a read: as of the current seq, no new change
                assert payload["seq"] >= previous, payload
            else:
                assert payload["seq"] > previous, payload
            previous = payload["seq"]
    # a sync restarts the chain at the snapshot's seq
    seq = (await tally.sync())["seq"]
    mark = len(tally.events.get("scores:updated"))
    await judge.ok("scores:submit", submit(cat1, cat1.cells[9], 1))
    nxt = await tally.events.wait_for("scores:updated", start=mark)
    assert nxt["prevSeq"] == seq, (nxt, seq)


async def test_presence_heartbeat_reaches_tally(live: Live) -> None:
    tally = await live.connect("tally1")
    judge = await live.connect("judge1")
    ack = await judge.ok("user:active", {"pendingCount": 7, "userId": 99999})
    assert isinstance(ack["seq"], int)
    presence = await tally.events.wait_for(
        "presence:updated", lambda p: p["userId"] == judge.user_id and p["pendingCount"] == 7
    )
    assert presence["online"] is True
    snap = await tally.sync()
    assert [p["pendingCount"] for p in snap["presence"] if p["userId"] == judge.user_id] == [7]
