"""``make demo``: server subprocess + console as tally1, server stopped afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from scoring_console.demo import port_free


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["SCORING_CONSOLE_HOME"] = str(tmp_path / "home")
    env.pop("SCORING_PASSWORD", None)
    return env


def test_demo_opens_a_live_tally_console_and_stops_its_server(tmp_path: Path) -> None:
    port = free_port()
    png = tmp_path / "demo.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scoring_console.demo",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "demo-data"),
            "--screenshot",
            str(png),
        ],
        env=demo_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert png.is_file() and png.stat().st_size > 10_000
    assert f"http://127.0.0.1:{port}" in result.stdout
    assert "--username judge1" in result.stdout
    assert "Demo server stopped." in result.stdout
    assert port_free("127.0.0.1", port), "the demo server must stop with the console"
    assert "Traceback" not in result.stderr


def test_demo_says_when_the_port_is_busy(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "scoring_console.demo", "--port", str(port)],
            env=demo_env(tmp_path),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 2
    assert f"Port {port}" in result.stderr and "busy" in result.stderr
