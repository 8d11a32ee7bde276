"""The server's data dir and databases, and the console's profile db, are owner-only
(issue 12, item 4): new ones are created so, old world-readable ones are fixed on start."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from scoring_console.server.app import start_server
from scoring_console.server.config import ServerConfig
from scoring_console.store.db import open_database
from tests.helpers.server_process import ServerProcess

pytestmark = pytest.mark.sqlite_only  # the SQLite file itself


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def open_to_others(path: Path) -> list[str]:
    """Entries of ``path`` (and itself) that group or others can read, write or enter."""
    entries = [path, *path.iterdir()]
    return [f"{p.name}: {mode(p):04o}" for p in entries if mode(p) & 0o077]


def test_a_fresh_server_data_dir_is_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    proc = ServerProcess(data_dir=data_dir, demo=True)
    old = os.umask(0o022)  # the server must not rely on a careful parent
    try:
        proc.start()
    finally:
        os.umask(old)
    try:
        names = {p.name for p in data_dir.iterdir()}
        assert {"scoring.db", "scoring.db-wal", "jwt-secret"} <= names, names
        assert not open_to_others(data_dir)
    finally:
        proc.stop()


async def test_existing_world_readable_files_are_fixed_on_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "old"
    running = await start_server(ServerConfig(port=0, data_dir=data_dir))
    await running.stop()
    os.chmod(data_dir, 0o755)
    for entry in data_dir.iterdir():
        os.chmod(entry, 0o644)
    assert open_to_others(data_dir)

    with caplog.at_level(logging.WARNING, logger="scoring_console.server.private_files"):
        running = await start_server(ServerConfig(port=0, data_dir=data_dir))
    try:
        assert not open_to_others(data_dir)
        fixed = [r.getMessage() for r in caplog.records if "tightened" in r.getMessage()]
        assert any("scoring.db" in m and "0644" in m for m in fixed), fixed
        assert any(str(data_dir) in m and "0755" in m for m in fixed), fixed
    finally:
        await running.stop()


def test_the_console_profile_db_is_owner_only(tmp_path: Path) -> None:
    profile = tmp_path / "profiles" / "judge1@server"
    code = (
        "import sys; from pathlib import Path; from scoring_console.store.db import "
        "open_database; c = open_database(Path(sys.argv[1])); "
        "c.execute('INSERT INTO meta VALUES (1, 2)'); c.close()"
    )
    # a fresh profile, created under the usual umask 022
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import os; os.umask(0o022); exec({code!r})",
            str(profile / "client.db"),
        ],
        check=True,
    )
    assert not open_to_others(profile), open_to_others(profile)
    # an old profile left readable is fixed when opened
    os.chmod(profile, 0o755)
    os.chmod(profile / "client.db", 0o644)
    open_database(profile / "client.db").close()
    assert not open_to_others(profile)
