"""Fixtures for the export tests: a finished competition day served by a real server.

* ``world`` — :func:`tests.export.world.seed_world` in a temp data dir.
* ``world_server`` — an in-process server on a loopback port over that data dir.
* ``source_for`` — ``await source_for(username)``: an :class:`ExportSource` from a real
  client core logged in as that user, synced over Socket.IO, with the audit entries the
  server lets that user read.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from scoring_console.client.core import ClientCore
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.export import ExportSource
from scoring_console.protocol.audit import AuditQuery
from tests.export.world import World, seed_world

PRINTED_AT = datetime(2026, 6, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
def world_dir(tmp_path: Path) -> tuple[Path, World]:
    data_dir = tmp_path / "server"
    return data_dir, seed_world(data_dir)


@pytest.fixture
def world(world_dir: tuple[Path, World]) -> World:
    return world_dir[1]


@pytest.fixture
async def world_server(world_dir: tuple[Path, World]) -> AsyncIterator[Any]:
    from scoring_console.server.app import start_server
    from scoring_console.server.config import ServerConfig

    running = await start_server(ServerConfig(host="127.0.0.1", port=0, data_dir=world_dir[0]))
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def source_for(
    world_server: Any, tmp_path: Path
) -> AsyncIterator[Callable[[str], Awaitable[ExportSource]]]:
    cores: list[ClientCore] = []

    async def make(username: str) -> ExportSource:
        core = ClientCore(
            world_server.url,
            username,
            data_dir=tmp_path / f"client-{username}",
            keyring_backend=MemoryKeyring(),
        )
        cores.append(core)
        await core.login("demo")
        await core.start()
        assert await core.wait_connected(15)
        await core.sync_now()
        page = await core.audit_history(AuditQuery(limit=5000))
        return ExportSource.from_state(core.state, PRINTED_AT, page.entries)

    yield make
    for core in cores:
        await core.stop(flush_timeout=0)


def pdf_text(path: Path) -> str:
    """All text of a PDF with runs of whitespace made single spaces."""
    reader = PdfReader(path)
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def compact(text: str) -> str:
    """Text without any whitespace (a hash wrapped across lines is still found)."""
    return re.sub(r"\s+", "", text)
