"""Fixtures for black-box server tests: a live in-process server plus demo layout.

``live`` is an in-process server on an ephemeral loopback port with the demo data and a
high write rate limit (so tests measure behaviour, not the limiter). ``live.connect``
logs a demo user in over REST and connects a real python-socketio client; every client
is closed at teardown. ``live.layout()`` reads the demo layout (contests, categories,
criteria, contestants, user ids) from the admin's ``sync`` instead of hard-coding ids.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pydantic import ValidationError

from scoring_console.protocol import SERVER_EVENTS, ServerEvent
from tests.helpers import postgres
from tests.helpers.sio_client import SioClient, Tokens, connect_user, login

HIGH_RATE_LIMIT = 1_000_000

DEMO_USERS: dict[str, str] = {
    "JUDGE": "judge1",
    "TALLY_MASTER": "tally1",
    "AUDITOR": "auditor1",
    "BOARD": "board1",
    "ORGANIZER": "organizer1",
    "ADMIN": "admin",
}
"""One demo account per role."""


@dataclass
class CategoryInfo:
    """A category of the demo layout."""

    id: int
    contest_id: int
    criteria: list[dict[str, Any]]
    contestant_ids: list[int]

    @property
    def cells(self) -> list[tuple[int, int]]:
        """Every (contestant id, criterion id) cell of the sheet."""
        return [(c, k["id"]) for c in self.contestant_ids for k in self.criteria]


@dataclass
class Layout:
    """The demo data as the server reports it."""

    contest1: int
    contest2: int
    cat1: CategoryInfo
    cat2: CategoryInfo
    cat3: CategoryInfo
    user_ids: dict[str, int]


@dataclass
class Live:
    """A running server and the clients a test opened against it."""

    url: str
    data_dir: Path
    running: Any
    clients: list[SioClient] = field(default_factory=list)
    tokens: dict[str, Tokens] = field(default_factory=dict)
    _layout: Layout | None = None

    async def login(self, username: str) -> Tokens:
        """REST login (cached per username)."""
        if username not in self.tokens:
            self.tokens[username] = await login(self.url, username)
        return self.tokens[username]

    async def connect(
        self, username: str, transports: list[str] | None = None, fresh_login: bool = False
    ) -> SioClient:
        """A connected client for a demo user, closed at teardown."""
        if fresh_login:
            client = await connect_user(self.url, username, transports=transports)
        else:
            tokens = await self.login(username)
            client = SioClient(tokens=tokens)
            await client.connect(self.url, {"token": tokens.access, "protocol": 1}, transports)
        self.clients.append(client)
        return client

    async def layout(self) -> Layout:
        """Contests, categories and user ids of the demo data."""
        if self._layout is None:
            admin = await self.connect("admin")
            snap = await admin.sync()
            contests = sorted(c["id"] for c in snap["contests"])
            assert len(contests) >= 2, f"demo data must have 2 contests: {snap['contests']}"
            by_contest: dict[int, list[CategoryInfo]] = {}
            for cat in sorted(snap["categories"], key=lambda c: c["id"]):
                info = CategoryInfo(
                    cat["id"], cat["contestId"], cat["criteria"], cat["contestantIds"]
                )
                by_contest.setdefault(cat["contestId"], []).append(info)
            c1 = by_contest.get(contests[0], [])
            c2 = by_contest.get(contests[1], [])
            assert len(c1) == 2 and len(c2) >= 1, f"demo categories: {snap['categories']}"
            # judges' ids from the admin's presence list (no scrypt login per judge)
            user_ids = {p["username"]: p["userId"] for p in snap["presence"]}
            user_ids["admin"] = admin.user_id
            missing = {f"judge{i}" for i in range(1, 6)} - set(user_ids)
            assert not missing, f"judges missing from the admin's presence list: {missing}"
            self._layout = Layout(contests[0], contests[1], c1[0], c1[1], c2[0], user_ids)
        return self._layout

    async def close(self) -> None:
        """Close every client this test opened, then check what they received.

        Every event any client got must be a known server event whose payload is valid
        against its protocol model (so schema drift fails the test that saw it).
        """
        problems: list[str] = []
        for client in self.clients:
            await client.close()
            problems += wire_problems(client)
        self.clients.clear()
        assert not problems, "server sent events that break the protocol:\n" + "\n".join(
            problems[:10]
        )


def walk_scores(value: Any) -> Iterator[dict[str, Any]]:
    """Every score-shaped object anywhere inside ``value``."""
    if isinstance(value, dict):
        if "judgeId" in value and "score" in value and "criterionId" in value:
            yield value
        for item in value.values():
            yield from walk_scores(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from walk_scores(item)


def masking_problems(client: SioClient) -> list[str]:
    """Other judges' score values a JUDGE client received, in any event or ack."""
    if client.user.get("role") != "JUDGE":
        return []
    me = client.user["id"]
    received = [payload for _, payload in client.events.ordered] + [a for _, a in client.acks]
    return [
        f"{client.user['username']} received judge {s['judgeId']}'s value: {s}"
        for s in walk_scores(received)
        if s["judgeId"] != me and s["score"] is not None
    ]


