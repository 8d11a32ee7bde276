"""``scoring-cli watch | head`` ends quietly: no BrokenPipe traceback when the reader
goes away (the demo server's bot judges keep the events coming)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.server_process import ServerProcess

CLI = Path(sys.executable).with_name("scoring-cli")


@pytest.fixture
def busy_server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        data_dir=tmp_path / "srv", extra_args=["--simulate", "--simulate-rate", "50"]
    )
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


def test_watch_into_a_closed_pipe_ends_quietly(busy_server: ServerProcess, tmp_path: Path) -> None:
    env = dict(
        os.environ,
        SCORING_PASSWORD="demo",
        SCORING_CONSOLE_KEYRING="memory",
        SCORING_CONSOLE_HOME=str(tmp_path / "home"),
    )
    watch = subprocess.Popen(
        [
            str(CLI),
            "--server",
            busy_server.url,
            "--username",
            "tally1",
            "--json",
            "watch",
            "--seconds",
            "60",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    head = subprocess.run(["head", "-n", "3"], stdin=watch.stdout, capture_output=True, timeout=60)
    assert watch.stdout is not None
    watch.stdout.close()  # only head holds the pipe now; it has exited
    _, stderr = watch.communicate(timeout=60)
    assert len(head.stdout.splitlines()) == 3
    assert watch.returncode == 1
    assert b"Traceback" not in stderr and b"BrokenPipe" not in stderr, stderr.decode()
