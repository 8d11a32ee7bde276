"""The ``scoring-cli`` commands, one module per group, looked up by name in :data:`COMMANDS`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..session import CliSession
from .admin import cmd_admin
from .export import cmd_export, cmd_verify_receipt
from .info import cmd_status, cmd_sync
from .outbox import cmd_flush, cmd_outbox, cmd_submit
from .paper import cmd_paper_decide, cmd_paper_list, cmd_paper_submit
from .results import cmd_results
from .watch import cmd_watch

Command = Callable[[CliSession], Awaitable[int]]
"""A command: runs with a session, returns the exit code."""

COMMANDS: dict[str, Command] = {
    "status": cmd_status,
    "sync": cmd_sync,
    "submit": cmd_submit,
    "flush": cmd_flush,
    "outbox": cmd_outbox,
    "watch": cmd_watch,
    "results": cmd_results,
    "export": cmd_export,
    "verify-receipt": cmd_verify_receipt,
    "paper-submit": cmd_paper_submit,
    "paper-list": cmd_paper_list,
    "paper-decide": cmd_paper_decide,
    "admin": cmd_admin,
}

__all__ = ["COMMANDS", "Command"]
