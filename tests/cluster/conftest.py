"""Fixtures for multi-node tests: one Redis, one database, several server processes.

``cluster`` starts a throwaway ``redis-server`` and lets a test add nodes
(``scoring-server`` subprocesses, each ``--redis-url`` + ``--node-id``) that share one
database — a fresh PostgreSQL database (``tests/helpers/postgres.py``), each node with
its own data dir; the first node seeds the demo data. Parametrized with ``"sqlite"``,
the nodes share one SQLite data dir instead (nodes on one machine).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.helpers import postgres
from tests.helpers.redis_server import RedisServer
from tests.helpers.server_process import ServerProcess
from tests.helpers.sio_client import SioClient, Tokens, login

HIGH_RATE = "1000000"


@dataclass
class Cluster:
    """A Redis server, a shared data dir and the nodes started on them."""

    redis: RedisServer
    data_dir: Path
    database_url: str | None = None
    """PostgreSQL (each node its own data dir), or ``None``: one shared SQLite data dir."""
    nodes: dict[str, ServerProcess] = field(default_factory=dict)
    clients: list[SioClient] = field(default_factory=list)

    def add(self, name: str, *extra: str, rate_limit: str = HIGH_RATE) -> ServerProcess:
        """Start node ``name`` (the first one seeds the demo data)."""
        database = ["--database-url", self.database_url] if self.database_url else []
        node = ServerProcess(
            self.data_dir / name if self.database_url else self.data_dir,
            demo=not self.nodes,
            extra_args=[
                *database,
                "--redis-url", self.redis.url,
                "--node-id", name,
                "--rate-limit", rate_limit,
                *extra,
            ],
        )  # fmt: skip
        node.start(timeout=60.0)
        self.nodes[name] = node
        return node

    def url(self, name: str) -> str:
        """Node ``name``'s base URL."""
        return self.nodes[name].url

    async def connect(self, name: str, username: str, tokens: Tokens | None = None) -> SioClient:
        """Log in (on that node) and connect a real Socket.IO client to node ``name``."""
        tokens = tokens or await login(self.url(name), username)
        client = SioClient(tokens=tokens)
        await client.connect(self.url(name), {"token": tokens.access, "protocol": 1})
        self.clients.append(client)
        return client

    async def health(self, name: str) -> dict[str, Any]:
        """Node ``name``'s ``/socket-health``."""
        async with (
            aiohttp.ClientSession() as session,
            session.get(self.url(name) + "/socket-health") as resp,
        ):
            assert resp.status == 200
            body: dict[str, Any] = await resp.json()
            return body

    async def metrics(self, name: str) -> str:
        """Node ``name``'s ``/metrics`` text (loopback may read it)."""
        async with (
            aiohttp.ClientSession() as session,
            session.get(self.url(name) + "/metrics") as resp,
        ):
            assert resp.status == 200
            return await resp.text()

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows from the shared database (``?`` placeholders; a write is committed)."""
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as pg:
                cursor = pg.execute(sql.replace("?", "%s"), params)
                return [tuple(r) for r in cursor] if cursor.description else []
        conn = sqlite3.connect(self.data_dir / "scoring.db")
        try:
            with conn:
                return list(conn.execute(sql, params))
        finally:
            conn.close()

    def output(self) -> str:
        """Every node's output (for failure messages)."""
        return "\n".join(f"--- {n}\n" + "".join(p.output[-40:]) for n, p in self.nodes.items())


@pytest.fixture
async def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Cluster]:
    """A Redis server and a fresh PostgreSQL database; nodes are added by the test.

    Parametrized indirectly with ``"sqlite"``: one SQLite data dir shared by the nodes
    (nodes on one machine)."""
    backend = getattr(request, "param", "postgresql")
    url = postgres.server().fresh_database() if backend == "postgresql" else None
    async for made in _cluster(tmp_path, url):
        yield made


async def _cluster(tmp_path: Path, database_url: str | None) -> AsyncIterator[Cluster]:
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    made = Cluster(redis, tmp_path / "server", database_url)
    try:
        yield made
    finally:
        for client in made.clients:
            await client.close()
        for node in made.nodes.values():
            node.stop()
        redis.stop()
