"""First start of a real (non-demo) server: ``scoring-server init`` and the no-accounts hint.

``scoring-server init --data-dir DIR --admin USERNAME [--name NAME]`` creates the
database (and the JWT secret) in ``DIR`` and the first ADMIN account. The password comes
from the ``SCORING_PASSWORD`` environment variable, else from an interactive prompt
(asked twice); it is never a command-line option, so it stays out of shell history and
process lists. ``init`` refuses a data dir that already has accounts (exit 1).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from scoring_console.protocol.roles import Role

from .app import StartupError, prepare_data_dir
from .config import ServerConfig, add_database_url_option
from .db import DatabaseError, open_database
from .service import ScoringService
from .tokens import load_or_create_secret, load_or_create_shared_secret

PASSWORD_ENV = "SCORING_PASSWORD"
MIN_PASSWORD_LENGTH = 8


class InitError(Exception):
    """``init`` cannot create the first admin; the message says why."""


def count_users(data_dir: Path, database_url: str | None = None) -> int:
    """How many accounts (active or not) the server's database holds (0 if none): the
    data dir's SQLite file, or the PostgreSQL database at ``database_url``."""
    config = ServerConfig(data_dir=data_dir, port=0, database_url=database_url)
    if database_url is None and not config.db_path.exists():
        return 0
    db = open_database(config.database)
    try:
        with db.reading() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])
    finally:
        db.close()


def no_accounts_hint(data_dir: Path) -> str:
    """What the server prints when it starts on a data dir without any account."""
    return (
        f"No accounts exist in {data_dir} yet, so nobody can log in.\n"
        "Create the first admin (it asks for the password, or reads $"
        f"{PASSWORD_ENV}):\n"
        f"  scoring-server init --data-dir {_quote(data_dir)} --admin USERNAME"
    )


def create_first_admin(
    data_dir: Path, username: str, name: str, password: str, database_url: str | None = None
) -> int:
    """Create the database, secret and the first ADMIN; returns its id.

    ``InitError`` if accounts already exist or the password is too short.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InitError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    config = ServerConfig(data_dir=data_dir, port=0, database_url=database_url)
    prepare_data_dir(config.data_dir)
    db = open_database(config.database)
    try:
        with db.reading() as conn:
            users = int(conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])
        if users:
            raise InitError(
                f"{data_dir} already has {users} account(s); init only sets up a fresh data "
                "dir. Log in as an admin and manage accounts with scoring-cli admin instead."
            )
        if database_url is None:
            load_or_create_secret(config.secret_path)
        else:
            load_or_create_shared_secret(db)
        service = ScoringService(db)
        user = service.accounts.create_user(username, name, Role.ADMIN, password)
        with db.transaction() as conn:
            service.shared._audit(
                conn,
                None,
                "account.create",
                "user",
                user.id,
                f"first admin {username} ({name}) created by scoring-server init",
                new={"username": username, "role": Role.ADMIN.value},
            )
        return user.id
    finally:
        db.close()


def build_init_parser() -> argparse.ArgumentParser:
    """The ``scoring-server init`` command line."""
    parser = argparse.ArgumentParser(
        prog="scoring-server init",
        description="Create the database and the first admin account on a fresh data dir. "
        f"The password is read from ${PASSWORD_ENV}, else asked for.",
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="the server's data dir")
    parser.add_argument("--admin", required=True, metavar="USERNAME", help="admin username")
    parser.add_argument("--name", default=None, help="display name (default: the username)")
    add_database_url_option(parser)
    return parser


def read_password(
    environ: dict[str, str] | os._Environ[str] = os.environ,
    prompt: Callable[[str], str] = getpass.getpass,
) -> str:
    """The new admin's password: ``$SCORING_PASSWORD``, else typed twice at a prompt."""
    from_env = environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    first = prompt("Password for the new admin: ")
    if prompt("Repeat the password: ") != first:
        raise InitError("the two passwords differ")
    return first


def init_main(argv: Sequence[str]) -> int:
    """``scoring-server init``: 0 on success, 1 when refused, 2 on bad arguments."""
    args = build_init_parser().parse_args(argv)
    username = args.admin.strip()
    if not username:
        print("scoring-server init: --admin must not be empty", file=sys.stderr)
        return 2
    try:
        password = read_password()
        user_id = create_first_admin(
            args.data_dir, username, args.name or username, password, args.database_url
        )
    except (InitError, StartupError, DatabaseError) as exc:
        print(f"scoring-server init: {exc}", file=sys.stderr, flush=True)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nscoring-server init: no password given", file=sys.stderr, flush=True)
        return 1
    print(f"Created admin {username!r} (user id {user_id}) in {args.data_dir}", flush=True)
    print(f"Start the server with: scoring-server --data-dir {_quote(args.data_dir)}", flush=True)
    return 0


def _quote(path: Path) -> str:
    text = str(path)
    return f"'{text}'" if any(c.isspace() for c in text) else text
