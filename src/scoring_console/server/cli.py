"""``scoring-server``: run the bundled scoring server until SIGINT / SIGTERM.

``scoring-server init …`` creates the first admin on a fresh data dir instead
(:mod:`.firstrun`); a server started without ``--demo`` on a data dir without accounts
prints the ``init`` command to run.

Prints ``Scoring server listening on http://HOST:PORT`` (flushed) once connections
are accepted — with ``--port 0`` that line tells the real port — then, with
``--demo``, the demo accounts. Exits 0 after a clean shutdown, 2 when it cannot start.
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

from .app import StartupError, start_server
from .config import ConfigError, ServerConfig
from .demo_data import DEMO_ACCOUNTS, DEMO_PASSWORD
from .firstrun import count_users, init_main, no_accounts_hint
from .private_files import PRIVATE_UMASK

LISTENING_LINE = "Scoring server listening on {url}"
METRICS_TOKEN_ENV = "SCORING_METRICS_TOKEN"


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="scoring-server", description="The bundled real-time scoring server."
    )
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
    try:
        running = await start_server(config)
    except StartupError as exc:
        print(f"scoring-server: {exc}", file=sys.stderr, flush=True)
        return 2
    try:
        print(LISTENING_LINE.format(url=running.url), flush=True)
        if config.demo:
            print(demo_accounts_table(), flush=True)
        elif count_users(config.data_dir) == 0:
            print(no_accounts_hint(config.data_dir), flush=True)
        if config.simulate:
            print(f"Simulating bot judges at {config.simulate_rate:g} scores/s", flush=True)
        await stop.wait()
    finally:
        await running.stop()
    print("Scoring server stopped", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``scoring-server`` and ``python -m scoring_console.server``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["init"]:
        return init_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    os.umask(PRIVATE_UMASK)  # every file the server creates is owner-only
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
