"""Two ``scoring-server`` processes serving the same data: a stand-in for a cluster.

Until nodes share PostgreSQL, two processes share one SQLite database and one JWT
signing secret. The server refuses a second process on one data dir (its
``server.lock``), so node 2 gets its own data dir whose ``scoring.db`` and ``jwt-secret``
are symbolic links to node 1's (SQLite resolves the link, so both processes use the same
file, WAL and locks). Each node delivers live events only to its own sockets; what a
client needs after a failover — login, refresh, ``sync``, idempotent writes — comes
from the shared database.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import postgres
from tests.helpers.server_process import ServerProcess

SHARED_FILES = ("scoring.db", "jwt-secret")


def start_pair(base: Path) -> list[ServerProcess]:
    """Start node 1 (demo data) and node 2 on the same database and secret."""
    first = ServerProcess(data_dir=base / "node1")
    first.start()
    second_dir = base / "node2"
    second_dir.mkdir(mode=0o700, parents=True)
    for name in SHARED_FILES:
        os.symlink(first.data_dir / name, second_dir / name)
    postgres.share(first.data_dir, second_dir)  # PostgreSQL mode: one database, as a cluster
    second = ServerProcess(data_dir=second_dir, demo=False)
    try:
        second.start()
    except BaseException:
        first.stop()
        raise
    return [first, second]


@contextlib.contextmanager
def server_pair(base: Path) -> Iterator[list[ServerProcess]]:
    """Two nodes for the test's duration; both stopped (or already killed) at the end."""
    nodes = start_pair(base)
    try:
        yield nodes
    finally:
        for node in nodes:
            node.stop()


def dead_url() -> str:
    """A loopback address where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
