"""The real ``scoring-console`` process: --screenshot renders the filled window, and
closing it (SIGTERM, as from the desktop session or Ctrl+C) exits 0 with a clean stderr."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.helpers.server_process import ServerProcess

BAD_OUTPUT = (
    "Traceback",
    "Fatal Python error",
    "Exception ignored",
    "Task was destroyed",
    "was never retrieved",
    "Segmentation fault",
    "QObject::",
    "QThread: Destroyed",
)


def console_env(tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        SCORING_PASSWORD="demo",
        SCORING_CONSOLE_HOME=str(tmp_path / "console-home"),
        PYTHONUNBUFFERED="1",
    )


def assert_clean(stderr: str) -> None:
    for marker in BAD_OUTPUT:
        assert marker not in stderr, f"{marker!r} in stderr:\n{stderr}"


@pytest.mark.parametrize("username", ["tally1", "judge1"])
def test_screenshot_of_the_filled_window(
    server_process: ServerProcess, tmp_path: Path, username: str
) -> None:
    png = tmp_path / f"{username}.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scoring_console.ui",
            "--server",
            server_process.url,
            "--username",
            username,
            "--data-dir",
            str(tmp_path / "data"),
            "--screenshot",
            str(png),
            "--screenshot-delay",
            "0.2",
            "--size",
            "1100x700",
        ],
        env=console_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert_clean(result.stderr)
    image = QImage(str(png))
    assert not image.isNull()
    assert (image.width(), image.height()) == (1100, 700)
    colours = {image.pixel(x, y) for x in range(0, 1100, 7) for y in range(0, 700, 7)}
    assert len(colours) > 20, "the screenshot is (nearly) blank"


def test_closing_the_app_stops_the_core_and_exits_zero(
    server_process: ServerProcess, tmp_path: Path
) -> None:
    env = console_env(tmp_path)
    env["SCORING_LOG"] = "INFO"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scoring_console.ui",
            "--server",
            server_process.url,
            "--username",
            "judge2",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "console ready" in line:
                ready.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        assert ready.wait(30), "".join(lines)
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    reader.join(5)
    stderr = "".join(lines)
    assert code == 0, stderr
    assert_clean(stderr)
    assert "stopping the client core failed" not in stderr
    assert "session closed" in stderr
