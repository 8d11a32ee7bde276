"""``scoring-cli``: a command-line client over the same core as the desktop console.

Useful at the venue (rehearsals, troubleshooting, a scripted bot judge) and for
black-box tests. It drives :class:`~scoring_console.client.core.ClientCore` only, with
the same per-user data dir as the desktop app, so entries queued by one are sent by
the other.

The password comes from ``SCORING_PASSWORD`` or a terminal prompt, never from the
command line; a stored refresh token (OS keyring) logs in silently.
``SCORING_CONSOLE_KEYRING=memory`` swaps the keyring for the in-memory backend of
:mod:`.memory_keyring` (tests: nothing persists between runs, so every run needs the
password), ``none`` disables storing the token. Exit codes are listed in ``--help``
(:data:`EPILOG`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from keyring.backend import KeyringBackend
from pydantic import BaseModel, ValidationError

from scoring_console.protocol import ServerEvent
from scoring_console.store.outbox import EntryState, OutboxEntry

from .connection import ConnectionState, ConnectionStatus
from .core import ClientCore
from .errors import (
    ClientError,
    InvalidCredentials,
    NotLoggedIn,
    ServerUnreachable,
    SessionExpired,
)

PASSWORD_ENV = "SCORING_PASSWORD"
SERVER_ENV = "SCORING_SERVER"
USERNAME_ENV = "SCORING_USERNAME"
KEYRING_ENV = "SCORING_CONSOLE_KEYRING"
DEFAULT_SERVER = "http://127.0.0.1:8765"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_AUTH = 4
EXIT_INVALID = 5
EXIT_INTERRUPTED = 130

EPILOG = f"""\
password:
  Taken from the environment variable {PASSWORD_ENV}, else prompted for on a terminal;
  never a command-line option. Without a terminal and without {PASSWORD_ENV} the
  command fails with exit code 2. After a login the refresh token is kept in the OS
  keyring (keyed by server and username), so later runs log in silently.

environment:
  {SERVER_ENV}      default for --server (else {DEFAULT_SERVER})
  {USERNAME_ENV}    default for --username
  {PASSWORD_ENV}    the password (see above)
  {KEYRING_ENV}     keyring backend: "system" (default: the OS keyring),
                           "memory" (in-process only: nothing persists between runs, so
                           every run logs in with the password; meant for tests), or
                           "none" (never store the refresh token)
  SCORING_CONSOLE_HOME     put every per-user folder under this directory

exit codes:
  0  success (submit: the entry is synced or safely pending in the outbox;
     flush: the outbox holds nothing unsent and nothing rejected)
  1  the operation did not succeed (submit: rejected by the server; flush: entries
     still pending after --timeout, or rejected entries present)
  2  usage error (bad option, no password available, bad keyring setting)
  3  server unreachable (for commands that need it: sync, watch, flush, status)
  4  authentication failed (wrong password, session expired or account deactivated)
  5  invalid input (unknown category / contestant / criterion, score out of range)
  130 interrupted (Ctrl-C)
"""

log = logging.getLogger(__name__)


class CliError(Exception):
    """A failure reported to the user as one line on stderr, with an exit code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- output ------------------------------------------------------------------------------


@dataclass
class Output:
    """Where results go: human lines or one JSON document per result."""

    json_mode: bool
    out: TextIO
    err: TextIO

    def result(self, human: str | Sequence[str], data: Any) -> None:
        """Print one result: ``data`` as JSON with ``--json``, else the human lines."""
        if self.json_mode:
            self.out.write(json.dumps(data, default=str, sort_keys=False) + "\n")
        else:
            lines = [human] if isinstance(human, str) else list(human)
            for line in lines:
                self.out.write(line + "\n")
        self.out.flush()

    def line(self, data: Any) -> None:
        """One JSON line (``watch``), whatever the mode."""
        self.out.write(json.dumps(data, default=str) + "\n")
        self.out.flush()

    def note(self, message: str) -> None:
        """Progress or diagnostics for people: always stderr, never in JSON output."""
        self.err.write(message + "\n")
        self.err.flush()


