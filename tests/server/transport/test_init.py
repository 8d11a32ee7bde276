"""``scoring-server init`` as a process: first admin on a fresh data dir, refusals, and the
hint a server without accounts prints."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scoring_console.server.db import open_database
from scoring_console.server.firstrun import InitError, read_password
from scoring_console.server.service import ScoringService
from tests.helpers.server_process import ServerProcess

pytestmark = pytest.mark.sqlite_only  # the SQLite file itself


def _init(
    data_dir: Path, *args: str, password: str | None = "s3cret-pass"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SCORING_PASSWORD"}
    if password is not None:
        env["SCORING_PASSWORD"] = password
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scoring_console.server",
            "init",
            "--data-dir",
            str(data_dir),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_init_creates_the_first_admin_who_can_log_in(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = _init(data, "--admin", "chief", "--name", "Chief Scorer")
    assert result.returncode == 0, result.stderr
    assert "Created admin 'chief'" in result.stdout
    assert f"scoring-server --data-dir {data}" in result.stdout
    assert (data / "jwt-secret").exists()
    db = open_database(data / "scoring.db")
    try:
        service = ScoringService(db)
        user = service.authenticate("chief", "s3cret-pass")
        assert user is not None and user.role == "ADMIN" and user.name == "Chief Scorer"
        assert service.authenticate("chief", "wrong-pass") is None
    finally:
        db.close()


def test_init_refuses_a_data_dir_that_has_users(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _init(data, "--admin", "chief").returncode == 0
    again = _init(data, "--admin", "other")
    assert again.returncode == 1
    assert "already has 1 account(s)" in again.stderr
    db = open_database(data / "scoring.db")
    try:
        assert ScoringService(db).get_user_by_username("other") is None
    finally:
        db.close()


def test_init_without_a_password_source_refuses_and_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = _init(data, "--admin", "chief", password=None)
    assert result.returncode == 1
    assert "chief" not in result.stdout
    assert _init(data, "--admin", "chief").returncode == 0  # nothing was half-created


def test_init_refuses_a_short_password_and_has_no_password_option(tmp_path: Path) -> None:
    short = _init(tmp_path / "a", "--admin", "chief", password="short")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    option = _init(tmp_path / "b", "--admin", "chief", "--password", "s3cret-pass")
    assert option.returncode == 2 and "unrecognized arguments" in option.stderr


def test_read_password_prompts_twice_without_the_environment_variable() -> None:
    answers = iter(["typed-password", "typed-password"])
    assert read_password({}, lambda _prompt: next(answers)) == "typed-password"
    mismatch = iter(["typed-password", "other-password"])
    with pytest.raises(InitError, match="differ"):
        read_password({}, lambda _prompt: next(mismatch))
    assert read_password({"SCORING_PASSWORD": "from-env-1"}, lambda _p: "unused") == "from-env-1"


@pytest.mark.slow
def test_server_without_accounts_prints_the_init_command(tmp_path: Path) -> None:
    data = tmp_path / "empty"
    proc = ServerProcess(data_dir=data, demo=False)
    proc.start()
    try:
        hint = f"scoring-server init --data-dir {data} --admin USERNAME"
        deadline = time.monotonic() + 20
        while hint not in "".join(proc.output) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        proc.stop()
    assert hint in "".join(proc.output), proc.output
    assert _init(data, "--admin", "chief").returncode == 0
    proc = ServerProcess(data_dir=data, demo=False)
    proc.start()
    proc.stop()
    assert "scoring-server init" not in "".join(proc.output)
