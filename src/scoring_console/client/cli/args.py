"""The ``scoring-cli`` options and help text (environment variables, exit codes)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from scoring_console import __version__

from ..servers import ServerListError, parse_servers
from ..tls import CAFILE_ENV
from .credentials import KEYRING_ENV, NEW_PASSWORD_ENV, PASSWORD_ENV

SERVER_ENV = "SCORING_SERVER"
USERNAME_ENV = "SCORING_USERNAME"
DEFAULT_SERVER = "http://127.0.0.1:8765"

EPILOG = f"""\
password:
  Taken from the environment variable {PASSWORD_ENV}, else prompted for on a terminal;
  never a command-line option. Without a terminal and without {PASSWORD_ENV} the
  command fails with exit code 2. After a login the refresh token is kept in the OS
  keyring (keyed by server and username), so later runs log in silently.

servers:
  --server takes one URL or several nodes of one cluster (comma separated, or the
  option repeated): the first that answers is used, and when it goes away the others
  are tried in turn. The first URL names the local profile and the stored login.

environment:
  {SERVER_ENV}      default for --server (else {DEFAULT_SERVER}); may list several
  {USERNAME_ENV}    default for --username
  {PASSWORD_ENV}    the password (see above)
  {NEW_PASSWORD_ENV} a new password, when an administrator reset yours (else prompted)
  {KEYRING_ENV}     keyring backend: "system" (default: the OS keyring),
                           "memory" (in-process only: nothing persists between runs, so
                           every run logs in with the password; meant for tests), or
                           "none" (never store the refresh token)
  {CAFILE_ENV}   a PEM certificate to pin for https:// servers (as --cafile)
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
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--server",
        action="append",
        default=None,
        metavar="URL[,URL…]",
        help=f"server URL, or several nodes of one cluster tried in turn (default: "
        f"${SERVER_ENV} or {DEFAULT_SERVER})",
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
    parser.add_argument(
        "--cafile",
        type=Path,
        metavar="PEM",
        help="trust only this certificate for an https:// server (pins a venue's "
        f"self-signed certificate; default: ${CAFILE_ENV} or the system's CAs)",
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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_commands(commands)
    _add_outputs(commands)
    return parser


def _add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("status", help="connection state, user, role, pending/rejected counts")
    sub.add_parser(
        "doctor", help="version, keyring backend and TLS pin of this installation (no login)"
    )
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

    results = sub.add_parser(
        "results",
        help="a category's ranking by its scoring rules (tally masters and venue roles)",
        description="Sync, then print the category's ranking computed by its scoring rules "
        "(weights, sum/average, drop high/low, tie-breaks). With --json: {categoryId, "
        'status: "provisional"|"final", ranking: [{contestantId, number, name, total, '
        "rank}]}, total rounded to the category's precision.",
    )
    results.add_argument("--category", type=_positive_int, required=True, metavar="ID")
    results.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="JSON output"
    )
    _add_admin(sub)

    watch = sub.add_parser("watch", help="print incoming events as JSON lines")
    watch.add_argument(
        "--seconds", type=_seconds, default=None, metavar="S", help="stop after S seconds"
    )