def wire_problems(client: SioClient) -> list[str]:
    """Events ``client`` received that are unknown or invalid against their model, and
    score values a judge must never see."""
    problems: list[str] = masking_problems(client)
    known = {str(e) for e in ServerEvent}
    for name, payload in client.events.ordered:
        if name not in known:
            problems.append(f"{client.user.get('username')}: unknown event {name!r}")
            continue
        try:
            SERVER_EVENTS[ServerEvent(name)].payload.model_validate(payload)
        except ValidationError as exc:
            problems.append(f"{client.user.get('username')}: {name} {payload!r}: {exc}")
            continue
        if name != ServerEvent.ERROR and not (
            isinstance(payload.get("seq"), int) and payload["seq"] >= 1 and "prevSeq" in payload
        ):
            problems.append(f"{client.user.get('username')}: {name} without seq/prevSeq")
    return problems


_TEMPLATE: Path | None = None
_TEMPLATE_LOCK = threading.Lock()


def _demo_template() -> Path:
    """A data dir the demo seed already ran in (made once per session).

    Seeding hashes every demo password with scrypt (about a second); copying a seeded
    data dir into each test's ``tmp_path`` and starting ``--demo`` on it (the seed is
    idempotent) keeps every test on a fresh, private server for a few milliseconds.
    """
    global _TEMPLATE
    with _TEMPLATE_LOCK:
        if _TEMPLATE is None:
            from scoring_console.server.app import start_server
            from scoring_console.server.config import ServerConfig

            root = Path(tempfile.mkdtemp(prefix="scoring-demo-template-")) / "server"
            atexit.register(shutil.rmtree, root.parent, True)

            async def seed() -> None:
                config = ServerConfig(host="127.0.0.1", port=0, data_dir=root, demo=True)
                running = await start_server(config)
                await running.stop()

            errors: list[BaseException] = []

            def run() -> None:
                try:
                    asyncio.run(seed())
                except BaseException as exc:  # re-raised in the caller's thread
                    errors.append(exc)

            thread = threading.Thread(target=run)
            thread.start()
            thread.join()
            if errors:
                raise errors[0]
            postgres.keep(root)  # PostgreSQL mode: its database is the seeded template
            _TEMPLATE = root
        return _TEMPLATE


def _prepare(data_dir: Path) -> None:
    """Fill a new data dir from the seeded template (quick, local file copies)."""
    if not data_dir.exists():
        template = _demo_template()
        shutil.copytree(template, data_dir)
        postgres.server_database(data_dir, like=template)  # PostgreSQL mode: a copy


async def start_live(data_dir: Path, **overrides: Any) -> Live:
    """Start an in-process demo server in ``data_dir`` (a copy of the seeded template)."""
    from scoring_console.server.app import start_server
    from scoring_console.server.config import ServerConfig

    _prepare(data_dir)
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 0,
        "data_dir": data_dir,
        "demo": True,
        "rate_limit_per_minute": HIGH_RATE_LIMIT,
        "read_rate_per_minute": HIGH_RATE_LIMIT,
        "max_sockets_per_user": 1000,  # module-scoped servers keep many clients open
    }
    settings.update(overrides)
    running = await start_server(ServerConfig(**settings))
    return Live(url=running.url, data_dir=data_dir, running=running)


@pytest_asyncio.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    """A fresh in-process demo server for one test."""
    server = await start_live(tmp_path / "server")
    try:
        yield server
    finally:
        await server.close()
        await server.running.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_live(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Live]:
    """One demo server for a whole module (tests in it use ``loop_scope="module"``)."""
    server = await start_live(tmp_path_factory.mktemp("shared") / "server")
    try:
        yield server
    finally:
        await server.close()
        await server.running.stop()
