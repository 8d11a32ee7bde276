"""ClientCore against the real in-process server: submit → synced, resync, refusals."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from scoring_console.client.connection import ConnectionState, ConnectionStatus
from scoring_console.client.core import ClientCore
from scoring_console.client.errors import NotConnected, PendingEntriesError, ServerUnreachable
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.client.vault import SERVICE, keyring_key
from scoring_console.protocol import ServerEvent
from scoring_console.store.outbox import EntryState, OutboxEntry

from .conftest import CoreFactory, wait_until


async def online(core: ClientCore) -> None:
    await core.login("demo")
    await core.start()
    assert await core.wait_connected(10), core.connection


def first_category(core: ClientCore) -> tuple[int, list[int], list[int]]:
    category = min(core.state.categories.values(), key=lambda c: c.id)
    return category.id, list(category.contestant_ids), [c.id for c in category.criteria]


async def test_submit_is_saved_locally_then_synced(server: Any, make_core: CoreFactory) -> None:
    core = make_core(server.url)
    seen: list[tuple[int, EntryState]] = []
    core.outbox_changed.connect(lambda e: seen.append((e.id, e.state)))
    await online(core)
    assert core.user is not None and core.state.user == core.user
    category, contestants, criteria = first_category(core)

    entry = await core.submit_score(category, contestants[0], criteria[0], 7.5, "clean")
    assert entry.state is EntryState.PENDING
    assert await core.flush(10)

    [done] = [e for e in core.outbox_entries() if e.id == entry.id]
    assert done.state is EntryState.SYNCED and done.result is not None
    stored = core.state.score_for(category, contestants[0], criteria[0], core.user.id)
    assert stored is not None and stored.score == 7.5 and stored.comment == "clean"
    assert done.result["id"] == stored.id
    assert (entry.id, EntryState.PENDING) in seen and (entry.id, EntryState.SYNCED) in seen
    assert core.pending_count() == 0


async def test_edits_of_one_cell_arrive_in_order(server: Any, make_core: CoreFactory) -> None:
    core = make_core(server.url)
    await online(core)
    category, contestants, criteria = first_category(core)
    for value in (1.0, 2.0, 3.0, 4.0):
        for contestant in contestants[:3]:
            await core.submit_score(category, contestant, criteria[0], value)
    assert await core.flush(15)
    data = await core.request_scores(category)
    mine = [s for s in data.scores if s.criterion_id == criteria[0]]
    assert sorted(s.contestant_id for s in mine) == sorted(contestants[:3])
    assert {s.score for s in mine} == {4.0}
    assert {s.version for s in mine} == {4}


async def test_refused_entry_is_rejected_and_survives_restart(
    server: Any, make_core: CoreFactory
) -> None:
    core = make_core(server.url)
    await online(core)
    category, contestants, criteria = first_category(core)
    entry = await core.submit_score(category, contestants[0], criteria[0], 11.0)  # max is 10
    ok = await core.submit_score(category, contestants[1], criteria[0], 6.0)
    assert await core.flush(10)
    states = {e.id: e for e in core.outbox_entries()}
    assert states[entry.id].state is EntryState.REJECTED
    assert states[entry.id].error_code == "validation_error"
    assert states[ok.id].state is EntryState.SYNCED
    await core.stop()

    again = make_core(server.url)
    [kept] = [e for e in again.outbox_entries() if e.id == entry.id]
    assert kept.state is EntryState.REJECTED and kept.error_message
    assert again.pending_count() == 0
    assert again.dismiss(kept.id)


async def test_prev_seq_gap_triggers_one_sync(server: Any, make_core: CoreFactory) -> None:
    core = make_core(server.url)
    await online(core)
    assert core.sync.sync_count == 1
    category, contestants, criteria = first_category(core)
    await core.submit_score(category, contestants[0], criteria[0], 5.0)
    assert await core.flush(10)
    await wait_until(lambda: core.sync.last_seq == core.state.seq, what="event seen")
    assert core.sync.sync_count == 1  # a continuous chain: no resync

    stored = next(iter(core.state.scores.values()))
    # stamped before the last sync answer (seq already in the snapshot): no resync
    await core.sync_now()
    assert core.sync.sync_count == 2
    old = stored.to_wire() | {"seq": stored.seq, "prevSeq": 0}
    core.handle_event("scores:updated", old)
    await asyncio.sleep(0.1)
    assert core.sync.sync_count == 2

    forged = stored.model_copy(update={"version": stored.version + 1, "score": 9.0})
    wire = forged.to_wire() | {"seq": core.state.seq + 10, "prevSeq": core.state.seq + 5}
    received: list[ServerEvent] = []
    core.event_received.connect(lambda pair: received.append(pair[0]))
    core.handle_event("scores:updated", wire)
    assert received == [ServerEvent.SCORES_UPDATED]
    await wait_until(lambda: core.sync.sync_count == 3, what="resync after the gap")


async def test_bad_or_unknown_events_are_dropped(server: Any, make_core: CoreFactory) -> None:
    core = make_core(server.url)
    await online(core)
    assert core.handle_event("scores:updated", {"id": "nope"}) is None
    assert core.handle_event("no:such-event", {}) is None
    assert core.handle_event("scores:updated", None) is None
    assert core.connection.connected


async def test_sign_waits_for_the_outbox_and_returns_a_receipt(
    server: Any, make_core: CoreFactory
) -> None:
    core = make_core(server.url)
    await core.login("demo")
    await core.start()
    assert await core.wait_connected(10)
    category, contestants, criteria = first_category(core)
    await core.stop(flush_timeout=0)

    offline = make_core(server.url)
    for contestant in contestants:
        for criterion in criteria:
            await offline.submit_score(category, contestant, criterion, 8.0)
    with pytest.raises(PendingEntriesError) as refused:
        await offline.sign_certification(category)
    assert refused.value.count == len(contestants) * len(criteria)

    assert await offline.resume() is not None
    await offline.start()
    assert await offline.flush(15)
    entry = await offline.sign_certification(category)
    assert await offline.flush(10)
    [signed] = [e for e in offline.outbox_entries() if e.id == entry.id]
    assert signed.state is EntryState.SYNCED and signed.result is not None
    assert len(signed.result["receipt"]) == 64
    assert offline.state.certifications[category].signoffs


async def test_logout_refuses_to_lose_pending_entries(
    server: Any, make_core: CoreFactory, keyring_backend: MemoryKeyring
) -> None:
    core = make_core(server.url)
    await core.login("demo")
    await core.submit_score(1, 1, 1, 5.0)  # not started: stays pending
    with pytest.raises(PendingEntriesError):
        await core.logout()
    assert core.pending_count() == 1
    assert keyring_backend.get_password(SERVICE, keyring_key(server.url, "judge1"))
    await core.logout(discard_pending=True)
    assert core.outbox_entries() == []
    assert keyring_backend.get_password(SERVICE, keyring_key(server.url, "judge1")) is None
    assert core.user is None


async def test_online_only_calls_need_a_connection(make_core: CoreFactory) -> None:
    core = make_core("http://127.0.0.1:9")
    with pytest.raises(NotConnected):
        await core.mark_read([1])


async def test_refused_session_stops_retrying(server: Any, make_core: CoreFactory) -> None:
    core = make_core(server.url)
    await core.login("demo", remember=False)  # nothing in the keyring to fall back on
    states: list[ConnectionState] = []
    core.connection_changed.connect(states.append)
    # both tokens are bad: the handshake is refused, the one refresh too
    core.session.access_token = "bad-token"
    core.session._refresh_token = "bad-refresh"
    core.session._expires_at = float("inf")
    await core.start()
    await wait_until(lambda: core.connection.status is ConnectionStatus.AUTH_FAILED)
    count = len(states)
    await wait_until(lambda: not core.link.running, what="link loop ended")
    assert len(states) == count  # no retry storm after AUTH_FAILED
    assert core.connection.reason


async def test_offline_start_uses_the_cache_and_queues(
    tmp_path: Any, make_core: CoreFactory
) -> None:
    from scoring_console.server.app import start_server
    from scoring_console.server.config import ServerConfig

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = ServerConfig(host="127.0.0.1", port=port, data_dir=tmp_path / "srv", demo=True)
    running = await start_server(config)
    first = make_core(running.url)
    await online(first)
    category, contestants, criteria = first_category(first)
    await first.stop()
    await running.stop()

    core = make_core(running.url)
    with pytest.raises(ServerUnreachable):  # the stored token stays in memory for later
        await core.resume()
    assert core.open_offline()
    assert category in core.state.categories
    await core.start()
    await wait_until(lambda: core.connection.status is ConnectionStatus.RECONNECTING)
    entry: OutboxEntry = await core.submit_score(category, contestants[0], criteria[0], 4.0)
    assert entry.state is EntryState.PENDING and core.pending_count() == 1

    running = await start_server(config)
    try:
        await wait_until(lambda: core.connection.connected, within=15, what="reconnected")
        assert await core.flush(10)
    finally:
        await core.stop()
        await running.stop()


async def test_entries_queued_by_one_process_are_sent_by_another(
    server: Any, make_core: CoreFactory
) -> None:
    # scoring-cli queued while offline; the desktop app (same profile) sends them
    cli = make_core(server.url)
    queued = [await cli.submit_score(1, contestant, 1, 6.5) for contestant in (1, 2, 3)]
    desktop = make_core(server.url)
    seen: list[OutboxEntry] = []
    desktop.outbox_changed.connect(seen.append)
    await online(desktop)
    assert await desktop.flush(10)
    states = {e.id: e.state for e in cli.outbox_entries()}
    assert [states[e.id] for e in queued] == [EntryState.SYNCED] * 3
    assert {e.id for e in seen if e.state is EntryState.SYNCED} >= {e.id for e in queued}
    assert len(desktop.state.scores_in(1)) == 3


async def test_polling_transport_works_too(server: Any, make_core: CoreFactory) -> None:
    core = make_core(server.url, transports=("polling", "websocket"))
    await online(core)
    await core.submit_score(1, 1, 1, 3.0)
    assert await core.flush(10)


async def test_failed_transport_rotates_to_the_next(make_core: CoreFactory) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    core = make_core(f"http://127.0.0.1:{closed_port}")
    used: list[list[str]] = []
    original = core.link.transport_order

    def spy() -> list[str]:
        used.append(original())
        return used[-1]

    core.link.transport_order = spy  # type: ignore[method-assign]
    core.session.access_token = "token"  # a session, so that it tries to connect
    core.session._expires_at = float("inf")
    await core.start()
    await wait_until(lambda: len(used) >= 3, what="three attempts")
    # Engine.IO never falls back by itself: attempts alternate the first transport
    assert used[:3] == [
        ["websocket", "polling"],
        ["polling", "websocket"],
        ["websocket", "polling"],
    ]
    assert core.connection.status is ConnectionStatus.RECONNECTING


async def test_stop_ends_every_task_and_closes_the_store(
    server: Any, make_core: CoreFactory
) -> None:
    core = make_core(server.url)
    await online(core)
    await core.submit_score(1, 1, 1, 2.0)
    before = set(asyncio.all_tasks())
    await core.stop(flush_timeout=5)
    assert core.store.closed and not core.link.running
    assert len(core._tasks) == 0 and len(core.link._tasks) == 0
    assert core.connection.status is ConnectionStatus.OFFLINE
    left = {t for t in before if not t.done()} - {asyncio.current_task()}
    assert not [t.get_name() for t in left if t.get_name().startswith(("link", "outbox", "sync"))]
    await core.stop()  # twice is fine
    again = make_core(server.url)
    assert [e.state for e in again.outbox_entries()] == [EntryState.SYNCED]  # it was flushed
