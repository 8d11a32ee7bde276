"""Shared fixtures: a real bundled server, in-process or as a separate process.

* ``server`` — an in-process server on an ephemeral loopback port (the test's asyncio
  loop), demo data loaded, data in ``tmp_path``.
* ``server_process`` — the ``scoring-server`` command in a subprocess (for tests that
  kill it with SIGKILL, or that run on another event loop such as qasync's).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.helpers.server_process import ServerProcess


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own SCORING_CONSOLE_HOME: no test touches a real profile."""
    home = tmp_path / "home"
    monkeypatch.setenv("SCORING_CONSOLE_HOME", str(home))
    return home


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[object]:
    """A running in-process server with demo data; yields its ``RunningServer``."""
    from scoring_console.server.app import start_server
    from scoring_console.server.config import ServerConfig

    config = ServerConfig(host="127.0.0.1", port=0, data_dir=tmp_path / "server", demo=True)
    running = await start_server(config)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[ServerProcess]:
    """A ``scoring-server --demo`` subprocess on an ephemeral port; killed at teardown."""
    proc = ServerProcess(data_dir=tmp_path / "server-proc")
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()
