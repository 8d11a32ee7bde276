"""A throwaway PostgreSQL server for the tests, from the system packages.

:class:`PostgresServer` runs ``initdb`` and ``pg_ctl`` (found under
``/usr/lib/postgresql/*/bin``) on a data directory in a fresh temporary directory, the
unix socket in that directory and TCP on a free loopback port; ``fsync`` stays on, as in
production. Trust authentication on loopback only. One server serves the whole test
session (:func:`server`, stopped by the root conftest at the end and at exit); every
test gets its own database, copied from a migrated template (``CREATE DATABASE …
TEMPLATE``), so tests never see each other's rows.

PostgreSQL refuses to run as root. When the tests run as root (containers, CI), the
server's commands run as the unprivileged ``nobody`` user through ``runuser -u nobody``
(util-linux), and its temporary directory is handed to that user (``chown``); otherwise
they run as the invoking user. Nothing else needs root.

``SCORING_TEST_DATABASE=postgresql`` (``make test-postgres``) makes every test server
use such a database (:func:`database_url`); otherwise :func:`database_url` is ``None``
and the tests use SQLite files as always.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

INSTALL_HINT = "sudo apt-get install -y postgresql"
MODE_VARIABLE = "SCORING_TEST_DATABASE"
SUPERUSER = "postgres"


def postgres_mode() -> bool:
    """True when the suite runs on PostgreSQL (``SCORING_TEST_DATABASE=postgresql``)."""
    return os.environ.get(MODE_VARIABLE, "").lower() in ("postgresql", "postgres")


def find_bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` with ``initdb``; a clear error
    with the install command if there is none."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    if not found:
        on_path = shutil.which("initdb")
        if on_path is None:
            raise RuntimeError(
                f"PostgreSQL's initdb was not found (tests on PostgreSQL need the server "
                f"binaries): {INSTALL_HINT}"
            )
        return Path(on_path).parent
    return found[-1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One PostgreSQL server in a temporary directory (see the module docstring)."""

    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="scoring-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                raise RuntimeError("running as root needs runuser (util-linux) to start PostgreSQL")
            self._as_user = ["runuser", "-u", "nobody", "--"]
            shutil.chown(self.root, user="nobody")
        self._names = itertools.count(1)
        self._lock = threading.Lock()
        self._templates: dict[str, str] = {}
        self.started = False

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*self._as_user, *args], capture_output=True, text=True, check=False, timeout=120
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        """``initdb`` and ``pg_ctl start``; waits until the server accepts connections."""
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200 -c shared_buffers=32MB"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        self.started = True

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory."""
        if self.started:
            self.started = False
            with contextlib.suppress(RuntimeError):
                self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        """The URL of ``database`` on this server (TCP, loopback)."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run one statement in the ``postgres`` database (autocommit)."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def template(self, name: str, build: Callable[[str], None]) -> str:
        """A template database ``name``, built once by ``build(url)``; returns ``name``."""
        with self._lock:
            if name not in self._templates:
                self.execute(f'CREATE DATABASE "{name}"')
                build(self.url(name))
                self._templates[name] = name
        return name

    def fresh_database(self, template: str | None = None) -> str:
        """The URL of a new database, a copy of ``template`` (default: freshly migrated)."""
        if template is None:
            template = self.template("scoring_migrated", _migrate)
        name = f"t{os.getpid()}_{next(self._names)}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)


def _migrate(url: str) -> None:
    from scoring_console.server.db import open_database

    open_database(url).close()


_server: PostgresServer | None = None
_server_lock = threading.Lock()


def server() -> PostgresServer:
    """The session's PostgreSQL server, started on first use."""
    global _server
    with _server_lock:
        if _server is None:
            candidate = PostgresServer()
            try:
                candidate.start()
            except BaseException:
                candidate.stop()
                raise
            atexit.register(candidate.stop)
            _server = candidate
        return _server


def stop_server() -> None:
    """Stop the session's server if one was started (the root conftest calls it)."""
    global _server
    with _server_lock:
        if _server is not None:
            _server.stop()
            _server = None


def database_url(template: str | None = None) -> str | None:
    """A fresh PostgreSQL database's URL in PostgreSQL mode, else ``None`` (SQLite)."""
    if not postgres_mode():
        return None
    return server().fresh_database(template)
