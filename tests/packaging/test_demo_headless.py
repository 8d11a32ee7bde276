"""``make demo`` without a display starts nothing and says what to do; a console that
dies without cleaning up (Qt's abort) does not leave the demo server holding the port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scoring_console.demo import display_missing, port_free


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def headless_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["SCORING_CONSOLE_HOME"] = str(tmp_path / "home")
    env.update(extra)
    return env


def test_display_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert display_missing({})
    assert display_missing({"QT_QPA_PLATFORM": "xcb"})
    assert not display_missing({"DISPLAY": ":0"})
    assert not display_missing({"WAYLAND_DISPLAY": "wayland-0"})
    assert not display_missing({"QT_QPA_PLATFORM": "offscreen"})


def test_demo_without_a_display_explains_and_starts_nothing(tmp_path: Path) -> None:
    port = free_port()
    result = subprocess.run(
        [sys.executable, "-m", "scoring_console.demo", "--port", str(port)],
        env=headless_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "No display" in result.stderr
    assert "xvfb-run -a make demo" in result.stderr and "make server" in result.stderr
    assert port_free("127.0.0.1", port)
    assert not (tmp_path / ".demo-data").exists(), "nothing is started or created"


def test_server_stops_when_the_console_aborts(tmp_path: Path) -> None:
    # DISPLAY names no X server: Qt aborts the process (SIGABRT, no finally blocks run).
    port = free_port()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scoring_console.demo",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "demo"),
        ],
        env=headless_env(tmp_path, DISPLAY=":97", QT_QPA_PLATFORM="xcb"),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode != 0
    assert "Demo server listening on" in result.stdout, "the server had started"
    deadline = time.monotonic() + 15
    while not port_free("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert port_free("127.0.0.1", port), "the demo server outlived the console"
