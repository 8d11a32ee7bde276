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
use such a database: :func:`server_database` gives each server data dir its own
database (the same one again when a server restarts on that data dir; a copy of
another data dir's database with ``like=``); otherwise it is ``None`` and the tests use
the SQLite file in the data dir as always. The root conftest drops a test's databases
after it.
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

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
            with suppress(RuntimeError):
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


_by_dir: dict[Path, str] = {}
_made: list[str] = []


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def server_database(data_dir: Path, *, like: Path | None = None) -> str | None:
    """In PostgreSQL mode, the database URL of the server whose data dir is
    ``data_dir`` (created on first use: freshly migrated, or a copy of ``like``'s
    database); ``None`` in SQLite mode."""
    if not postgres_mode():
        return None
    key = Path(data_dir).resolve()
    with _server_lock:
        known = _by_dir.get(key)
        template = None if like is None else _by_dir.get(Path(like).resolve())
    if known is not None:
        return known
    url = server().fresh_database(None if template is None else _name(template))
    with _server_lock:
        _by_dir[key] = url
        _made.append(url)
    return url


def fresh_url() -> str:
    """A new migrated database on the session's server, in either mode (tests of the
    PostgreSQL backend itself); dropped with the test module's databases."""
    url = server().fresh_database()
    with _server_lock:
        _made.append(url)
    return url


def database_target(data_dir: Path) -> str | Path:
    """What ``open_database`` opens for ``data_dir``: its PostgreSQL database in
    PostgreSQL mode, else ``data_dir / "scoring.db"``."""
    return server_database(data_dir) or Path(data_dir) / "scoring.db"


def keep(data_dir: Path) -> None:
    """Keep ``data_dir``'s database past the current test (a session template)."""
    url = server_database(data_dir)
    with _server_lock:
        if url in _made:
            _made.remove(url)


def drop_test_databases() -> None:
    """Drop the databases made since the last call (not the kept templates)."""
    with _server_lock:
        made = list(_made)
        _made.clear()
        for key in [k for k, url in _by_dir.items() if url in made]:
            del _by_dir[key]
    if _server is None:
        return
    for url in made:
        _server.execute(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')


@contextmanager
def connect_to(data_dir: Path) -> Iterator[Any]:
    """A second connection to the database of the server in ``data_dir`` (its SQLite
    file, or its PostgreSQL database), ``?`` placeholders; committed and closed on exit."""
    url = server_database(data_dir)
    if url is None:
        conn = sqlite3.connect(Path(data_dir) / "scoring.db", timeout=10)
        try:
            with conn:
                yield conn
        finally:
            conn.close()
        return
    from scoring_console.server.db.postgres import connect

    pg = connect(url)  # autocommit
    try:
        yield pg
    finally:
        pg.raw.close()


def server_args(data_dir: Path) -> list[str]:
    """``["--database-url", URL]`` for a ``scoring-server`` command on ``data_dir`` in
    PostgreSQL mode, else ``[]``."""
    url = server_database(data_dir)
    return [] if url is None else ["--database-url", url]


def void_signing_secret(data_dir: Path) -> None:
    """Throw away the (stopped) server's JWT secret, so every token it issued is void on
    its next start: the ``jwt-secret`` file, or the ``settings`` row on PostgreSQL."""
    if not postgres_mode():
        (Path(data_dir) / "jwt-secret").unlink()
        return
    with connect_to(data_dir) as conn:
        conn.execute("DELETE FROM settings WHERE key = 'jwt_secret'")


def share(data_dir: Path, other_dir: Path) -> None:
    """PostgreSQL mode: the server on ``other_dir`` uses ``data_dir``'s database (two
    nodes of one cluster); nothing in SQLite mode."""
    url = server_database(data_dir)
    if url is None:
        return
    with _server_lock:
        _by_dir[Path(other_dir).resolve()] = url
