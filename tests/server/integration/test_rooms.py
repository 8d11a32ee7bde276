"""Rooms are derived by the server: they move live on assignment changes, and no
client event lets a socket join one.

Absence of an event is checked with an ordering barrier instead of a sleep: the server
delivers one connection's events in order, so once a later "marker" event has arrived,
anything the server sent before it has arrived too.
"""

from __future__ import annotations

from typing import Any

from scoring_console.protocol.errors import INVALID_EVENT_MESSAGE
from tests.helpers.sio_client import SioClient, new_client_id
from tests.server.integration.conftest import CategoryInfo, Live
from tests.server.integration.util import barrier, events_for_category, submit


async def fill_sheet(judge: SioClient, category: CategoryInfo, base: float = 5) -> None:
    entries = [submit(category, cell, (base + i) % 10) for i, cell in enumerate(category.cells)]
    result = await judge.ok("scores:submit-batch", {"entries": entries})
    assert all(item["ok"] for item in result["results"]), result


async def test_assignment_moves_live_sockets_between_rooms(live: Live) -> None:
    layout = await live.layout()
    cat3, cat1 = layout.cat3, layout.cat1
    judge1 = await live.connect("judge1")
    judge2 = await live.connect("judge2")
    judge3 = await live.connect("judge3")
    organizer = await live.connect("organizer1")
    before = await judge1.sync()
    assert cat3.id not in {c["id"] for c in before["categories"]}
    assert (await judge1.error("scores:submit", submit(cat3, cat3.cells[0], 1)))[
        "code"
    ] == "forbidden"

    for judge in (judge1, judge2, judge3):
        assignment = await organizer.ok(
            "assignment:created", {"userId": judge.user_id, "categoryId": cat3.id}
        )
        assert assignment["userId"] == judge.user_id and assignment["categoryId"] == cat3.id
        assert assignment["role"] == "JUDGE"
    new = await judge1.events.wait_for("assignment:new", lambda a: a["categoryId"] == cat3.id)
    assert new["userId"] == judge1.user_id
    # only the assigned user (plus organizers/admins) hear of it
    assert all(a["userId"] == judge1.user_id for a in judge1.events.get("assignment:new"))

    # no reconnect: judge1 may score in cat3 and hears of it in the category's room ...
    score2 = await judge2.ok("scores:submit", submit(cat3, cat3.cells[0], 8))
    own = await judge1.ok("scores:submit", submit(cat3, cat3.cells[0], 2))
    assert own["categoryId"] == cat3.id
    seen = await judge1.events.wait_for("scores:updated", lambda s: s["id"] == own["id"])
    assert seen["score"] == 2
    # (another judge's scores never reach a judge, masked or not)
    assert all(s["id"] != score2["id"] for s in judge1.events.get("scores:updated"))
    # ... sees it in sync ...
    snap = await judge1.sync()
    assert cat3.id in {c["id"] for c in snap["categories"]}
    assert any(
        a["categoryId"] == cat3.id and a["userId"] == judge1.user_id for a in snap["assignments"]
    )
    # ... and gets the category's certification events
    await fill_sheet(judge2, cat3)
    signed = await judge2.ok(
        "certification:sign", {"clientId": new_client_id(), "categoryId": cat3.id}
    )
    assert signed["certification"]["categoryId"] == cat3.id
    await judge1.events.wait_for("certification:updated", lambda c: c["categoryId"] == cat3.id)

    removed = await organizer.ok(
        "assignment:removed", {"userId": judge1.user_id, "categoryId": cat3.id}
    )
    assert removed["categoryId"] == cat3.id
    await judge1.events.wait_for("assignment:revoked", lambda a: a["categoryId"] == cat3.id)
    mark = len(judge1.events.ordered)

    # judge3 writes and signs in cat3: judge1 must not hear of it any more
    await fill_sheet(judge3, cat3, base=3)
    await judge3.ok("certification:sign", {"clientId": new_client_id(), "categoryId": cat3.id})
    await barrier(judge3, judge1, cat1)
    leaked = events_for_category(judge1, cat3.id, mark)
    assert not leaked, f"judge1 still receives cat3 events after removal: {leaked}"
    assert (await judge1.error("scores:submit", submit(cat3, cat3.cells[1], 1)))[
        "code"
    ] == "forbidden"
    snap = await judge1.sync()
    assert cat3.id not in {c["id"] for c in snap["categories"]}
    assert all(s["categoryId"] != cat3.id for s in snap["scores"])


