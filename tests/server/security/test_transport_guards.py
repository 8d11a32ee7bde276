"""Transport guards (issue 12, items 6, 7 and 9): bounded send queues, transports that
close with their session, sockets per user, read limits, quiet refusal of malformed
frames, and reserved event names."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from tests.helpers.raw_eio import RawSocket, StalledSocket
from tests.helpers.sio_client import ConnectRefused, SioClient, login
from tests.server.integration.conftest import Live, start_live


async def until(condition: Callable[[], object], within: float) -> bool:
    """Poll ``condition`` every 50 ms for up to ``within`` seconds."""
    for _ in range(int(within / 0.05)):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return bool(condition())


async def flood_with_syncs(raw: StalledSocket, count: int) -> int:
    """Send ``count`` sync calls without reading; how many went out before a reset."""
    for ack_id in range(count):
        try:
            await raw.send(f'42{ack_id}["sync",{{}}]')
        except (ConnectionError, OSError):
            return ack_id
    return count


async def test_a_socket_that_does_not_read_is_dropped_and_its_queue_freed(
    tmp_path: Path,
) -> None:
    live = await start_live(
        tmp_path / "server", max_queued_bytes=1024 * 1024, max_queued_messages=100_000
    )
    try:
        tokens = await login(live.url, "judge1")
        eio = live.running.sio.eio
        raw = await StalledSocket.open(live.url)
        await raw.handshake(tokens.access)
        started = time.monotonic()
        sent = await flood_with_syncs(raw, 10_000)
        await until(lambda: eio.dropped, 20)
        assert eio.dropped == 1, "the server kept queueing for a client that never reads"
        took = time.monotonic() - started
        server = live.running.runner.server
        assert await until(lambda: not server.connections, 10), "TCP connection outlived the drop"
        assert live.running.parts.index.count_of(tokens.user_id) == 0
        queued = sum(s.queue.qsize() for s in eio.sockets.values())
        assert queued <= 1, f"{queued} messages still queued after the drop"
        raw.close()
        print(f"dropped after {sent} sync calls sent, {took:.2f}s")
    finally:
        await live.running.stop()


async def test_a_socket_past_its_ping_timeout_loses_its_transport(tmp_path: Path) -> None:
    live = await start_live(
        tmp_path / "server",
        ping_interval=1.5,
        ping_timeout=1.5,
        max_queued_bytes=512 * 1024 * 1024,
        max_queued_messages=1_000_000,
    )
    try:
        tokens = await login(live.url, "judge1")
        raw = await StalledSocket.open(live.url)
        await raw.handshake(tokens.access)
        await flood_with_syncs(raw, 6000)  # the writer blocks: the client does not read

        async def keep_talking() -> None:  # never reads, never pongs, keeps sending
            while True:
                await raw.send("6")  # NOOP
                await asyncio.sleep(0.2)

        talker = asyncio.create_task(keep_talking())
        try:
            index = live.running.parts.index
            server = live.running.runner.server
            await until(lambda: not index.count_of(tokens.user_id), 20)
            assert index.count_of(tokens.user_id) == 0, "no ping timeout"
            closed_at = time.monotonic()
            assert await until(lambda: not server.connections, 10), "TCP outlived its session"
            print(f"transport closed {time.monotonic() - closed_at:.2f}s after the session")
        finally:
            talker.cancel()
            await asyncio.gather(talker, return_exceptions=True)
            raw.close()
    finally:
        await live.running.stop()


async def test_sockets_per_user_are_capped(tmp_path: Path) -> None:
    live = await start_live(tmp_path / "server", max_sockets_per_user=3)
    try:
        tokens = await login(live.url, "judge1")
        clients = []
        for _ in range(3):
            client = SioClient(tokens=tokens)
            await client.connect(live.url, {"token": tokens.access, "protocol": 1})
            clients.append(client)
        extra = SioClient(tokens=tokens)
        with pytest.raises(ConnectRefused, match="Too many connections"):
            await extra.connect(live.url, {"token": tokens.access, "protocol": 1})
        other = await login(live.url, "judge2")  # other users are not affected
        fine = SioClient(tokens=other)
        await fine.connect(live.url, {"token": other.access, "protocol": 1})
        await clients[0].close()
        for _ in range(50):
            if live.running.parts.index.count_of(tokens.user_id) < 3:
                break
            await asyncio.sleep(0.05)
        again = SioClient(tokens=tokens)
        await again.connect(live.url, {"token": tokens.access, "protocol": 1})
        for client in (*clients, fine, again):
            await client.close()
    finally:
        await live.running.stop()


async def test_reads_have_a_bucket_of_their_own(tmp_path: Path) -> None:
    live = await start_live(tmp_path / "server", read_rate_per_minute=20)
    try:
        judge = await live.connect("judge1")
        refused = []
        for _ in range(30):
            ack = await judge.call("sync", {})
            if not ack["ok"]:
                refused.append(ack["error"])
        assert 8 <= len(refused) <= 10, len(refused)
        assert all(e["code"] == "rate_limited" and e["details"]["retryAfter"] > 0 for e in refused)
        layout = await live.layout()  # the admin's own bucket
        await judge.ok(  # writes are not held up by reads
            "scores:submit",
            {
                "clientId": "7b0e6a52-0d9a-4a43-8a0e-3f2b2b8f0c11",
                "categoryId": layout.cat1.id,
                "contestantId": layout.cat1.cells[0][0],
                "criterionId": layout.cat1.cells[0][1],
                "score": 5,
            },
        )
        await live.close()
    finally:
        await live.running.stop()


BAD_FRAMES = ["x]]", "4x]", "4{]", "42[", "9ab", "41x", "4-9", "b!!", ""]


async def test_malformed_frames_are_logged_once_and_close_the_connection(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    frames = 0
    caplog.set_level(logging.DEBUG)
    async with aiohttp.ClientSession() as session:
        for bad in BAD_FRAMES:
            raw = await RawSocket.open(session, live.url)
            for _ in range(2000 // len(BAD_FRAMES)):
                try:
                    await raw.ws.send_str(bad or " ")
                    frames += 1
                except (aiohttp.ClientError, ConnectionError):
                    break
            assert await raw.closed_by_server(within=5), f"{bad!r} did not close the connection"
            await raw.close()
    await asyncio.sleep(0.2)
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    noisy = [r for r in records if r.levelno >= logging.WARNING or r.exc_info]
    assert not noisy, [(r.name, r.getMessage()) for r in noisy[:3]]
    closing = [r for r in records if "closing connection" in r.getMessage()]
    assert len(closing) == len(BAD_FRAMES), [r.getMessage() for r in closing]
    size = sum(len(r.getMessage()) for r in records)
    print(f"{frames} malformed frames on {len(BAD_FRAMES)} connections: {size} bytes of log")
    assert size < 200 * len(BAD_FRAMES)


async def test_reserved_names_are_invalid_events(live: Live) -> None:
    layout = await live.layout()
    tally = await live.connect("tally1")
    judge = await live.connect("judge1")
    judge_id = judge.user_id
    await tally.events.wait_for(
        "presence:updated", lambda p: p["userId"] == judge_id and p["online"]
    )
    for name in ("connect", "disconnect", "connect_error", "disconnecting"):
        ack = await judge.call(name, {"token": judge.tokens.access if judge.tokens else ""})
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_event", (name, ack)
    assert judge.connected
    assert live.running.service.is_online(judge_id)
    assert live.running.parts.index.count_of(judge_id) == 1
    mark = len(tally.events.get("presence:updated"))
    await judge.close()
    offline = await tally.events.wait_for(
        "presence:updated", lambda p: p["userId"] == judge_id, start=mark
    )
    assert offline["online"] is False, "a faked connect left the judge counted online"
    assert not [
        p
        for p in tally.events.get("presence:updated")[:mark]
        if p["userId"] == judge_id and not p["online"]
    ], "a faked disconnect marked the judge offline"
    assert layout