def entry_json(entry: OutboxEntry) -> dict[str, Any]:
    """A JSON-ready view of one outbox entry."""
    return {
        "id": entry.id,
        "clientId": entry.client_id,
        "kind": str(entry.kind),
        "state": str(entry.state),
        "description": entry.describe(),
        "categoryId": entry.category_id,
        "contestantId": entry.contestant_id,
        "criterionId": entry.criterion_id,
        "payload": entry.payload,
        "errorCode": entry.error_code,
        "errorMessage": entry.error_message,
        "attempts": entry.attempts,
        "createdAt": entry.created_at.isoformat(),
        "updatedAt": entry.updated_at.isoformat(),
    }


def entry_line(entry: OutboxEntry) -> str:
    """One human line for an outbox entry."""
    what = str(entry.kind)
    if entry.category_id is not None:
        what += f" cat={entry.category_id}"
    if entry.contestant_id is not None:
        what += f" contestant={entry.contestant_id}"
    if entry.criterion_id is not None:
        what += f" criterion={entry.criterion_id}"
    if "score" in entry.payload:
        what += f" score={entry.payload['score']}"
    stamp = entry.created_at.strftime("%Y-%m-%d %H:%M:%S")
    return f"#{entry.id:<5} {stamp}  {what:<48} {entry.describe()}"


def connection_json(state: ConnectionState) -> dict[str, Any]:
    """A JSON-ready view of the connection state."""
    return {
        "status": str(state.status),
        "attempt": state.attempt,
        "retryIn": state.retry_in,
        "reason": state.reason,
        "description": state.describe(),
    }


# --- credentials ---------------------------------------------------------------------------


def keyring_backend_from_env() -> KeyringBackend | None:
    """The keyring backend chosen by ``SCORING_CONSOLE_KEYRING`` (None: the OS keyring)."""
    choice = os.environ.get(KEYRING_ENV, "").strip().lower()
    if choice in ("", "system", "default"):
        return None
    if choice == "memory":
        from .memory_keyring import MemoryKeyring

        return MemoryKeyring()
    if choice in ("none", "off", "fail"):
        from keyring.backends import fail

        return fail.Keyring()  # type: ignore[no-untyped-call]
    raise CliError(EXIT_USAGE, f"{KEYRING_ENV}={choice!r} is not one of: system, memory, none")


def read_password(username: str, server: str, stdin: TextIO) -> str:
    """The password from ``SCORING_PASSWORD`` or a prompt; exit 2 when neither is possible."""
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not stdin.isatty():
        raise CliError(
            EXIT_USAGE,
            f"a password is needed for {username} at {server}: set {PASSWORD_ENV} "
            "(stdin is not a terminal, so it cannot be prompted for)",
        )
    try:
        return getpass.getpass(f"Password for {username} at {server}: ")
    except (EOFError, KeyboardInterrupt):
        raise CliError(EXIT_USAGE, "no password given") from None


# --- session -----------------------------------------------------------------------------


