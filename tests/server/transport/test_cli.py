"""``python -m scoring_console.server`` as a process: the listening line, demo accounts,
clean exit on SIGTERM, and clear refusals for a taken port or an unusable data dir."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import postgres
from tests.helpers.server_process import ServerProcess


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scoring_console.server", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_prints_listening_line_and_demo_accounts_then_exits_0_on_sigterm(
    tmp_path: Path,
) -> None:
    proc = ServerProcess(data_dir=tmp_path / "data")
    proc.start()
    try:
        assert proc.port > 0
        assert proc.url == f"http://127.0.0.1:{proc.port}"
    finally:
        proc.stop()
    assert proc.proc is not None and proc.proc.returncode == 0, "".join(proc.output)
    out = "".join(proc.output)
    assert out.count("Scoring server listening on ") == 1, out
    for username in ("judge1", "judge5", "tally1", "auditor1", "board1", "organizer1", "admin"):
        assert username in out, out
    if not postgres.postgres_mode():  # on PostgreSQL the secret is in the database
        assert (tmp_path / "data" / "jwt-secret").stat().st_mode & 0o777 == 0o600


def test_taken_port_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run("--host", "127.0.0.1", "--port", str(port), "--data-dir", str(tmp_path))
    assert result.returncode == 2, result
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr, result.stderr
    assert "listening on" not in result.stdout


def test_unusable_data_dir_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = _run("--port", "0", "--data-dir", str(blocker / "data"))
    assert result.returncode == 2, result
    assert "data dir" in result.stderr, result.stderr


def test_bad_arguments_exit_2() -> None:
    result = _run("--port", "0", "--data-dir", "x", "--rate-limit", "0")
    assert result.returncode == 2
    assert "rate_limit_per_minute" in result.stderr
