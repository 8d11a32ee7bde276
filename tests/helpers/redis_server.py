"""A throwaway ``redis-server`` for tests: loopback, a free port, no persistence.

Uses the system package's binary (``/usr/bin/redis-server``; Debian/Ubuntu:
``sudo apt-get install -y redis-server``). The server runs in the foreground as a child
process with no RDB snapshots and no AOF, and is stopped (SIGTERM, then SIGKILL) at the
end.

It starts without libfaketime even when the suite runs under ``faketime`` (the check
that no test depends on today's date): redis-server aborts under it (libfaketime's
``clock_gettime`` recursion with Redis's allocator). Nothing compares Redis's clock with
the nodes': the cluster's rate-limit buckets run on Redis's clock alone, and the login
guard's times come from the nodes.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

REDIS_SERVER = "/usr/bin/redis-server"
INSTALL_HINT = "redis-server is missing: sudo apt-get install -y redis-server"


def free_port() -> int:
    """A TCP port nobody listens on right now (loopback)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One ``redis-server`` child process on ``127.0.0.1:port``."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        """Start it and wait until it answers PING."""
        binary = REDIS_SERVER if Path(REDIS_SERVER).exists() else shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(INSTALL_HINT)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        args = [
            binary,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.workdir),
            "--protected-mode", "yes",
            "--loglevel", "warning",
        ]  # fmt: skip
        env = {
            key: value
            for key, value in os.environ.items()
            if key != "LD_PRELOAD" and not key.startswith("FAKETIME")
        }
        self.proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=env
        )
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop it (idempotent)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
