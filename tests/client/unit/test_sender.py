"""The outbox sender against a scripted link (a seam, no server): acks, refusals, retries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from scoring_console.client.errors import CallTimeout
from scoring_console.client.observable import Observable
from scoring_console.client.sender import OutboxSender
from scoring_console.client.state import StateStore
from scoring_console.protocol import ClientEvent, ack_error, ack_ok
from scoring_console.protocol.errors import ErrorCode
from scoring_console.store.local import LocalStore
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry

from .conftest import wait_until
from .factories import certification, score

Reply = dict[str, Any] | Exception | Callable[[Any], dict[str, Any]]


class ScriptedLink:
    """Answers acked calls from a script; records what was sent."""

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.calls: list[tuple[ClientEvent, Any, float]] = []
        self.reconnects: list[str] = []

    async def call(self, event: ClientEvent, data: Any, ack_timeout: float | None = None) -> Any:
        self.calls.append((event, data, time.monotonic()))
        await asyncio.sleep(0)
        reply = self.script.pop(0) if self.script else ok_batch
        if isinstance(reply, Exception):
            raise reply
        return reply(data) if callable(reply) else reply

    async def wait_connected(self, seconds: float | None = None) -> bool:
        return True

    def reconnect(self, reason: str, quiet: bool = False) -> None:
        self.reconnects.append(reason)

    def on_ack_failed(self, exc: Exception) -> None:
        pass


def stored(item: dict[str, Any], n: int) -> dict[str, Any]:
    s = score(
        n,
        value=item["score"],
        category=item["categoryId"],
        contestant=item["contestantId"],
        criterion=item["criterionId"],
    )
    return s.to_wire() | {"clientId": item["clientId"]}


def ok_batch(data: dict[str, Any]) -> dict[str, Any]:
    results = [
        {"clientId": e["clientId"], "ok": True, "data": stored(e, i + 1)}
        for i, e in enumerate(data["entries"])
    ]
    return ack_ok({"results": results})


class Rig:
    def __init__(self, store: LocalStore, link: ScriptedLink, sender: OutboxSender) -> None:
        self.store, self.link, self.sender = store, link, sender
        self.state = sender.state
        self.seen: list[OutboxEntry] = []
        sender.changed.connect(self.seen.append)

    def add(self, contestant: int, value: float = 5.0) -> OutboxEntry:
        import uuid

        payload = {
            "clientId": str(uuid.uuid4()),
            "categoryId": 1,
            "contestantId": contestant,
            "criterionId": 1,
            "score": value,
        }
        entry = self.store.outbox.enqueue(
            EntryKind.SCORE, payload, category_id=1, contestant_id=contestant, criterion_id=1
        )
        self.sender.wake()
        return entry

    def states(self) -> dict[int, EntryState]:
        return {e.id: e.state for e in self.store.outbox.entries()}


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    store = LocalStore(tmp_path / "client.db")
    link = ScriptedLink()
    sender = OutboxSender(
        store.outbox,
        link,  # type: ignore[arg-type]
        StateStore(),
        Observable(),
        Observable(),
        request_timeout=1.0,
    )
    task = asyncio.create_task(sender.run())
    yield Rig(store, link, sender)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    store.close()


async def test_a_batch_is_synced_and_applied(rig: Rig) -> None:
    entries = [rig.add(c) for c in (1, 2, 3)]
    assert await rig.sender.flush(5)
    assert [rig.states()[e.id] for e in entries] == [EntryState.SYNCED] * 3
    assert [call[0] for call in rig.link.calls] == [ClientEvent.SCORES_SUBMIT_BATCH]
    assert len(rig.state.scores_in(1)) == 3
    assert {e.state for e in rig.seen} == {EntryState.SENDING, EntryState.SYNCED}


async def test_rate_limited_batch_waits_retry_after(rig: Rig) -> None:
    rig.link.script = [ack_error(ErrorCode.RATE_LIMITED, "slow down", {"retryAfter": 0.3})]
    entry = rig.add(1)
    assert await rig.sender.flush(5)
    first, second = rig.link.calls
    assert second[2] - first[2] >= 0.29
    assert rig.states()[entry.id] is EntryState.SYNCED
    assert EntryState.PENDING in {e.state for e in rig.seen if e.id == entry.id}


async def test_a_batch_refused_as_a_whole_is_retried_one_by_one(rig: Rig) -> None:
    good, bad = rig.add(1), rig.add(2, 9.5)
    rig.link.script = [
        ack_error(ErrorCode.VALIDATION_ERROR, "entries.1: bad"),
        lambda data: ack_ok(stored(data, 1)),
        ack_error(ErrorCode.LOCKED, "contest is locked"),
    ]
    assert await rig.sender.flush(5)
    events = [call[0] for call in rig.link.calls]
    assert events == [
        ClientEvent.SCORES_SUBMIT_BATCH,
        ClientEvent.SCORES_SUBMIT,
        ClientEvent.SCORES_SUBMIT,
    ]
    states = rig.states()
    assert states[good.id] is EntryState.SYNCED
    assert states[bad.id] is EntryState.REJECTED
    [rejected] = [e for e in rig.store.outbox.entries() if e.id == bad.id]
    assert (rejected.error_code, rejected.error_message) == ("locked", "contest is locked")


async def test_per_entry_transient_failure_is_retried(rig: Rig) -> None:
    first, second = rig.add(1), rig.add(2)

    def one_internal(data: dict[str, Any]) -> dict[str, Any]:
        a, b = data["entries"]
        return ack_ok(
            {
                "results": [
                    {"clientId": a["clientId"], "ok": True, "data": stored(a, 1)},
                    {
                        "clientId": b["clientId"],
                        "ok": False,
                        "error": {"code": "internal", "message": "try again"},
                    },
                ]
            }
        )

    rig.link.script = [one_internal]
    assert await rig.sender.flush(5)
    assert rig.states() == {first.id: EntryState.SYNCED, second.id: EntryState.SYNCED}
    assert len(rig.link.calls) == 2
    assert [e["clientId"] for e in rig.link.calls[1][1]["entries"]] == [second.client_id]


async def test_timeout_releases_and_asks_for_a_new_link(rig: Rig) -> None:
    rig.link.script = [CallTimeout("no ack")]
    entry = rig.add(1)
    assert await rig.sender.flush(5)
    assert rig.link.reconnects
    assert rig.states()[entry.id] is EntryState.SYNCED
    [kept] = rig.store.outbox.entries()
    assert kept.attempts == 2


async def test_sign_off_keeps_the_receipt_and_shows_the_certification(rig: Rig) -> None:
    import uuid

    cert = certification(version=1, seq=4)
    receipt = "ab" * 32
    rig.link.script = [
        ack_ok({"certification": cert.to_wire(), "receipt": receipt, "signedScoreCount": 6})
    ]
    entry = rig.store.outbox.enqueue(
        EntryKind.SIGNOFF, {"clientId": str(uuid.uuid4()), "categoryId": 1}, category_id=1
    )
    rig.sender.wake()
    await wait_until(lambda: rig.states()[entry.id] is EntryState.SYNCED, 5)
    [done] = rig.store.outbox.entries()
    assert done.result is not None and done.result["receipt"] == receipt
    assert rig.link.calls[0][0] is ClientEvent.CERTIFICATION_SIGN
    assert rig.state.certifications[1].version == 1
