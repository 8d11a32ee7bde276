"""A small async test client for the bundled server: REST login, Socket.IO, recorder.

* :func:`login` — ``POST /api/auth/login`` with aiohttp, returns :class:`Tokens`.
* :class:`SioClient` — a real ``socketio.AsyncClient`` connected with
  ``auth={"token": …}``; :meth:`SioClient.call` returns the parsed ack; every incoming
  event is kept by an :class:`EventRecorder`.
* :class:`EventRecorder` — collects incoming events by name; ``await wait_for(event,
  predicate, timeout)`` returns the first matching payload (already received or
  arriving later) without sleeping.
* :func:`try_connect` — attempt a handshake and return the refusal message (or ``None``
  when the server accepted it).
* :func:`forge_token` — sign arbitrary claims with the server's secret from its data dir.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import socketio

DEFAULT_TIMEOUT = 5.0
DEMO_PASSWORD = "demo"

Predicate = Callable[[Any], bool]


class ConnectRefused(Exception):
    """The server refused the Socket.IO handshake; ``message`` is what it said."""

    def __init__(self, message: str | None, data: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


@dataclass
class Tokens:
    """What ``POST /api/auth/login`` returned."""

    access: str
    refresh: str
    user: dict[str, Any]
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def user_id(self) -> int:
        """The logged-in user's id."""
        return int(self.user["id"])


async def post_json(
    base_url: str,
    path: str,
    body: Any,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - bounds the whole HTTP call
) -> tuple[int, Any]:
    """POST ``body`` as JSON; return ``(status, parsed JSON body or text)``."""
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
        session.post(base_url + path, json=body) as resp,
    ):
        text = await resp.text()
        try:
            parsed: Any = await resp.json(content_type=None)
        except ValueError:
            parsed = text
        return resp.status, parsed


async def login(base_url: str, username: str, password: str = DEMO_PASSWORD) -> Tokens:
    """Log in over REST; raise ``AssertionError`` with the body when it fails."""
    status, body = await post_json(
        base_url, "/api/auth/login", {"username": username, "password": password}
    )
    assert status == 200, f"login {username}: HTTP {status} {body!r}"
    return Tokens(body["accessToken"], body["refreshToken"], body["user"], body)


class EventRecorder:
    """Every event a client received, by name and in arrival order."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[Any]] = defaultdict(list)
        self.ordered: list[tuple[str, Any]] = []
        self._changed = asyncio.Event()

    def record(self, event: str, payload: Any) -> None:
        """Store one incoming event and wake every waiter."""
        self.by_name[event].append(payload)
        self.ordered.append((event, payload))
        self._changed.set()

    def get(self, event: str) -> list[Any]:
        """Payloads of ``event`` received so far."""
        return list(self.by_name.get(event, []))

    def clear(self) -> None:
        """Forget everything received so far."""
        self.by_name.clear()
        self.ordered.clear()

    async def wait_for(
        self,
        event: str,
        predicate: Predicate | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
        start: int = 0,
    ) -> Any:
        """The first payload of ``event`` matching ``predicate``, from ``get(event)[start]`` on."""
        deadline = time.monotonic() + timeout
        checked = start
        while True:
            items = self.by_name.get(event, [])
            while checked < len(items):
                item = items[checked]
                checked += 1
                if predicate is None or predicate(item):
                    return item
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [name for name, _ in self.ordered]
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {event!r}; received: {seen[-30:]}"
                )
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def wait_count(
        self,
        event: str,
        count: int,
        predicate: Predicate | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> list[Any]:
        """Wait until at least ``count`` payloads of ``event`` match; return them all."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [p for p in self.by_name.get(event, []) if predicate is None or predicate(p)]
            if len(matching) >= count:
                return matching
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out waiting for {count} {event!r}, got {len(matching)}"
                )
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)


