"""Outbox entry types: what the durable outbox holds and how an entry's state moves.

An entry is born ``PENDING`` (committed to SQLite: "saved locally"), becomes
``SENDING`` while a sender has it in flight, and ends ``SYNCED`` (positive ack: on the
server) or ``REJECTED`` (a permanent refusal, kept with its reason until dismissed). A
timeout or a lost connection puts a ``SENDING`` entry back to ``PENDING``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from scoring_console.protocol import ClientEvent


class EntryState(StrEnum):
    """Where an outbox entry stands."""

    PENDING = "pending"
    SENDING = "sending"
    SYNCED = "synced"
    REJECTED = "rejected"


class EntryKind(StrEnum):
    """What an outbox entry writes."""

    SCORE = "score"
    DEDUCTION = "deduction"
    REMOVAL = "removal"
    SIGNOFF = "signoff"

    @property
    def event(self) -> ClientEvent:
        """The acknowledged client event that sends one entry of this kind."""
        return _EVENTS[self]


_EVENTS = {
    EntryKind.SCORE: ClientEvent.SCORES_SUBMIT,
    EntryKind.DEDUCTION: ClientEvent.DEDUCTION_REQUESTED,
    EntryKind.REMOVAL: ClientEvent.SCORE_REMOVAL_REQUESTED,
    EntryKind.SIGNOFF: ClientEvent.CERTIFICATION_SIGN,
}

UNSENT_STATES = frozenset({EntryState.PENDING, EntryState.SENDING})
"""States of an entry that has not reached the server yet (it counts as pending)."""


@dataclass(frozen=True)
class OutboxEntry:
    """One durable write, as stored in the outbox table.

    ``payload`` is the wire dict (camelCase, with ``clientId``). ``result`` is the ack
    data once synced (e.g. the sign receipt); ``error_code`` / ``error_message`` carry
    the refusal of a rejected entry, or the last transient failure of a pending one.
    """

    id: int
    client_id: str
    kind: EntryKind
    state: EntryState
    payload: dict[str, Any]
    category_id: int | None = None
    contestant_id: int | None = None
    criterion_id: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    result: dict[str, Any] | None = None
    attempts: int = 0
    created_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    updated_at: datetime = field(default_factory=lambda: datetime.now().astimezone())

    @property
    def is_pending(self) -> bool:
        """True while the entry has not reached the server (pending or sending)."""
        return self.state in UNSENT_STATES

    @property
    def cell(self) -> tuple[int | None, int | None, int | None]:
        """The sheet cell a score entry writes: (category, contestant, criterion)."""
        return (self.category_id, self.contestant_id, self.criterion_id)

    def describe(self) -> str:
        """A short human-readable state: ``synced``, ``pending``, ``rejected: reason``."""
        if self.state is EntryState.REJECTED:
            reason = self.error_message or self.error_code or "refused"
            return f"rejected: {reason}"
        return str(self.state)
