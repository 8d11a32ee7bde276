"""A raw Engine.IO / Socket.IO websocket client for abuse tests.

Unlike python-socketio's client it sends exactly the frames it is told to, reads only
when asked (a client that never reads makes the server's send queue grow), and can
send what a real client never would: malformed frames, reserved event names.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
from typing import Any

import aiohttp

EIO_PATH = "/socket.io/?EIO=4&transport=websocket"


class RawSocket:
    """One websocket to the server's Engine.IO endpoint."""

    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse):
        self.session = session
        self.ws = ws

    @classmethod
    async def open(cls, session: aiohttp.ClientSession, base_url: str) -> RawSocket:
        """Open the websocket and read Engine.IO's OPEN packet."""
        ws = await session.ws_connect(
            base_url.replace("http://", "ws://") + EIO_PATH, autoping=False, max_msg_size=0
        )
        opened = await ws.receive(timeout=5)
        assert opened.type is aiohttp.WSMsgType.TEXT and opened.data.startswith("0"), opened
        return cls(session, ws)

    async def handshake(self, token: str) -> None:
        """Socket.IO CONNECT with a token; wait for the server's CONNECT answer."""
        await self.ws.send_str("40" + json.dumps({"token": token, "protocol": 1}))
        while True:
            msg = await self.ws.receive(timeout=5)
            assert msg.type is aiohttp.WSMsgType.TEXT, msg
            if msg.data.startswith("40"):
                return
            assert not msg.data.startswith("44"), f"handshake refused: {msg.data}"

    async def call(self, ack_id: int, event: str, payload: Any) -> None:
        """Send an event with an ack id (the answer is not read)."""
        await self.ws.send_str(f"42{ack_id}" + json.dumps([event, payload]))

    async def closed_by_server(self, within: float) -> bool:
        """Read (and discard) until the server closes the connection or time is up."""
        try:
            while True:
                msg = await self.ws.receive(timeout=within)
                if msg.type in (
                    aiohttp.WSMsgType.CLOSE,
                    aiohttp.WSMsgType.CLOSED,
                    aiohttp.WSMsgType.CLOSING,
                    aiohttp.WSMsgType.ERROR,
                ):
                    return True
        except TimeoutError:
            return False
        except (aiohttp.ClientError, ConnectionError):
            return True

    async def close(self) -> None:
        """Close our side (no error if already gone)."""
        if not self.ws.closed:
            await self.ws.close()


class StalledSocket:
    """A websocket client on a bare TCP stream that stops reading when told to.

    aiohttp's client reads whatever arrives into memory; this one leaves it in the
    kernel once :meth:`handshake` is done, so the server's writes really block.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, base_url: str) -> StalledSocket:
        """Connect, upgrade to a websocket and read Engine.IO's OPEN packet."""
        host, port = base_url.removeprefix("http://").rsplit(":", 1)
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before the window opens
        raw.setblocking(False)
        await asyncio.get_running_loop().sock_connect(raw, (host, int(port)))
        reader, writer = await asyncio.open_connection(sock=raw, limit=4096)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET {EIO_PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        status = await reader.readuntil(b"\r\n\r\n")
        assert status.startswith(b"HTTP/1.1 101"), status
        stalled = cls(reader, writer)
        opened = await stalled.read_text()
        assert opened.startswith("0"), opened
        return stalled

    async def read_text(self) -> str:
        """One server frame's text (server frames are not masked)."""
        head = await self.reader.readexactly(2)
        length = head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", await self.reader.readexactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", await self.reader.readexactly(8))[0]
        return (await self.reader.readexactly(length)).decode()

    async def handshake(self, token: str) -> None:
        """Socket.IO CONNECT with a token; wait for the server's CONNECT answer."""
        await self.send("40" + json.dumps({"token": token, "protocol": 1}))
        while not (await self.read_text()).startswith("40"):
            pass

    async def send(self, text: str) -> None:
        """One masked text frame (raises once the server has closed the connection)."""
        payload = text.encode()
        mask = os.urandom(4)
        size = len(payload)
        if size < 126:
            head = struct.pack("!BB", 0x81, 0x80 | size)
        elif size < 65536:
            head = struct.pack("!BBH", 0x81, 0x80 | 126, size)
        else:
            head = struct.pack("!BBQ", 0x81, 0x80 | 127, size)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(head + mask + masked)
        await self.writer.drain()

    def close(self) -> None:
        """Drop our side."""
        self.writer.transport.abort()