class Cli:
    """One command run: a core, its session, and the output."""

    def __init__(self, args: argparse.Namespace, output: Output, stdin: TextIO) -> None:
        self.args = args
        self.output = output
        self.stdin = stdin
        self.core = ClientCore(
            args.server,
            args.username,
            data_dir=args.data_dir,
            keyring_backend=keyring_backend_from_env(),
        )
        self.online = False
        self.resumable = False
        self.password: str | None = None
        self.offline_reason: str | None = None
        self._cache_loaded = False

    async def close(self, flush_timeout: float = 0.0) -> None:
        """Stop the core: flush what it can within ``flush_timeout``, close the store."""
        try:
            await self.core.stop(flush_timeout=flush_timeout)
        except Exception:  # closing must not hide the command's own result
            log.exception("stopping the client core failed")

    async def authenticate(self) -> bool:
        """Log in (silently with a stored refresh token, else with the password).

        True when logged in online. False when the server is unreachable: the cached
        snapshot is loaded then, and :attr:`resumable` says whether a stored refresh
        token lets :meth:`ClientCore.start` connect once the server is back. Raises
        :class:`CliError` for authentication failures.
        """
        try:
            user = await self.core.resume()
        except ServerUnreachable as exc:
            self.resumable = True  # the core keeps the stored token for start()
            return self._go_offline(str(exc))
        except SessionExpired:
            user = None  # the stored token was refused: ask for the password
        if user is None:
            if self.password is None:
                self.password = read_password(self.args.username, self.args.server, self.stdin)
            try:
                await self.core.login(self.password)
            except InvalidCredentials as exc:
                raise CliError(EXIT_AUTH, f"login refused: {exc}") from None
            except ServerUnreachable as exc:
                return self._go_offline(str(exc))
        self.online = True
        self.offline_reason = None
        return True

    def _go_offline(self, reason: str) -> bool:
        self.offline_reason = reason or "server unreachable"
        if not self._cache_loaded:
            self._cache_loaded = True
            self.core.open_offline()
        return False

    async def connect(self, within: float) -> ConnectionState:
        """Start the core and wait until it is connected (or gives up on auth)."""
        done = asyncio.Event()

        def changed(state: ConnectionState) -> None:
            if state.status in (ConnectionStatus.CONNECTED, ConnectionStatus.AUTH_FAILED):
                done.set()

        unsubscribe = self.core.connection_changed.connect(changed)
        try:
            await self.core.start()
            changed(self.core.connection)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), within)
        finally:
            unsubscribe()
        state = self.core.connection
        if state.status is ConnectionStatus.AUTH_FAILED:
            raise CliError(EXIT_AUTH, f"the server refused the session: {state.reason}")
        return state

    async def go_online(self, within: float) -> bool:
        """Authenticate and connect; False (offline, cache loaded) when unreachable."""
        if not await self.authenticate():
            return False
        state = await self.connect(within)
        if not state.connected:
            self.offline_reason = state.reason or state.describe()
            return False
        return True

    def unreachable(self) -> CliError:
        """The error for a command that needs the server."""
        reason = self.offline_reason or f"cannot reach {self.args.server}"
        return CliError(EXIT_UNREACHABLE, f"server unreachable: {reason}")

    async def wait_until(self, predicate: Callable[[], bool], within: float | None) -> bool:
        """Wait until ``predicate()`` holds, re-checking on every outbox/connection change."""
        wake = asyncio.Event()

        def poke(_value: object) -> None:
            wake.set()

        unsubscribe = [
            self.core.outbox_changed.connect(poke),
            self.core.connection_changed.connect(poke),
        ]
        deadline = None if within is None else time.monotonic() + within
        try:
            while not predicate():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                wake.clear()
                # re-check at least every half second: a change might be missed between
                # the predicate and the wait, and pruning emits nothing
                wait = 0.5 if remaining is None else min(0.5, remaining)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), wait)
            return True
        finally:
            for off in unsubscribe:
                off()

    def counts(self) -> tuple[int, int]:
        """(pending, rejected) entries in the outbox."""
        entries = self.core.outbox_entries()
        pending = sum(1 for e in entries if e.is_pending)
        rejected = sum(1 for e in entries if e.state is EntryState.REJECTED)
        return pending, rejected

    # --- validation against the cached/synced snapshot --------------------------------

    def check_cell(
        self, category_id: int, contestant_id: int, criterion_id: int, score: float
    ) -> None:
        """Refuse unknown ids or an out-of-range score when the snapshot says so.

        With no snapshot (never synced, offline) nothing can be checked here; the server
        checks again in any case.
        """
        state = self.core.state
        if score < 0:
            raise CliError(EXIT_INVALID, f"score {score} is negative")
        if not state.categories:
            return
        category = state.categories.get(category_id)
        if category is None:
            known = ", ".join(str(c) for c in sorted(state.categories)) or "none"
            raise CliError(EXIT_INVALID, f"unknown category {category_id} (known: {known})")
        if contestant_id not in category.contestant_ids:
            known = ", ".join(str(c) for c in category.contestant_ids) or "none"
            raise CliError(
                EXIT_INVALID,
                f"contestant {contestant_id} is not in category {category_id} "
                f"(contestants: {known})",
            )
        criteria = {c.id: c for c in category.criteria}
        criterion = criteria.get(criterion_id)
        if criterion is None:
            known = ", ".join(f"{c.id} ({c.name})" for c in category.criteria) or "none"
            raise CliError(
                EXIT_INVALID,
                f"criterion {criterion_id} is not in category {category_id} (criteria: {known})",
            )
        if score > criterion.max_score:
            raise CliError(
                EXIT_INVALID,
                f"score {score} is above the maximum {criterion.max_score:g} of "
                f"criterion {criterion_id} ({criterion.name})",
            )


