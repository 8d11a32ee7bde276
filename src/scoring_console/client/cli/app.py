"""The ``scoring-cli`` entry point: parse, set up logging, run one command, map errors."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from .. import tls
from ..errors import ClientError
from ..tls import CAFILE_ENV
from .args import parse_args
from .commands import COMMANDS
from .doctor import run_doctor
from .errors import EXIT_INTERRUPTED, EXIT_USAGE, CliError, from_client_error
from .output import Output
from .session import CliSession


async def run(args: argparse.Namespace, output: Output, stdin: TextIO) -> int:
    """Run one command; returns the exit code."""
    session = CliSession(args, output, stdin)
    try:
        return await COMMANDS[args.command](session)
    except BaseException:
        await session.close()
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``scoring-cli``."""
    args = parse_args(argv)
    _configure_logging(args.verbose)
    output = Output(args.json, sys.stdout, sys.stderr)
    if args.cafile is not None:
        os.environ[CAFILE_ENV] = str(args.cafile.resolve())
    try:
        tls.ssl_context()  # a bad pinned certificate is a usage error, said up front
    except tls.TlsConfigError as exc:
        return output.failure(EXIT_USAGE, str(exc))
    if args.command == "doctor":
        return run_doctor(output)
    try:
        return asyncio.run(run(args, output, sys.stdin))
    except CliError as exc:
        return output.failure(exc.code, exc.message)
    except ClientError as exc:
        error = from_client_error(exc, args.server)
        return output.failure(error.code, error.message)
    except KeyboardInterrupt:
        output.note("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _quiet_broken_pipe()


def _quiet_broken_pipe() -> int:
    """The reader went away (``scoring-cli watch | head``): end quietly, exit 1.

    stdout is pointed at the null device so the interpreter's final flush does not
    raise a second time (the recipe in Python's ``signal`` documentation).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 1


def _configure_logging(verbose: int) -> None:
    logging.basicConfig(
        level=logging.WARNING - 10 * min(verbose, 2),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if verbose == 0:
        # the core logs its reconnect attempts; a CLI user sees the summary instead
        logging.getLogger("scoring_console").setLevel(logging.ERROR)
        logging.getLogger("socketio").setLevel(logging.CRITICAL)
        logging.getLogger("engineio").setLevel(logging.CRITICAL)