def _add_outputs(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export",
        help="write results, score sheets, blank sheets, the audit trail or the "
        "certification report as PDF or CSV",
        description="Sync, then write one report as this account sees it. results, audit and "
        "certification take a --category or a whole --contest; sheets and blank-sheets a "
        "--category. PDF: fonts embedded, text extractable; CSV: UTF-8, a header row.",
    )
    export.add_argument(
        "report", choices=["results", "sheets", "blank-sheets", "audit", "certification"]
    )
    export.add_argument("--category", type=_positive_int, default=None, metavar="ID")
    export.add_argument("--contest", type=_positive_int, default=None, metavar="ID")
    export.add_argument("--format", choices=["pdf", "csv"], default=None)
    export.add_argument("--output", type=Path, required=True, metavar="FILE")
    export.add_argument(
        "--page-size", choices=["A4", "Letter"], default="A4", help="PDF paper (default A4)"
    )

    verify = sub.add_parser(
        "verify-receipt",
        help="recompute a sign-off receipt from the scores and compare it with the server's",
        description="Sync, find the sign-off with this receipt, recompute the SHA-256 from "
        "our copy of the signed scores. Exit 0 when it matches; 1 on a mismatch or a receipt "
        "superseded by a reopen; 5 when no sign-off we can see has it.",
    )
    verify.add_argument("receipt", metavar="RECEIPT")

    paper = sub.add_parser(
        "paper-submit",
        help="enter a judge's filled paper sheet (CSV of export blank-sheets) for confirmation",
        description="Tally masters: enter the filled boxes of a paper sheet on a judge's "
        "behalf. It counts only once a second person confirms it (paper-decide).",
    )
    paper.add_argument("--category", type=_positive_int, required=True, metavar="ID")
    paper.add_argument(
        "--judge", required=True, metavar="JUDGE", help="the judge's username (or user id)"
    )
    paper.add_argument("--file", type=Path, required=True, metavar="CSV")
    paper.add_argument("--note", default=None, metavar="T", help="why it is entered from paper")
    listing = sub.add_parser("paper-list", help="paper sheets and whether they are confirmed")
    listing.add_argument("--category", type=_positive_int, default=None, metavar="ID")
    decide = sub.add_parser(
        "paper-decide", help="confirm (or --reject) a paper sheet somebody else entered"
    )
    decide.add_argument("sheet", type=_positive_int, metavar="SHEET_ID")
    decide.add_argument("--reject", action="store_true")
    decide.add_argument("--note", default=None, metavar="T")


def _add_admin(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = sub.add_parser(
        "admin",
        help="set up the competition: import/export the competition file, CSV lists, accounts",
        description="For organizers and admins. The competition file is JSON (see "
        "docs/examples/competition.json); import is idempotent and all-or-nothing.",
    )
    actions = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help="apply a competition file (one transaction)")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help="print what would change only")
    exp = actions.add_parser("export", help="write the competition file of the event")
    exp.add_argument("file", type=Path, metavar="FILE")
    exp.add_argument("--event", default=None, metavar="NAME", help="when there are several")
    csv = actions.add_parser(
        "import-csv",
        help="merge a spreadsheet list (contestants of a category, or accounts)",
        description="CSV with a header row, UTF-8 with or without BOM, comma or semicolon. "
        "contestants: columns number (or bib), name. users: username, name, role, "
        "optional password. Entries are added or updated, never removed.",
    )
    csv.add_argument("kind", choices=["contestants", "users"])
    csv.add_argument("file", type=Path, metavar="FILE")
    csv.add_argument(
        "--category", default=None, metavar="NAME", help="category name (or Contest/Category)"
    )
    csv.add_argument("--event", default=None, metavar="NAME", help="when there are several")
    csv.add_argument("--dry-run", action="store_true", help="print what would change only")
    actions.add_parser("users", help="list every account")
    for name, text in (
        ("reset-password", "give an account a one-time password to change at the next login"),
        ("deactivate", "deactivate an account"),
        ("reactivate", "reactivate an account"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("target", metavar="USERNAME")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse and complete the arguments (defaults that depend on the command)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.username and args.command != "doctor":
        parser.error(f"--username is required (or set {USERNAME_ENV})")
    flush_timeout = getattr(args, "flush_timeout", None)
    if args.command == "flush":
        args.timeout = flush_timeout if flush_timeout is not None else (args.timeout or 30.0)
    elif args.timeout is None:
        args.timeout = 10.0
    try:
        args.servers = parse_servers(args.server or os.environ.get(SERVER_ENV) or DEFAULT_SERVER)
    except ServerListError as exc:
        parser.error(f"--server: {exc}")
    args.server = args.servers.text()
    if args.command == "export":
        if args.category is None and args.contest is None:
            parser.error("export needs --category ID or --contest ID")
        if args.format is None:
            suffix = args.output.suffix.lower().lstrip(".")
            args.format = suffix if suffix in ("pdf", "csv") else "pdf"
    return args
