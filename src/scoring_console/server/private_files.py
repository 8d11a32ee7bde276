"""Owner-only files: the data dir 0700, the database, its WAL and the secret 0600.

The server's database holds every unmasked score and the password hashes. New files
are created owner-only (the CLI sets ``umask 077`` at start, and the database file is
created 0600 before SQLite opens it — SQLite gives its WAL and shared-memory files the
database file's mode); files an older version left readable are tightened on start,
with a log line each. (The console's ``store`` has its own copy of these few lines:
the server may import nothing but ``protocol``.)
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if needed; make ``path`` itself 0700."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, DIR_MODE)


def private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 if it does not exist; else tighten it to 0600."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        _tighten(path, FILE_MODE)
    else:
        os.close(fd)


def tighten_tree(directory: Path) -> None:
    """Make ``directory`` 0700 and every regular file directly in it at most 0600."""
    _tighten(directory, DIR_MODE)
    for entry in directory.iterdir():
        if entry.is_file() and not entry.is_symlink():
            _tighten(entry, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    current = stat.S_IMODE(path.stat().st_mode)
    if current & ~mode & 0o077:  # group or others may read, write or enter
        os.chmod(path, current & mode)
        log.warning(
            "tightened permissions of %s from %04o to %04o (owner only)",
            path,
            current,
            current & mode,
        )
