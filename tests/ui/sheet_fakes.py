"""A minimal stand-in for ``ClientCore`` for fast judge-sheet tests (real StateStore).

``submit_score`` behaves like the real outbox: the entry is PENDING when it returns,
and ``sync_all()`` turns pending entries into SYNCED ones and applies the scores to
the state, as an ack would. ``reject_all()`` rejects them with a reason.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scoring_console.client.connection import ConnectionState, ConnectionStatus
from scoring_console.client.core import ClientCore
from scoring_console.client.failover import ServerRing
from scoring_console.client.observable import Observable
from scoring_console.client.state import StateStore
from scoring_console.protocol import ServerEvent
from scoring_console.protocol.entities import Score, Snapshot, UserInfo
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry


class SheetFakeCore:
    """The core calls a judge sheet makes, over an in-memory outbox."""

    server_url = "http://fake.invalid"
    current_server = server_url
    servers = ServerRing(server_url)

    def __init__(self, snapshot: Snapshot) -> None:
        self.state = StateStore()
        self.state.apply_snapshot(snapshot)
        self.clock = lambda: snapshot.server_time  # a fixed "now": tests run on any date
        self.server_now = self.clock
        self.profile_dir = Path(tempfile.mkdtemp(prefix="fake-profile-"))
        self.connection_changed: Observable[ConnectionState] = Observable("connection")
        self.outbox_changed: Observable[OutboxEntry] = Observable("outbox")
        self.outbox_removed: Observable[int] = Observable("outbox_removed")
        self.event_received: Observable[Any] = Observable("events")
        self.connection = ConnectionState(ConnectionStatus.CONNECTED)
        self.entries: dict[int, OutboxEntry] = {}
        self._ids = itertools.count(1)
        self._score_ids = itertools.count(5000)
        self.submitted: list[tuple[int, int, int, float]] = []

    @property
    def user(self) -> UserInfo | None:
        return self.state.user

    def outbox_entries(self) -> list[OutboxEntry]:
        return list(self.entries.values())

    sheet_not_ready = ClientCore.sheet_not_ready  # the real rule, over this state

    def pending_count(self, category_id: int | None = None) -> int:
        return sum(
            1
            for e in self.entries.values()
            if e.is_pending and (category_id is None or e.category_id == category_id)
        )

    async def submit_score(
        self,
        category_id: int,
        contestant_id: int,
        criterion_id: int,
        score: float,
        comment: str | None = None,
    ) -> OutboxEntry:
        await asyncio.sleep(0)
        self.submitted.append((category_id, contestant_id, criterion_id, score))
        entry = OutboxEntry(
            id=next(self._ids),
            client_id=str(uuid.uuid4()),
            kind=EntryKind.SCORE,
            state=EntryState.PENDING,
            payload={"score": score, "comment": comment},
            category_id=category_id,
            contestant_id=contestant_id,
            criterion_id=criterion_id,
        )
        self.entries[entry.id] = entry
        self.outbox_changed.emit(entry)
        return entry

    def dismiss(self, entry_id: int) -> bool:
        removed = self.entries.pop(entry_id, None) is not None
        if removed:
            self.outbox_removed.emit(entry_id)
        return removed

    def sync_all(self) -> None:
        """Acknowledge every pending entry: SYNCED, and the score in the state."""
        assert self.state.user is not None
        for entry in list(self.entries.values()):
            if not entry.is_pending:
                continue
            done = replace(entry, state=EntryState.SYNCED)
            self.entries[entry.id] = done
            assert entry.category_id and entry.contestant_id and entry.criterion_id
            self.state.apply(
                ServerEvent.SCORES_UPDATED,
                Score(
                    id=next(self._score_ids),
                    client_id=entry.client_id,
                    category_id=entry.category_id,
                    contestant_id=entry.contestant_id,
                    criterion_id=entry.criterion_id,
                    judge_id=self.state.user.id,
                    score=float(entry.payload["score"]),
                    comment=entry.payload.get("comment"),
                    version=1,
                    updated_at=datetime.now(UTC),
                ),
            )
            self.outbox_changed.emit(done)

    def reject_all(self, code: str, message: str) -> None:
        """Refuse every pending entry permanently."""
        for entry in list(self.entries.values()):
            if entry.is_pending:
                done = replace(
                    entry, state=EntryState.REJECTED, error_code=code, error_message=message
                )
                self.entries[entry.id] = done
                self.outbox_changed.emit(done)
