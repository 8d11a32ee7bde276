"""Fixtures for the client core's tests: fast cores on real files, an in-memory keyring."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from scoring_console.client.core import ClientCore
from scoring_console.client.memory_keyring import MemoryKeyring

CoreFactory = Callable[..., ClientCore]


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    """One in-memory keyring shared by every core of the test (like the OS keyring)."""
    return MemoryKeyring()


@pytest.fixture
async def make_core(tmp_path: Path, keyring_backend: MemoryKeyring) -> AsyncIterator[CoreFactory]:
    """Build ClientCores with fast seams; every core is stopped at teardown."""
    cores: list[ClientCore] = []

    def build(url: str, username: str = "judge1", **options: Any) -> ClientCore:
        options.setdefault("data_dir", tmp_path / "client")
        options.setdefault("keyring_backend", keyring_backend)
        options.setdefault("heartbeat_interval", 1.0)
        options.setdefault("backoff_min", 0.05)
        options.setdefault("backoff_max", 0.5)
        options.setdefault("request_timeout", 5.0)
        options.setdefault("connect_timeout", 5.0)
        core = ClientCore(url, username, **options)
        cores.append(core)
        return core

    yield build
    for core in cores:
        await core.stop(flush_timeout=0)


async def wait_until(
    condition: Callable[[], bool | Awaitable[bool]], within: float = 10.0, what: str = "condition"
) -> None:
    """Poll ``condition`` until it holds; fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {within} s")
        await asyncio.sleep(0.02)
