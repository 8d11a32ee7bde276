"""Shared fixtures: a real bundled server, in-process or as a separate process.

* ``server`` — an in-process server on an ephemeral loopback port (the test's asyncio
  loop), demo data loaded, data in ``tmp_path``.
* ``server_process`` — the ``scoring-server`` command in a subprocess (for tests that
  kill it with SIGKILL, or that run on another event loop such as qasync's).

With ``SCORING_TEST_DATABASE=postgresql`` (``make test-postgres``) every test server runs
on its own database of a throwaway PostgreSQL server (:mod:`tests.helpers.postgres`),
and tests marked ``sqlite_only`` (the SQLite file itself: permissions, backup/restore,
the legacy migration chain, PRAGMAs) are deselected.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.helpers import postgres
from tests.helpers.server_process import ServerProcess


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, leave out the tests of the SQLite file itself."""
    if not postgres.postgres_mode():
        return
    kept = [item for item in items if item.get_closest_marker("sqlite_only") is None]
    dropped = [item for item in items if item.get_closest_marker("sqlite_only") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _postgres_session() -> Iterator[None]:
    """PostgreSQL mode: every in-process server built from a :class:`ServerConfig`
    without a ``database_url`` gets its data dir's PostgreSQL database
    (:func:`tests.helpers.postgres.server_database`); the session's PostgreSQL server
    is stopped at the end. Subprocess servers get it from :class:`ServerProcess`."""
    if not postgres.postgres_mode():
        yield
        postgres.stop_server()  # started by the tests of the PostgreSQL backend, if any
        return
    import dataclasses

    from scoring_console.server import app

    create_app = app.create_app

    def create_app_on_postgres(config: Any) -> Any:
        if config.database_url is None:
            url = postgres.server_database(config.data_dir)
            config = dataclasses.replace(config, database_url=url)
        return create_app(config)

    app.create_app = create_app_on_postgres  # type: ignore[assignment]
    try:
        yield
    finally:
        app.create_app = create_app  # type: ignore[assignment]
        postgres.stop_server()


@pytest.fixture(scope="module", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """Drop the PostgreSQL databases a test module made, after its module-scoped
    servers stopped (session templates are kept)."""
    yield
    postgres.drop_test_databases()


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