# --- commands ------------------------------------------------------------------------------


async def cmd_status(cli: Cli) -> int:
    """Connection state, user, role, pending/rejected counts."""
    online = await cli.go_online(cli.args.timeout)
    user = cli.core.user or cli.core.state.user
    pending, rejected = cli.counts()
    state = cli.core.connection
    data = {
        "server": cli.args.server,
        "connection": connection_json(state),
        "online": online,
        "offlineReason": None if online else cli.offline_reason,
        "user": user.to_wire() if user else None,
        "pending": pending,
        "rejected": rejected,
        "keyringAvailable": cli.core.keyring_available,
        "seq": cli.core.state.seq,
    }
    who = f"{user.username} ({user.name}, {user.role})" if user else cli.args.username
    lines = [
        f"server:     {cli.args.server}",
        f"connection: {state.describe() if online else 'offline: ' + (cli.offline_reason or '?')}",
        f"user:       {who}",
        f"outbox:     {pending} pending, {rejected} rejected",
        "keyring:    "
        + ("available" if cli.core.keyring_available else "unavailable (token in memory only)"),
    ]
    cli.output.result(lines, data)
    await cli.close()
    return EXIT_OK if online else EXIT_UNREACHABLE


def snapshot_json(cli: Cli) -> dict[str, Any]:
    """The synced state as a snapshot-shaped JSON document."""
    state = cli.core.state

    def dump(models: dict[int, Any]) -> list[Any]:
        return [m.to_wire() for _, m in sorted(models.items())]

    return {
        "seq": state.seq,
        "user": state.user.to_wire() if state.user else None,
        "events": dump(state.events),
        "contests": dump(state.contests),
        "categories": dump(state.categories),
        "contestants": dump(state.contestants),
        "assignments": dump(state.assignments),
        "scores": dump(state.scores),
        "certifications": dump(state.certifications),
        "deductions": dump(state.deductions),
        "removalRequests": dump(state.removal_requests),
        "notifications": dump(state.notifications),
        "announcements": dump(state.announcements),
        "presence": dump(state.presence),
    }


async def cmd_sync(cli: Cli) -> int:
    """Fetch the snapshot and print a summary (``--json``: the snapshot)."""
    if not await cli.go_online(cli.args.timeout):
        await cli.close()
        raise cli.unreachable()
    state = cli.core.state
    lines = [f"synced at seq {state.seq} as {state.user.username if state.user else '?'}"]
    for category in sorted(state.categories.values(), key=lambda c: c.id):
        scores = state.scores_in(category.id)
        cells = len(category.contestant_ids) * len(category.criteria)
        criteria = ", ".join(f"{c.id}={c.name}" for c in category.criteria)
        lines.append(
            f"  category {category.id} {category.name!r}: {len(category.contestant_ids)} "
            f"contestants {category.contestant_ids}, criteria [{criteria}], "
            f"{len(scores)} scores visible ({cells} cells per judge)"
        )
    lines.append(
        f"  {len(state.contests)} contests, {len(state.contestants)} contestants, "
        f"{len(state.scores)} scores, {len(state.assignments)} assignments, "
        f"{len(state.notifications)} notifications, {len(state.announcements)} announcements"
    )
    cli.output.result(lines, snapshot_json(cli))
    await cli.close(flush_timeout=1.0)
    return EXIT_OK


