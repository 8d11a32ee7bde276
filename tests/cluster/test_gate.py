"""The ordered gate: ranges delivered in seq order whatever order they arrive in; a range
that never comes is skipped after the timeout, and local sockets are told to resync."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from scoring_console.protocol.entities import Announcement
from scoring_console.protocol.events import ServerEvent
from scoring_console.server.cluster.codec import EffectsMessage, decode, encode
from scoring_console.server.cluster.gate import OrderedGate
from scoring_console.server.service.types import Broadcast, CloseSessions, Effect, RoomChange


def _tag(seq: int) -> Effect:
    return RoomChange(user_id=seq)


async def test_ranges_are_delivered_in_seq_order_and_a_lost_one_is_skipped() -> None:
    delivered: list[int] = []
    resyncs: list[int] = []

    async def deliver(effects: Sequence[Effect]) -> None:
        delivered.extend(e.user_id for e in effects if isinstance(e, RoomChange))

    gate = OrderedGate(deliver, resyncs.append, gap_timeout=0.2)
    early = gate.submit(12, 12, [_tag(12)])  # arrives before the gate started: kept
    gate.start(10)
    later = gate.submit(13, 14, [_tag(13)])
    await asyncio.sleep(0.05)
    assert delivered == [] and not later.done()  # 11 is missing: 12..14 wait
    gate.submit(11, 11, [_tag(11)])
    await asyncio.wait_for(later, 1)
    assert early.done()
    assert delivered == [11, 12, 13]
    assert resyncs == []
    # 15..16 never arrive (their node died between COMMIT and PUBLISH)
    stuck = gate.submit(17, 17, [_tag(17)])
    await asyncio.sleep(0.05)
    assert not stuck.done()
    await asyncio.wait_for(stuck, 2)
    assert delivered == [11, 12, 13, 17]
    assert resyncs == [16]
    assert gate.counters.gaps_skipped == 1 and gate.counters.seqs_skipped == 2
    # a late copy of a skipped range is dropped
    await asyncio.wait_for(gate.submit(15, 16, [_tag(15)]), 1)
    assert delivered == [11, 12, 13, 17]
    gate.close()


def test_effects_survive_the_bus_encoding() -> None:
    announcement = Announcement.model_validate(
        {"id": 3, "message": "Break", "type": "info", "timestamp": "2026-01-01T10:00:00Z", "seq": 9}
    )
    effects: list[Effect] = [
        Broadcast(ServerEvent.SYSTEM_ANNOUNCEMENT, announcement, ("role:JUDGE",), False, (4,)),
        RoomChange(5, ("category:2",), ("category:1",)),
        CloseSessions(6, "deactivated"),
    ]
    back = decode(encode(EffectsMessage("a", 9, 9, tuple(effects))))
    assert back == EffectsMessage("a", 9, 9, tuple(effects))
