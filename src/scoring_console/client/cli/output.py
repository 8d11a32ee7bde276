"""How ``scoring-cli`` prints: human lines or JSON documents, diagnostics on stderr."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from scoring_console.store.outbox import OutboxEntry

from ..connection import ConnectionState
from ..state import StateStore


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

    def failure(self, code: int, message: str) -> int:
        """Report a failed run (also as a JSON line with ``--json``); returns ``code``."""
        if self.json_mode:
            self.line({"error": message, "exitCode": code})
        self.note(f"scoring-cli: error: {message}")
        return code


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


def snapshot_json(state: StateStore) -> dict[str, Any]:
    """The synced state as a snapshot-shaped JSON document."""

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
