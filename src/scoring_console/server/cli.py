"""``scoring-server``: run the bundled scoring server until SIGINT / SIGTERM.

``scoring-server init …`` creates the first admin on a fresh data dir instead
(:mod:`.firstrun`); a server started without ``--demo`` on a data dir without accounts
prints the ``init`` command to run.

Prints ``Scoring server listening on http://HOST:PORT`` (flushed) once connections
are accepted — with ``--port 0`` that line tells the real port — then, with
``--demo``, the demo accounts. Exits 0 after a clean shutdown, 2 when it cannot start.

``--certfile/--keyfile`` serve over TLS (``https://``). Maintenance commands:
``scoring-server backup --data-dir DIR --output FILE`` (SQLite online backup, safe
while the server runs) and ``scoring-server restore --data-dir DIR --input FILE``
(server stopped); see :mod:`.backup`. They are for the SQLite file only: a server on
PostgreSQL (``--database-url``) is backed up with ``pg_dump`` (docs/database.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from scoring_console import __version__

from .app import StartupError, prepare_data_dir, start_server
from .backup import BackupError, DataDirLock, backup, restore
from .config import DATABASE_URL_ENV, ConfigError, ServerConfig, add_database_url_option
from .demo_data import BOT_USERS, DEMO_ACCOUNTS, DEMO_PASSWORD
from .firstrun import count_users, init_main, no_accounts_hint
from .private_files import PRIVATE_UMASK

LISTENING_LINE = "Scoring server listening on {url}"
METRICS_TOKEN_ENV = "SCORING_METRICS_TOKEN"
REDIS_URL_ENV = "SCORING_REDIS_URL"
MAINTENANCE_COMMANDS = ("backup", "restore")


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="scoring-server",
        description="The bundled real-time scoring server.",
        epilog="maintenance: 'scoring-server backup --data-dir DIR --output FILE' (safe while "
        "running) and 'scoring-server restore --data-dir DIR --input FILE' (server stopped)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="TCP port (0: any free port)")
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="database and JWT secret live here"
    )
    parser.add_argument("--demo", action="store_true", help="seed demo data and accounts")
    parser.add_argument(
        "--simulate", action="store_true", help="bot judges submit scores continuously"
    )
    parser.add_argument(
        "--simulate-rate",
        type=float,
        default=2.0,
        metavar="N",
        help="bot scores per second with --simulate (default 2)",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=60,
        metavar="N",
        help="writes per user per minute (default 60)",
    )
    _add_limit_options(parser)
    add_database_url_option(parser)
    _add_cluster_options(parser)
    parser.add_argument(
        "--certfile",
        type=Path,
        metavar="PEM",
        help="serve over TLS (https://) with this certificate chain",
    )
    parser.add_argument(
        "--keyfile",
        type=Path,
        metavar="PEM",
        help="the certificate's private key (if not in --certfile)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="logging verbosity on stderr",
    )
    return parser


# --- abuse limits (docs/security.md): one block, option → ServerConfig field -----------

_LIMITS = ServerConfig()
_LIMIT_OPTIONS: tuple[tuple[str, str, type, str], ...] = (
    (
        "--read-rate",
        "read_rate_per_minute",
        int,
        "reads (sync, scores:request, …) per user per minute",
    ),
    (
        "--login-failures",
        "login_failures_per_minute",
        int,
        "failed logins per address and username per minute",
    ),
    (
        "--login-failures-per-address",
        "login_failures_per_address_per_minute",
        int,
        "failed logins per address per minute",
    ),
    (
        "--lockout-threshold",
        "lockout_threshold",
        int,
        "consecutive failed logins that lock an account",
    ),
    (
        "--lockout-seconds",
        "lockout_base_seconds",
        int,
        "first lockout; doubles with each further failure",
    ),
    ("--lockout-max-seconds", "lockout_max_seconds", int, "longest lockout"),
    (
        "--max-sockets-per-user",
        "max_sockets_per_user",
        int,
        "live connections per user (console 1, CLI 1 more)",
    ),
    (
        "--max-queued-messages",
        "max_queued_messages",
        int,
        "unread messages per connection before it is dropped",
    ),
    (
        "--max-queued-bytes",
        "max_queued_bytes",
        int,
        "unread bytes per connection before it is dropped",
    ),
    (
        "--heartbeat-interval",
        "heartbeat_interval",
        float,
        "seconds between stored heartbeats per user",
    ),
    (
        "--session-sweep",
        "session_sweep_interval",
        float,
        "seconds between sweeps for expired sessions",
    ),
    ("--http-header-timeout", "http_header_timeout", float, "seconds to send a request's headers"),
    ("--http-body-timeout", "http_body_timeout", float, "seconds to send a request's body"),
    ("--max-http-connections", "max_http_connections", int, "open TCP connections"),
)


def _add_limit_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("abuse limits (see docs/security.md)")
    for flag, field, kind, text in _LIMIT_OPTIONS:
        default = getattr(_LIMITS, field)
        group.add_argument(
            flag,
            dest=field,
            type=kind,
            default=default,
            metavar="N",
            help=f"{text} (default {default})",
        )
    group.add_argument(
        "--metrics-token",
        default=os.environ.get(METRICS_TOKEN_ENV) or None,
        metavar="TOKEN",
        help=f"bearer token for /metrics (or ${METRICS_TOKEN_ENV}; default: none, and only "
        "loopback clients may read /metrics)",
    )
    group.add_argument(
        "--no-group-commit",
        action="store_true",
        help="one transaction and fsync per call instead of shared ones (for measuring)",
    )


def _add_cluster_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("cluster (several nodes; see docs/deployment.md)")
    group.add_argument(
        "--redis-url",
        default=os.environ.get(REDIS_URL_ENV) or None,
        metavar="URL",
        help=f"redis://HOST:PORT/DB: run as one node of a cluster (or ${REDIS_URL_ENV}); "
        "every node shares the database and this Redis",
    )
    group.add_argument(
        "--node-id",
        default=None,
        metavar="NAME",
        help="this node's name in /socket-health and /metrics (default HOST:PORT)",
    )


def _cluster_settings(args: argparse.Namespace) -> dict[str, object]:
    return {"redis_url": args.redis_url, "node_id": args.node_id}


def _limit_settings(args: argparse.Namespace) -> dict[str, object]:
    settings: dict[str, object] = {f: getattr(args, f) for _, f, _, _ in _LIMIT_OPTIONS}
    settings["metrics_token"] = args.metrics_token
    settings["group_commit"] = not args.no_group_commit
    return settings


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    """A validated :class:`ServerConfig` from parsed arguments."""
    return ServerConfig(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        demo=args.demo,
        simulate=args.simulate,
        simulate_rate=args.simulate_rate,
        rate_limit_per_minute=args.rate_limit,
        **_limit_settings(args),  # type: ignore[arg-type]
        **_cluster_settings(args),  # type: ignore[arg-type]
        certfile=args.certfile,
        keyfile=args.keyfile,
        database_url=args.database_url,
    )


def demo_accounts_table() -> str:
    """The demo accounts as a small text table."""
    rows = [(username, str(role)) for username, role in DEMO_ACCOUNTS]
    width = max([len("username"), *(len(r[0]) for r in rows)])
    lines = [f"Demo accounts (password: {DEMO_PASSWORD}):", f"  {'username':<{width}}  role"]
    lines += [f"  {username:<{width}}  {role}" for username, role in rows]
    return "\n".join(lines)


async def serve(config: ServerConfig) -> int:
    """Run until SIGINT / SIGTERM; the process exit code."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Handlers go in before start-up so a signal during it is not lost.
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    lock = DataDirLock(config.data_dir)
    try:
        prepare_data_dir(config.data_dir)  # a clear error for an unusable data dir
        # cluster nodes on one machine may share a data dir (and its SQLite file)
        if not lock.acquire(shared=config.cluster):
            raise StartupError(f"another scoring server is running on {config.data_dir}")
        running = await start_server(config)
    except (StartupError, OSError) as exc:
        lock.release()
        print(f"scoring-server: {exc}", file=sys.stderr, flush=True)
        return 2
    try:
        print(LISTENING_LINE.format(url=running.url), flush=True)
        if config.demo:
            print(demo_accounts_table(), flush=True)
        elif count_users(config.data_dir, config.database_url) == 0:
            print(no_accounts_hint(config.data_dir), flush=True)
        if config.simulate:
            print(
                f"Simulating bot judges ({BOT_USERS[0][0]} … {BOT_USERS[-1][0]}) at "
                f"{config.simulate_rate:g} scores/s; judge1 … judge5 are left to people",
                flush=True,
            )
        await stop.wait()
    finally:
        await running.stop()
        lock.release()
    print("Scoring server stopped", flush=True)
    return 0