class SioClient:
    """One real python-socketio connection, with an ack helper and an event recorder."""

    def __init__(self, user: dict[str, Any] | None = None, tokens: Tokens | None = None) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events = EventRecorder()
        self.acks: list[tuple[str, Any]] = []
        """Every acknowledgement this client received, with its event name."""
        self.tokens = tokens
        self.user = user or (tokens.user if tokens else {})
        self.connect_error: Any = None
        self.disconnected = asyncio.Event()

        async def _any(event: str, *args: Any) -> None:
            self.events.record(event, args[0] if len(args) == 1 else (list(args) or None))

        async def _connect_error(data: Any = None) -> None:
            self.connect_error = data

        async def _disconnect(*_args: Any) -> None:
            self.disconnected.set()

        self.sio.on("*", _any)
        self.sio.on("connect_error", _connect_error)
        self.sio.on("disconnect", _disconnect)

    @property
    def user_id(self) -> int:
        """The connected user's id."""
        return int(self.user["id"])

    @property
    def connected(self) -> bool:
        """Whether the Socket.IO connection is up."""
        return bool(self.sio.connected)

    async def connect(
        self,
        base_url: str,
        auth: dict[str, Any] | None,
        transports: list[str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> None:
        """Connect; raise :class:`ConnectRefused` with the server's message if refused."""
        try:
            await self.sio.connect(
                base_url,
                auth=auth,
                transports=transports or ["websocket"],
                wait_timeout=timeout,
            )
        except socketio.exceptions.ConnectionError as exc:
            data = self.connect_error
            message = data.get("message") if isinstance(data, dict) else data
            raise ConnectRefused(message if message is not None else str(exc), data) from exc

    async def call(
        self,
        event: str,
        payload: Any = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - passed to sio.call
    ) -> dict[str, Any]:
        """Emit ``event`` with an ack callback and return the ack (a dict)."""
        ack = await self.sio.call(event, payload, timeout=timeout)
        self.acks.append((event, ack))
        assert isinstance(ack, dict), f"{event}: ack is not an object: {ack!r}"
        return ack

    async def ok(
        self,
        event: str,
        payload: Any = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> Any:
        """Call and assert a positive ack; return its ``data``."""
        ack = await self.call(event, payload, timeout)
        assert ack.get("ok") is True, f"{event} {payload!r} refused: {ack!r}"
        return ack.get("data")

    async def error(
        self,
        event: str,
        payload: Any = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Call and assert a negative ack; return its ``error`` object."""
        ack = await self.call(event, payload, timeout)
        assert ack.get("ok") is False, f"{event} {payload!r} unexpectedly accepted: {ack!r}"
        err = ack.get("error")
        assert isinstance(err, dict), f"{event}: failed ack without error object: {ack!r}"
        return err

    async def emit(self, event: str, payload: Any = None) -> None:
        """Emit without an ack."""
        await self.sio.emit(event, payload)

    async def sync(self) -> dict[str, Any]:
        """The caller's snapshot."""
        data = await self.ok("sync", {})
        assert isinstance(data, dict)
        return data

    async def close(self) -> None:
        """Disconnect (no error if already gone)."""
        if self.sio.connected:
            await self.sio.disconnect()


async def connect_user(
    base_url: str,
    username: str,
    password: str = DEMO_PASSWORD,
    transports: list[str] | None = None,
    protocol: int | None = 1,
) -> SioClient:
    """Log ``username`` in over REST and connect a Socket.IO client with its token."""
    tokens = await login(base_url, username, password)
    client = SioClient(tokens=tokens)
    auth: dict[str, Any] = {"token": tokens.access}
    if protocol is not None:
        auth["protocol"] = protocol
    await client.connect(base_url, auth, transports)
    return client


async def try_connect(base_url: str, auth: Any, transports: list[str] | None = None) -> str | None:
    """Attempt a handshake: ``None`` when accepted (then disconnect), else the refusal."""
    client = SioClient()
    try:
        await client.connect(base_url, auth, transports)
    except ConnectRefused as exc:
        return exc.message or ""
    try:
        # An accepted handshake must also be usable: a sync answers.
        await client.call("sync", {})
    finally:
        await client.close()
    return None


def new_client_id() -> str:
    """A fresh client-generated UUID for one write."""
    return str(uuid.uuid4())


def read_secret(data_dir: Path) -> str:
    """The server's JWT secret as stored in ``<data-dir>/jwt-secret`` (on PostgreSQL: in
    the database's ``settings`` table, shared by every node)."""
    from tests.helpers import postgres

    if postgres.postgres_mode():
        with postgres.connect_to(data_dir) as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = 'jwt_secret'").fetchone()
        return str(row[0])
    return (data_dir / "jwt-secret").read_text(encoding="utf-8").strip()


def signing_key(data_dir: Path, sample_token: str) -> str | bytes:
    """The key the server signs with: the secret text, or its hex-decoded bytes.

    Chosen by verifying a token the server really issued, so forging does not depend
    on how the server reads its secret file.
    """
    text = read_secret(data_dir)
    candidates: list[str | bytes] = [text]
    with contextlib.suppress(ValueError):
        candidates.append(bytes.fromhex(text))
    for key in candidates:
        try:
            jwt.decode(sample_token, key, algorithms=["HS256"], options={"verify_exp": False})
        except jwt.InvalidTokenError:
            continue
        return key
    raise AssertionError("no reading of jwt-secret verifies a token the server issued")


def forge_token(key: str | bytes, claims: dict[str, Any], algorithm: str = "HS256") -> str:
    """Sign ``claims`` with ``key``."""
    return jwt.encode(claims, key, algorithm=algorithm)


def access_claims(user: dict[str, Any], ttl: int = 600, **overrides: Any) -> dict[str, Any]:
    """Access-token claims as the architecture note fixes them, for ``user``."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(user["id"]),
        "userId": int(user["id"]),
        "username": user["username"],
        "role": user["role"],
        "type": "access",
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return claims
