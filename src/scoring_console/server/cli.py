"""``scoring-server``: run the bundled scoring server until SIGINT / SIGTERM.

Prints ``Scoring server listening on http://HOST:PORT`` (flushed) once connections
are accepted — with ``--port 0`` that line tells the real port — then, with
``--demo``, the demo accounts. Exits 0 after a clean shutdown, 2 when it cannot start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from scoring_console import __version__

from .app import StartupError, start_server
from .config import ConfigError, ServerConfig
from .demo_data import BOT_USERS, DEMO_ACCOUNTS, DEMO_PASSWORD

LISTENING_LINE = "Scoring server listening on {url}"


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="scoring-server", description="The bundled real-time scoring server."
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
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="logging verbosity on stderr",
    )
    return parser


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
        if config.simulate:
            print(
                f"Simulating bot judges ({BOT_USERS[0][0]} … {BOT_USERS[-1][0]}) at "
                f"{config.simulate_rate:g} scores/s; judge1 … judge5 are left to people",
                flush=True,
            )
        await stop.wait()
    finally:
        await running.stop()
    print("Scoring server stopped", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``scoring-server`` and ``python -m scoring_console.server``."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