def build_maintenance_parser() -> argparse.ArgumentParser:
    """``scoring-server backup|restore``."""
    parser = argparse.ArgumentParser(
        prog="scoring-server",
        description="Back up or restore a server's SQLite database file (DIR/scoring.db). "
        "A server on PostgreSQL (--database-url) is backed up with PostgreSQL's own tools, "
        "pg_dump and pg_restore: see docs/deployment.md.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    backup_cmd = sub.add_parser(
        "backup",
        help="copy the database to a new file (safe while the server runs)",
        description="SQLite online backup of DIR/scoring.db into FILE, checked with "
        "PRAGMA integrity_check. The server may keep running.",
    )
    backup_cmd.add_argument("--data-dir", type=Path, required=True, metavar="DIR")
    backup_cmd.add_argument("--output", type=Path, required=True, metavar="FILE")
    restore_cmd = sub.add_parser(
        "restore",
        help="replace the database with a backup (server stopped)",
        description="Replace DIR/scoring.db with FILE; the current database is kept "
        "as scoring.db.before-restore-TIME. Stop the server first.",
    )
    restore_cmd.add_argument("--data-dir", type=Path, required=True, metavar="DIR")
    restore_cmd.add_argument("--input", type=Path, required=True, metavar="FILE")
    return parser


