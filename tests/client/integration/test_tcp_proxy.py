"""The test helper ``TcpProxy`` against a tiny echo server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.helpers.tcp_proxy import TcpProxy


class EchoServer:
    """Echoes every byte; records connections and EOFs seen."""

    def __init__(self) -> None:
        self.port = 0
        self.eofs = 0
        self.connections = 0
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while data := await reader.read(4096):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        self.eofs += 1
        writer.close()


@pytest.fixture
async def echo() -> AsyncIterator[EchoServer]:
    server = EchoServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def proxy(echo: EchoServer) -> AsyncIterator[TcpProxy]:
    p = TcpProxy(echo.port)
    await p.start()
    yield p
    await p.aclose()


async def _roundtrip(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes
) -> bytes:
    writer.write(data)
    await writer.drain()
    return await asyncio.wait_for(reader.readexactly(len(data)), 5)


async def _wait_for(cond: object, within: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not cond():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def test_forwards_both_ways_and_counts(proxy: TcpProxy, echo: EchoServer) -> None:
    r1, w1 = await asyncio.open_connection("127.0.0.1", proxy.port)
    r2, w2 = await asyncio.open_connection("127.0.0.1", proxy.port)
    assert await _roundtrip(r1, w1, b"hello") == b"hello"
    assert await _roundtrip(r2, w2, b"world" * 1000) == b"world" * 1000
    assert proxy.connections_total == 2
    assert proxy.active_connections == 2
    assert echo.connections == 2
    w1.close()
    await _wait_for(lambda: proxy.active_connections == 1)
    await _wait_for(lambda: echo.eofs == 1)
    w2.close()


async def test_blackhole_drops_without_closing_then_heals(
    proxy: TcpProxy, echo: EchoServer
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    assert await _roundtrip(reader, writer, b"before") == b"before"
    proxy.blackhole()
    writer.write(b"lost")
    await writer.drain()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(reader.read(100), 0.3)
    assert not reader.at_eof()
    assert proxy.bytes_dropped >= 4
    assert proxy.active_connections == 1
    proxy.heal()
    assert await _roundtrip(reader, writer, b"after") == b"after"
    writer.close()


async def test_close_during_blackhole_is_not_seen_until_heal(
    proxy: TcpProxy, echo: EchoServer
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    assert await _roundtrip(reader, writer, b"x") == b"x"
    proxy.blackhole()
    writer.close()
    await asyncio.sleep(0.2)
    assert echo.eofs == 0  # the FIN did not cross the cut
    proxy.heal()
    await _wait_for(lambda: echo.eofs == 1)
    assert proxy.active_connections == 0


async def test_new_connections_during_blackhole_are_silent(proxy: TcpProxy) -> None:
    proxy.blackhole()
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    writer.write(b"ping")
    await writer.drain()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(reader.read(100), 0.3)
    assert proxy.connections_total == 1
    writer.close()


async def test_sever_closes_everything(proxy: TcpProxy, echo: EchoServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    assert await _roundtrip(reader, writer, b"x") == b"x"
    proxy.sever()
    data = await asyncio.wait_for(reader.read(100), 5)
    assert data == b""
    await _wait_for(lambda: echo.eofs == 1)
    assert proxy.active_connections == 0
    # the proxy still accepts new connections afterwards
    r2, w2 = await asyncio.open_connection("127.0.0.1", proxy.port)
    assert await _roundtrip(r2, w2, b"y") == b"y"
    w2.close()


async def test_threaded_proxy_from_another_loop(echo: EchoServer) -> None:
    proxy = TcpProxy(echo.port)
    await asyncio.to_thread(proxy.start_in_thread)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        assert await _roundtrip(reader, writer, b"abc") == b"abc"
        await asyncio.to_thread(proxy.blackhole)
        writer.write(b"zzz")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.read(10), 0.3)
        await asyncio.to_thread(proxy.heal)
        assert await _roundtrip(reader, writer, b"def") == b"def"
        await asyncio.to_thread(proxy.sever)
        assert await asyncio.wait_for(reader.read(10), 5) == b""
        assert proxy.connections_total == 1
    finally:
        await asyncio.to_thread(proxy.stop_thread)
