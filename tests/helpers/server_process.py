"""Run ``python -m scoring_console.server`` as a child process, on an ephemeral port.

The server prints ``Scoring server listening on http://HOST:PORT`` once it accepts
connections; the port is read from that line. ``kill()`` sends SIGKILL (a crash),
``restart()`` starts it again on the same port and data dir.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.helpers import postgres

LISTEN_RE = re.compile(r"listening on (http://[\d.]+:(\d+))")


class ServerProcess:
    """A bundled server in a child process."""

    def __init__(self, data_dir: Path, demo: bool = True, extra_args: list[str] | None = None):
        self.data_dir = data_dir
        self.demo = demo
        self.extra_args = extra_args or []
        self.port = 0
        self.url = ""
        self.proc: subprocess.Popen[str] | None = None
        self.output: list[str] = []

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until it listens."""
        args = [
            sys.executable,
            "-m",
            "scoring_console.server",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            *(["--demo"] if self.demo else []),
            *self.extra_args,
        ]
        database_url = postgres.server_database(self.data_dir)
        if database_url is not None:
            args += ["--database-url", database_url]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        found = threading.Event()

        def pump() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                self.output.append(line)
                match = LISTEN_RE.search(line)
                if match and not found.is_set():
                    self.url, self.port = match.group(1), int(match.group(2))
                    found.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not found.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start:\n" + "".join(self.output))

    def kill(self) -> None:
        """SIGKILL the server: no clean shutdown, as in a crash or power cut."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM), SIGKILL after 10 s."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self, timeout: float = 30.0) -> None:
        """Start again on the same port and data dir (after ``kill`` or ``stop``)."""
        self.stop()
        self.start(timeout)
