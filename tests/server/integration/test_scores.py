"""Score masking on every path, and idempotent submission by ``clientId``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scoring_console.protocol.entities import Score, Snapshot
from tests.helpers.sio_client import SioClient, new_client_id
from tests.server.integration.conftest import Live, walk_scores
from tests.server.integration.util import barrier


def submit_payload(category_id: int, cell: tuple[int, int], value: float) -> dict[str, Any]:
    return {
        "clientId": new_client_id(),
        "categoryId": category_id,
        "contestantId": cell[0],
        "criterionId": cell[1],
        "score": value,
    }


def _in_category(category_id: int) -> Callable[[Any], bool]:
    return lambda payload: bool(payload["categoryId"] == category_id)


async def test_judge_never_receives_another_judges_value(live: Live) -> None:
    layout = await live.layout()
    judge1 = await live.connect("judge1")
    judge2 = await live.connect("judge2")
    tally = await live.connect("tally1")
    admin = await live.connect("admin")
    venue = [await live.connect(name) for name in ("auditor1", "board1", "organizer1")]
    seen_by_judge2: list[Any] = []
    seen_by_judge2.append(await judge2.sync())

    values: dict[int, float] = {}
    category_of: dict[int, int] = {}
    for i, cell in enumerate(layout.cat1.cells[:6]):
        score = await judge1.ok("scores:submit", submit_payload(layout.cat1.id, cell, 1 + i))
        assert score["score"] == 1 + i, score  # the author's ack carries the value
        values[score["id"]] = 1 + i
        category_of[score["id"]] = layout.cat1.id
    batch = await judge1.ok(
        "scores:submit-batch",
        {
            "entries": [
                submit_payload(layout.cat2.id, cell, 2.5 + i)
                for i, cell in enumerate(layout.cat2.cells[:4])
            ]
        },
    )
    for i, item in enumerate(batch["results"]):
        assert item["ok"] is True, item
        assert item["data"]["score"] == 2.5 + i
        values[item["data"]["id"]] = 2.5 + i
        category_of[item["data"]["id"]] = layout.cat2.id
    own = await judge2.ok("scores:submit", submit_payload(layout.cat1.id, layout.cat1.cells[0], 9))
    assert own["score"] == 9

    def by_judge1(s: dict[str, Any]) -> bool:
        return bool(s["judgeId"] == judge1.user_id)

    n = len(values)
    # broadcasts: everyone but the other judge gets values whole
    for viewer in (judge1, tally, admin, *venue):
        updates = await viewer.events.wait_count("scores:updated", n, by_judge1)
        assert {u["id"]: u["score"] for u in updates} == values, viewer.user
    # judge2 sees its own value in its own broadcast
    mine = await judge2.events.wait_for("scores:updated", lambda s: s["id"] == own["id"])
    assert mine["score"] == 9
    # judges get nothing of another judge's scores, not even masked rows
    for judge in (judge1, judge2):  # a round trip: whatever was sent before has arrived
        await judge.call("totals:request", {"categoryId": layout.cat1.id})
    assert not [u for u in judge1.events.get("scores:updated") if u["id"] == own["id"]]
    assert not [u for u in judge2.events.get("scores:updated") if by_judge1(u)]

    # sync and scores:request (ack and scores:data event), bare-id form too
    snap2 = await judge2.sync()
    Snapshot.model_validate(snap2)
    seen_by_judge2.append(snap2)
    for category_id in (layout.cat1.id, layout.cat2.id):
        for payload in ({"categoryId": category_id}, category_id):
            data = await judge2.ok("scores:request", payload)
            seen_by_judge2.append(data)
            assert not [s for s in data["scores"] if by_judge1(s)]
        await judge2.events.wait_count("scores:data", 2, _in_category(category_id))
    assert own["id"] in {s["id"] for s in snap2["scores"]}

    seen_by_judge2.extend(payload for _, payload in judge2.events.ordered)
    judge1_scores = [s for s in walk_scores(seen_by_judge2) if s["judgeId"] == judge1.user_id]
    assert not judge1_scores, f"judge2 received judge1's scores: {judge1_scores[:3]}"
    for s in walk_scores(seen_by_judge2):
        Score.model_validate(s)

    # the full-view roles get values in sync and scores:request
    for viewer in (tally, admin, judge1, *venue):
        snap = await viewer.sync()
        got = {s["id"]: s["score"] for s in snap["scores"] if by_judge1(s)}
        assert got == values, viewer.user
        data = await viewer.ok("scores:request", {"categoryId": layout.cat1.id})
        for s in data["scores"]:
            assert s["score"] is not None, (viewer.user, s)
            assert viewer is not judge1 or s["judgeId"] == judge1.user_id, s
    judge1_view = await judge1.sync()
    assert own["id"] not in {s["id"] for s in judge1_view["scores"]}


async def _tally_scores(tally: SioClient) -> list[dict[str, Any]]:
    snap = await tally.sync()
    return list(snap["scores"])


async def test_replayed_submissions_are_stored_once(live: Live) -> None:
    layout = await live.layout()
    judges = [await live.connect(f"judge{i}") for i in (1, 2, 3)]
    tally = await live.connect("tally1")
    cells = [(layout.cat1.id, c) for c in layout.cat1.cells] + [
        (layout.cat2.id, c) for c in layout.cat2.cells
    ]
    plan: list[tuple[SioClient, dict[str, Any]]] = []
    for judge in judges:
        for category_id, cell in cells:
            if len(plan) < 100:
                value = float((cell[0] + cell[1] + judge.user_id) % 10)
                plan.append((judge, submit_payload(category_id, cell, value)))
    assert len(plan) == 100

    first: dict[str, dict[str, Any]] = {}
    for judge, payload in plan:
        first[payload["clientId"]] = await judge.ok("scores:submit", payload)

    # replay each one singly: the stored score comes back, unchanged
    for judge, payload in plan:
        again = await judge.ok("scores:submit", dict(payload))
        stored = first[payload["clientId"]]
        assert (again["id"], again["version"], again["score"]) == (
            stored["id"],
            stored["version"],
            stored["score"],
        ), (again, stored)

    # replay them all again through the batch form
    for judge in judges:
        entries = [p for j, p in plan if j is judge]
        for start in range(0, len(entries), 50):
            chunk = entries[start : start + 50]
            result = await judge.ok("scores:submit-batch", {"entries": chunk})
            assert len(result["results"]) == len(chunk)
            for payload, item in zip(chunk, result["results"], strict=True):
                assert item["ok"] is True, item
                assert item["clientId"] == payload["clientId"]
                assert item["data"]["id"] == first[payload["clientId"]]["id"]
                assert item["data"]["version"] == first[payload["clientId"]]["version"]

    scores = await _tally_scores(tally)
    assert len(scores) == 100, f"expected 100 stored scores, got {len(scores)}"
    assert {s["clientId"] for s in scores} == set(first)
    assert all(s["version"] == 1 for s in scores), [s for s in scores if s["version"] != 1][:3]


async def test_same_client_id_with_other_content_is_conflict(live: Live) -> None:
    layout = await live.layout()
    judge = await live.connect("judge1")
    tally = await live.connect("tally1")
    payload = submit_payload(layout.cat1.id, layout.cat1.cells[0], 6)
    stored = await judge.ok("scores:submit", payload)
    for change in (
        {"score": 7},
        {"contestantId": layout.cat1.cells[-1][0]},
        {"comment": "different"},
    ):
        err = await judge.error("scores:submit", dict(payload, **change))
        assert err["code"] == "conflict", (change, err)
    batch = await judge.ok("scores:submit-batch", {"entries": [dict(payload, score=8)]})
    assert batch["results"][0]["ok"] is False
    assert batch["results"][0]["error"]["code"] == "conflict"
    # another judge reusing the clientId cannot take it over either
    judge2 = await live.connect("judge2")
    err = await judge2.error("scores:submit", payload)
    assert err["code"] == "conflict", err
    (score,) = [s for s in await _tally_scores(tally) if s["clientId"] == payload["clientId"]]
    assert (score["id"], score["score"], score["version"]) == (stored["id"], 6, 1)


async def test_new_client_id_for_same_cell_replaces_with_new_version(live: Live) -> None:
    layout = await live.layout()
    judge = await live.connect("judge1")
    first = await judge.ok("scores:submit", submit_payload(layout.cat1.id, layout.cat1.cells[0], 3))
    second = await judge.ok(
        "scores:submit", submit_payload(layout.cat1.id, layout.cat1.cells[0], 4)
    )
    assert second["id"] == first["id"]
    assert second["version"] == first["version"] + 1
    assert second["score"] == 4


async def test_score_above_criterion_max_is_refused(live: Live) -> None:
    layout = await live.layout()
    judge = await live.connect("judge1")
    max_score = layout.cat1.criteria[0]["maxScore"]
    cell = (layout.cat1.contestant_ids[0], layout.cat1.criteria[0]["id"])
    err = await judge.error("scores:submit", submit_payload(layout.cat1.id, cell, max_score + 0.5))
    assert err["code"] == "validation_error", err
    ok = await judge.ok("scores:submit", submit_payload(layout.cat1.id, cell, max_score))
    assert ok["score"] == max_score


async def test_unknown_cell_is_not_found(live: Live) -> None:
    layout = await live.layout()
    judge = await live.connect("judge1")
    cat1 = layout.cat1
    bad_contestant = max(cat1.contestant_ids) + 1000
    err = await judge.error(
        "scores:submit", submit_payload(cat1.id, (bad_contestant, cat1.criteria[0]["id"]), 1)
    )
    assert err["code"] in {"not_found", "validation_error"}, err
    other_criterion = layout.cat2.criteria[0]["id"]
    err = await judge.error(
        "scores:submit", submit_payload(cat1.id, (cat1.contestant_ids[0], other_criterion), 1)
    )
    assert err["code"] in {"not_found", "validation_error"}, err


async def test_masking_per_socket_when_a_judge_has_two_connections(live: Live) -> None:
    layout = await live.layout()
    a = await live.connect("judge1")
    b = await live.connect("judge1", fresh_login=True)
    other = await live.connect("judge2")
    mine = await a.ok("scores:submit", submit_payload(layout.cat1.id, layout.cat1.cells[0], 6))
    theirs = await other.ok(
        "scores:submit", submit_payload(layout.cat1.id, layout.cat1.cells[0], 2)
    )
    for conn in (a, b):
        got = await conn.events.wait_for("scores:updated", lambda s: s["id"] == mine["id"])
        assert got["score"] == 6
        await barrier(other, conn, layout.cat1)
        assert all(s["id"] != theirs["id"] for s in conn.events.get("scores:updated"))
    await barrier(a, other, layout.cat1)
    assert all(s["judgeId"] == other.user_id for s in other.events.get("scores:updated"))


async def test_seed_style_scores_request_without_ack_gets_scores_data(live: Live) -> None:
    layout = await live.layout()
    judge1 = await live.connect("judge1")
    judge2 = await live.connect("judge2")
    theirs = await judge1.ok(
        "scores:submit", submit_payload(layout.cat1.id, layout.cat1.cells[0], 8)
    )
    mine = await judge2.ok("scores:submit", submit_payload(layout.cat1.id, layout.cat1.cells[0], 3))
    await judge2.emit("scores:request", layout.cat1.id)  # the seed: emit(ev, id), no ack
    data = await judge2.events.wait_for("scores:data", _in_category(layout.cat1.id))
    assert [(s["id"], s["score"]) for s in data["scores"]] == [(mine["id"], 3)]
    assert theirs["id"] not in {s["id"] for s in data["scores"]}
    await judge2.emit("user:active", {"userId": judge2.user_id})  # the seed's heartbeat
    assert (await judge2.sync())["user"]["id"] == judge2.user_id
