"""scoring-server backup/restore: an online backup taken while bot judges write is a
sound copy; restore refuses while the server runs, keeps the replaced database and
refuses a damaged or too-new backup without changing anything."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring_console.server.backup import BackupError, backup, restore
from scoring_console.server.db import SCHEMA_VERSION
from tests.helpers.server_process import ServerProcess

pytestmark = pytest.mark.sqlite_only  # the SQLite file itself

SERVER = Path(sys.executable).with_name("scoring-server")


def server_cmd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SERVER), *args], capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )


def writes(db: Path) -> int:
    """Score writes so far: grows with every revision (the row count stops when the
    bots have filled every cell)."""
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COALESCE(SUM(version), 0) FROM scores").fetchone()[0])


@pytest.fixture
def busy_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server whose bot judges write 100 scores a second."""
    proc = ServerProcess(
        data_dir=tmp_path / "srv", extra_args=["--simulate", "--simulate-rate", "100"]
    )
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


def wait_for_writes(db: Path, at_least: int) -> None:
    import time

    deadline = time.monotonic() + 60
    while writes(db) < at_least:
        assert time.monotonic() < deadline, "the bots did not score"
        time.sleep(0.1)


def test_backup_while_writing_then_restore_after_stop(
    busy_server: ServerProcess, tmp_path: Path
) -> None:
    data = busy_server.data_dir
    wait_for_writes(data / "scoring.db", 20)
    out = tmp_path / "backups" / "before-final.db"
    made = server_cmd("backup", "--data-dir", str(data), "--output", str(out))
    assert made.returncode == 0, made.stderr
    assert f"to {out}" in made.stdout
    with sqlite3.connect(out) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    saved = writes(out)
    assert saved >= 20
    assert not out.with_name(out.name + ".partial").exists()

    refused = server_cmd("restore", "--data-dir", str(data), "--input", str(out))
    assert refused.returncode == 1
    assert "running" in refused.stderr and "stop it first" in refused.stderr

    wait_for_writes(data / "scoring.db", saved + 20)  # the server went on writing
    busy_server.stop()
    done = server_cmd("restore", "--data-dir", str(data), "--input", str(out))
    assert done.returncode == 0, done.stderr
    kept = sorted(data.glob("scoring.db.before-restore-*"))
    assert len(kept) == 1 and writes(kept[0]) >= saved + 20, "nothing is lost"
    assert writes(data / "scoring.db") == saved

    busy_server.extra_args = []  # no bots: the restored data stays as it was
    busy_server.start()
    assert writes(data / "scoring.db") == saved


def test_backup_never_overwrites(tmp_path: Path, busy_server: ServerProcess) -> None:
    out = tmp_path / "taken.db"
    out.write_bytes(b"precious")
    with pytest.raises(BackupError, match="exists"):
        backup(busy_server.data_dir, out)
    assert out.read_bytes() == b"precious"
    with pytest.raises(BackupError, match="no database"):
        backup(tmp_path / "empty", tmp_path / "x.db")


def test_restore_refuses_damaged_or_newer_backups(tmp_path: Path) -> None:
    data = tmp_path / "srv"
    data.mkdir()
    current = data / "scoring.db"
    with sqlite3.connect(current) as conn:
        conn.execute("CREATE TABLE marker (x)")
    before = current.read_bytes()

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(BackupError, match="not a scoring database"):
        restore(data, junk)

    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.executescript(
            "CREATE TABLE users (id); CREATE TABLE scores (id);"
            f"PRAGMA user_version = {SCHEMA_VERSION + 1};"
        )
    with pytest.raises(BackupError, match="newer than this server"):
        restore(data, newer)
    assert current.read_bytes() == before
    assert list(data.glob("scoring.db.before-restore-*")) == []


def test_cli_reports_refusals_plainly(tmp_path: Path) -> None:
    result = server_cmd(
        "restore", "--data-dir", str(tmp_path / "srv"), "--input", str(tmp_path / "none.db")
    )
    assert result.returncode == 1
    assert "no such backup file" in result.stderr and "Traceback" not in result.stderr


def test_two_servers_cannot_share_a_data_dir(busy_server: ServerProcess) -> None:
    second = server_cmd("--port", "0", "--data-dir", str(busy_server.data_dir))
    assert second.returncode == 2
    assert "another scoring server is running" in second.stderr
