"""Half-sent HTTP requests are dropped; connections are capped (issue 12, item 10)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.helpers.sio_client import login
from tests.server.integration.conftest import Live, start_live

TIMEOUT = 1.0


async def open_conn(live: Live) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = live.url.removeprefix("http://").rsplit(":", 1)
    return await asyncio.open_connection(host, int(port))


async def dropped(reader: asyncio.StreamReader, within: float) -> bool:
    """True once the server closed the connection (EOF or reset) within ``within`` s."""
    try:
        async with asyncio.timeout(within):
            while await reader.read(4096):
                pass
    except TimeoutError:
        return False
    except ConnectionError:
        return True
    return True


async def test_half_sent_requests_are_dropped_within_the_timeouts(tmp_path: Path) -> None:
    live = await start_live(
        tmp_path / "server", http_header_timeout=TIMEOUT, http_body_timeout=TIMEOUT
    )
    try:
        host = live.url.removeprefix("http://")
        heads = []
        for i in range(200):  # 200 requests whose headers never end
            reader, writer = await open_conn(live)
            path = "/api/auth/login" if i % 2 else "/socket.io/?EIO=4&transport=polling"
            writer.write(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nX-Slow: ".encode())
            heads.append((reader, writer))
        bodies = []
        for path in ("/api/auth/login", "/api/auth/refresh"):  # bodies that never end
            reader, writer = await open_conn(live)
            writer.write(
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                f'Content-Length: 100\r\n\r\n{{"username": '.encode()
            )
            bodies.append((reader, writer))
        started = time.monotonic()
        results = await asyncio.gather(
            *(dropped(reader, within=TIMEOUT + 5) for reader, _ in heads + bodies)
        )
        took = time.monotonic() - started
        assert all(results), f"{results.count(False)} of {len(results)} still held"
        assert took < TIMEOUT + 5
        for _, writer in heads + bodies:
            writer.close()
        assert await login(live.url, "judge1")  # the server is fine
        print(f"{len(results)} half-sent requests dropped within {took:.2f}s")
    finally:
        await live.running.stop()


async def test_connections_over_the_cap_are_refused(tmp_path: Path) -> None:
    live = await start_live(tmp_path / "server", max_http_connections=20, http_header_timeout=30)
    try:
        held = [await open_conn(live) for _ in range(20)]
        extra = [await open_conn(live) for _ in range(5)]
        assert all(await asyncio.gather(*(dropped(r, within=3) for r, _ in extra)))
        assert not any(await asyncio.gather(*(dropped(r, within=0.3) for r, _ in held[:3])))
        for _, writer in held + extra:
            writer.close()
        await asyncio.sleep(0.3)
        assert await login(live.url, "judge1")
    finally:
        await live.running.stop()