async def cmd_submit(cli: Cli) -> int:
    """Commit a score to the outbox, try to send it, print the entry's state."""
    args = cli.args
    online = await cli.go_online(args.timeout)
    cli.check_cell(args.category, args.contestant, args.criterion, args.score)
    try:
        entry = await cli.core.submit_score(
            args.category, args.contestant, args.criterion, args.score, args.comment
        )
    except ValidationError as exc:
        errors = "; ".join(str(err["msg"]) for err in exc.errors(include_url=False))
        raise CliError(EXIT_INVALID, f"invalid score: {errors}") from None
    latest: dict[int, OutboxEntry] = {entry.id: entry}

    def track(changed: OutboxEntry) -> None:
        if changed.id == entry.id:
            latest[entry.id] = changed

    def current() -> OutboxEntry:
        # read the file too: another process on this profile (the desktop app) may be
        # the one that sends it, and its outcome is not announced in this process
        stored = next((e for e in cli.core.outbox_entries() if e.id == entry.id), None)
        if stored is not None:
            latest[entry.id] = stored
        return latest[entry.id]

    unsubscribe = cli.core.outbox_changed.connect(track)
    if online:
        await cli.wait_until(lambda: not current().is_pending, args.wait)
    unsubscribe()
    final = current()
    if not online:
        cli.output.note(
            f"server unreachable ({cli.offline_reason}); the score is saved locally "
            "and will be sent by a later run (e.g. `scoring-cli flush`) or the console"
        )
    data = entry_json(final)
    cli.output.result(final.describe(), data)
    await cli.close(flush_timeout=1.0 if online else 0.0)
    return EXIT_FAILED if final.state is EntryState.REJECTED else EXIT_OK


async def cmd_flush(cli: Cli) -> int:
    """Send what is pending; exit 0 only when nothing is pending or rejected."""
    timeout: float = cli.args.timeout
    deadline = time.monotonic() + timeout

    def left() -> float:
        return max(0.0, deadline - time.monotonic())

    online = await cli.authenticate()
    while not online and not cli.resumable and left() > 0:
        # the server may be on its way back: keep trying to log in until the deadline
        await asyncio.sleep(min(1.0, left()))
        online = await cli.authenticate()
    connected = False
    if online or cli.resumable:
        # with a stored token the core reconnects by itself until the deadline
        connected = (await cli.connect(max(0.1, left()))).connected
        if connected:
            await cli.core.flush(left())
    entries = cli.core.outbox_entries()
    pending = [e for e in entries if e.is_pending]
    rejected = [e for e in entries if e.state is EntryState.REJECTED]
    data = {
        "online": connected,
        "pending": len(pending),
        "rejected": len(rejected),
        "entries": [entry_json(e) for e in pending + rejected],
    }
    lines = [f"{len(pending)} pending, {len(rejected)} rejected"]
    lines += [entry_line(e) for e in pending + rejected]
    cli.output.result(lines, data)
    await cli.close()
    if not connected and pending:
        raise cli.unreachable()
    return EXIT_OK if not pending and not rejected else EXIT_FAILED


async def cmd_outbox(cli: Cli) -> int:
    """List the outbox entries with their states (local only, no network)."""
    cli.core.open_offline()
    entries = cli.core.outbox_entries()
    data = {"entries": [entry_json(e) for e in entries]}
    lines = [entry_line(e) for e in entries] or ["outbox is empty"]
    cli.output.result(lines, data)
    await cli.close()
    return EXIT_OK


async def cmd_watch(cli: Cli) -> int:
    """Print incoming events as JSON lines for ``--seconds`` (default: until Ctrl-C)."""
    if not await cli.go_online(cli.args.timeout):
        await cli.close()
        raise cli.unreachable()

    def on_event(item: tuple[ServerEvent, BaseModel]) -> None:
        event, payload = item
        cli.output.line(
            {"event": str(event), "payload": payload.model_dump(mode="json", by_alias=True)}
        )

    def on_connection(state: ConnectionState) -> None:
        cli.output.note(f"connection: {state.describe()}")

    offs = [
        cli.core.event_received.connect(on_event),
        cli.core.connection_changed.connect(on_connection),
    ]
    cli.output.note(f"watching {cli.args.server} as {cli.args.username}")
    try:
        if cli.args.seconds is None:
            await asyncio.Event().wait()
        else:
            await asyncio.sleep(cli.args.seconds)
    finally:
        for off in offs:
            off()
        await cli.close()
    return EXIT_OK


COMMANDS: dict[str, Callable[[Cli], Any]] = {
    "status": cmd_status,
    "sync": cmd_sync,
    "submit": cmd_submit,
    "flush": cmd_flush,
    "outbox": cmd_outbox,
    "watch": cmd_watch,
}


# --- argument parsing ------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive id")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds")
    return value