def maintenance(argv: Sequence[str]) -> int:
    """Run ``backup`` or ``restore``; 0 on success, 1 with a message when refused."""
    args = build_maintenance_parser().parse_args(argv)
    if os.environ.get(DATABASE_URL_ENV):
        print(
            f"scoring-server {args.command}: ${DATABASE_URL_ENV} is set, but {args.command} "
            "works on the SQLite file of --data-dir only; back up a PostgreSQL database "
            "with pg_dump (see docs/deployment.md)",
            file=sys.stderr,
            flush=True,
        )
        return 1
    try:
        if args.command == "backup":
            info = backup(args.data_dir, args.output)
            print(
                f"Backed up {args.data_dir / 'scoring.db'} to {info.path} "
                f"({info.size_bytes} bytes, schema {info.schema_version}, "
                f"{info.users} users, {info.scores} scores)",
                flush=True,
            )
        else:
            kept = restore(args.data_dir, args.input)
            print(f"Restored {args.input} into {args.data_dir / 'scoring.db'}", flush=True)
            if kept is not None:
                print(f"The previous database is kept as {kept}", flush=True)
    except BackupError as exc:
        print(f"scoring-server {args.command}: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``scoring-server`` and ``python -m scoring_console.server``."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    os.umask(PRIVATE_UMASK)  # every file the server creates (database, backups) is owner-only
    if arguments[:1] == ["init"]:
        return init_main(arguments[1:])
    if arguments and arguments[0] in MAINTENANCE_COMMANDS:
        return maintenance(arguments)
    parser = build_parser()
    args = parser.parse_args(arguments)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        config = config_from_args(args)
    except ConfigError as exc:
        parser.error(str(exc))
    try:
        return asyncio.run(serve(config))
    except KeyboardInterrupt:
        return 0