JOIN_EVENTS = [
    "join",
    "subscribe",
    "room:join",
    "joinRoom",
    "join_room",
    "enter_room",
    "rooms:join",
    "category:join",
    "socket:join",
]


async def test_client_cannot_join_a_room_by_any_event(live: Live) -> None:
    layout = await live.layout()
    cat3 = layout.cat3
    intruder = await live.connect("judge3")  # not assigned to cat3, not an admin
    producer = await live.connect("judge2")
    organizer = await live.connect("organizer1")
    admin = await live.connect("admin")
    await organizer.ok("assignment:created", {"userId": producer.user_id, "categoryId": cat3.id})

    rooms = [f"category:{cat3.id}", f"category:{cat3.id}:JUDGE", "role:ADMIN", "role:TALLY_MASTER"]
    payloads: list[Any] = []
    for room in rooms:
        payloads += [room, {"room": room}, {"rooms": [room]}, {"name": room, "categoryId": cat3.id}]
    calls = 0
    for event in JOIN_EVENTS:
        for payload in payloads:
            ack = await intruder.call(event, payload)
            assert ack["ok"] is False and ack["error"]["code"] == "invalid_event", (event, ack)
            calls += 1
        await intruder.emit(event, rooms[0])  # without an ack: the seed's error event only
        calls += 1
    errors = await intruder.events.wait_count("error", calls)
    assert all(e["message"] == INVALID_EVENT_MESSAGE for e in errors), errors[:3]
    assert intruder.connected
    mark = len(intruder.events.ordered)

    # traffic in the rooms the intruder asked for
    score = await producer.ok("scores:submit", submit(cat3, cat3.cells[0], 4))
    removal = await producer.ok(
        "score:removal-requested",
        {"clientId": new_client_id(), "scoreId": score["id"], "reason": "mistake"},
    )
    await admin.events.wait_for("score:removal-pending", lambda r: r["id"] == removal["id"])
    await barrier(producer, intruder, layout.cat1)

    got = [name for name, _ in intruder.events.ordered[mark:]]
    assert "score:removal-pending" not in got, got
    leaked = events_for_category(intruder, cat3.id, mark)
    assert not leaked, f"events of a room the client asked to join: {leaked}"
    # and the connection still works
    assert (await intruder.sync())["user"]["id"] == intruder.user_id


async def test_unknown_event_gets_error_event_and_invalid_event_ack(live: Live) -> None:
    judge = await live.connect("judge1")
    ack = await judge.call("no:such-event", {"x": 1})
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_event", ack
    error = await judge.events.wait_for("error")
    assert error["message"] == INVALID_EVENT_MESSAGE
    # server → client event names are not client events either
    for name in ("scores:updated", "assignment:new", "certification:updated", "error"):
        ack = await judge.call(name, {})
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_event", (name, ack)
    assert (await judge.sync())["user"]["username"] == "judge1"


async def test_tally_master_gets_category_events_only_once_assigned(live: Live) -> None:
    layout = await live.layout()
    cat3 = layout.cat3
    tally = await live.connect("tally1")
    tally_b = await live.connect("tally1", fresh_login=True)
    judge = await live.connect("judge2")
    organizer = await live.connect("organizer1")
    await organizer.ok("assignment:created", {"userId": judge.user_id, "categoryId": cat3.id})
    mark = len(tally.events.ordered)
    await judge.ok("scores:submit", submit(cat3, cat3.cells[0], 5))
    await barrier(judge, tally, layout.cat1)
    assert not events_for_category(tally, cat3.id, mark)
    err = await tally.error("scores:request", {"categoryId": cat3.id})
    assert err["code"] in {"forbidden", "not_found"}, err

    assignment = await organizer.ok(
        "assignment:created", {"userId": tally.user_id, "categoryId": cat3.id}
    )
    assert assignment["role"] == "TALLY_MASTER"
    for conn in (tally, tally_b):  # every live socket of the user moves
        await conn.events.wait_for("assignment:new", lambda a: a["categoryId"] == cat3.id)
    score = await judge.ok("scores:submit", submit(cat3, cat3.cells[1], 7))
    for conn in (tally, tally_b):
        got = await conn.events.wait_for("scores:updated", lambda s: s["id"] == score["id"])
        assert got["score"] == 7  # tally masters see values
    data = await tally.ok("scores:request", {"categoryId": cat3.id})
    assert {s["id"] for s in data["scores"]} >= {score["id"]}