def _score(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{text} is not a finite number")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``scoring-cli`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="scoring-cli",
        description="Command-line client for the Scoring Console server (same outbox and "
        "cache as the desktop app).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--server",
        default=os.environ.get(SERVER_ENV, DEFAULT_SERVER),
        metavar="URL",
        help=f"server URL (default: ${SERVER_ENV} or {DEFAULT_SERVER})",
    )
    parser.add_argument(
        "--username",
        default=os.environ.get(USERNAME_ENV),
        metavar="U",
        help=f"user name (default: ${USERNAME_ENV})",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder holding the per-user profiles (default: the desktop app's data dir)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=None,
        metavar="S",
        help="seconds to wait for the connection (flush: for everything; default 10, flush 30)",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sub.add_parser("status", help="connection state, user, role, pending/rejected counts")
    sub.add_parser("sync", help="fetch the snapshot and print a summary (--json: the snapshot)")

    submit = sub.add_parser(
        "submit",
        help="save a score to the outbox, try to send it, print its state",
        description="Commit a score to the local outbox, try to send it and print the "
        "entry's state: synced, pending (saved locally, sent later) or rejected: reason.",
    )
    submit.add_argument("--category", type=_positive_int, required=True, metavar="ID")
    submit.add_argument("--contestant", type=_positive_int, required=True, metavar="ID")
    submit.add_argument("--criterion", type=_positive_int, required=True, metavar="ID")
    submit.add_argument("--score", type=_score, required=True, metavar="X")
    submit.add_argument("--comment", default=None, metavar="T")
    submit.add_argument(
        "--wait",
        type=_seconds,
        default=10.0,
        metavar="S",
        help="seconds to wait for the server's answer before reporting pending (default 10)",
    )

    flush = sub.add_parser(
        "flush",
        help="send what is pending; exit 0 only when the outbox is empty",
        description="Send every pending outbox entry. Exit 0 only when nothing is pending "
        "and nothing was rejected (rejected entries stay until dismissed in the console).",
    )
    flush.add_argument(
        "--timeout",
        dest="flush_timeout",
        type=_seconds,
        default=None,
        metavar="S",
        help="give up after S seconds (default 30)",
    )

    sub.add_parser("outbox", help="list outbox entries with their states (no network)")

    watch = sub.add_parser("watch", help="print incoming events as JSON lines")
    watch.add_argument(
        "--seconds", type=_seconds, default=None, metavar="S", help="stop after S seconds"
    )
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse and complete the arguments (defaults that depend on the command)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.username:
        parser.error(f"--username is required (or set {USERNAME_ENV})")
    flush_timeout = getattr(args, "flush_timeout", None)
    if args.command == "flush":
        args.timeout = flush_timeout if flush_timeout is not None else (args.timeout or 30.0)
    elif args.timeout is None:
        args.timeout = 10.0
    args.server = args.server.rstrip("/")
    return args


async def run(args: argparse.Namespace, output: Output, stdin: TextIO) -> int:
    """Run one command; returns the exit code."""
    cli = Cli(args, output, stdin)
    try:
        result: int = await COMMANDS[args.command](cli)
        return result
    except BaseException:
        await cli.close()
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``scoring-cli``."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.verbose == 0:
        # the core logs its reconnect attempts; a CLI user sees the summary instead
        logging.getLogger("scoring_console").setLevel(logging.ERROR)
        logging.getLogger("socketio").setLevel(logging.CRITICAL)
        logging.getLogger("engineio").setLevel(logging.CRITICAL)
    output = Output(args.json, sys.stdout, sys.stderr)
    try:
        return asyncio.run(run(args, output, sys.stdin))
    except CliError as exc:
        return _fail(output, exc.code, exc.message)
    except NotLoggedIn as exc:
        return _fail(output, EXIT_AUTH, f"not logged in: {exc}")
    except SessionExpired as exc:
        return _fail(output, EXIT_AUTH, f"session expired: {exc}")
    except ServerUnreachable as exc:
        return _fail(output, EXIT_UNREACHABLE, f"cannot reach {args.server}: {exc}")
    except ClientError as exc:
        return _fail(output, EXIT_FAILED, str(exc))
    except KeyboardInterrupt:
        output.note("interrupted")
        return EXIT_INTERRUPTED


def _fail(output: Output, code: int, message: str) -> int:
    if output.json_mode:
        output.line({"error": message, "exitCode": code})
    output.note(f"scoring-cli: error: {message}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
