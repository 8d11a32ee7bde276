"""Adapt the client core's :class:`Observable` callbacks to Qt signals.

The core is asyncio-only and knows nothing of Qt. Every widget that needs to react to
the core connects to a :class:`CoreBridge` instead of subscribing to the core's
observables itself, so that subscriptions are made once and dropped once (``close()``)
and slots receive ordinary Qt signals on the GUI thread. qasync runs the core on the
Qt thread, so emitting directly from an observable callback is safe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from scoring_console.client.clock import Clock
from scoring_console.client.state import ChangeKind
from scoring_console.protocol import ServerEvent

if TYPE_CHECKING:
    from pydantic import BaseModel

    from scoring_console.client.connection import ConnectionState
    from scoring_console.client.core import ClientCore
    from scoring_console.client.state import StateChange
    from scoring_console.store.outbox import OutboxEntry

log = logging.getLogger(__name__)


class CoreBridge(QObject):
    """Qt face of one :class:`ClientCore`.

    ``core`` stays reachable (``bridge.core``) for calls (``submit_score`` …); the
    bridge only carries notifications.

    Signals:
        connection_changed(ConnectionState): the connection status, attempt or retry
            delay changed.
        outbox_changed(OutboxEntry): an outbox entry was added or changed state
            (pending → sending → synced / rejected).
        outbox_removed(int): the outbox entry with this id was dismissed or pruned.
        pending_count_changed(int): the number of unsynced outbox entries changed.
        state_changed(StateChange): any change of the state store (all kinds).
        snapshot_loaded(): a full snapshot replaced the state (sync or offline cache).
        score_changed(Score): a score was added or replaced.
        score_deleted(int): the score with this id was removed.
        certification_changed(Certification): a category's certification changed.
        deduction_changed(Deduction): a deduction was requested or decided.
        removal_changed(RemovalRequest): a removal request was made or decided.
        notification_changed(Notification): a notification arrived or was read.
        announcement_received(Announcement): a system announcement arrived.
        presence_changed(Presence): a user's presence changed.
        contest_changed(Contest): a contest changed (e.g. locked).
        category_changed(Category): a category changed (e.g. published).
        assignment_changed(StateChange): an assignment was created (``value``) or
            revoked (``value`` is ``None``; ``key`` is the assignment id).
        results_changed(object): published results of a category arrived.
        event_received(str, object): a server event (name, payload) after it was
            applied to the state.
        login_changed(LoginEvent): the core needs the password now (``REQUIRED``, with
            the reason to show) or logged in again by itself (``RESTORED``).
    """

    connection_changed = Signal(object)
    outbox_changed = Signal(object)
    outbox_removed = Signal(int)
    pending_count_changed = Signal(int)
    state_changed = Signal(object)
    snapshot_loaded = Signal()
    score_changed = Signal(object)
    score_deleted = Signal(object)
    certification_changed = Signal(object)
    deduction_changed = Signal(object)
    removal_changed = Signal(object)
    notification_changed = Signal(object)
    announcement_received = Signal(object)
    presence_changed = Signal(object)
    contest_changed = Signal(object)
    category_changed = Signal(object)
    assignment_changed = Signal(object)
    results_changed = Signal(object)
    event_received = Signal(str, object)
    login_changed = Signal(object)

    def __init__(self, core: ClientCore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.clock: Clock = core.clock
        """The core's clock: what "now" is for every widget (injected in tests)."""
        self._pending = -1
        self._unsubscribers: list[Callable[[], None]] = [
            core.connection_changed.connect(self._on_core_connection_changed),
            core.outbox_changed.connect(self._on_core_outbox_changed),
            core.state.on_change.connect(self._on_core_state_changed),
            core.event_received.connect(self._on_core_event_received),
        ]
        login = getattr(core, "login_changed", None)  # test doubles may lack it
        if login is not None:
            self._unsubscribers.append(login.connect(self.login_changed.emit))
        removed = getattr(core, "outbox_removed", None)  # test doubles may lack it
        if removed is not None:
            self._unsubscribers.append(removed.connect(self._on_core_outbox_removed))
        self._by_kind: dict[ChangeKind, Any] = {
            ChangeKind.SCORE: self.score_changed,
            ChangeKind.CERTIFICATION: self.certification_changed,
            ChangeKind.DEDUCTION: self.deduction_changed,
            ChangeKind.REMOVAL: self.removal_changed,
            ChangeKind.NOTIFICATION: self.notification_changed,
            ChangeKind.ANNOUNCEMENT: self.announcement_received,
            ChangeKind.PRESENCE: self.presence_changed,
            ChangeKind.CONTEST: self.contest_changed,
            ChangeKind.CATEGORY: self.category_changed,
            ChangeKind.ASSIGNMENT: self.assignment_changed,
            ChangeKind.RESULTS: self.results_changed,
        }

    def close(self) -> None:
        """Drop every subscription to the core (idempotent)."""
        while self._unsubscribers:
            unsubscribe = self._unsubscribers.pop()
            try:
                unsubscribe()
            except Exception:  # a core already torn down must not break shutdown
                log.debug("unsubscribe failed", exc_info=True)

    # -- core callbacks -----------------------------------------------------------

    def _on_core_connection_changed(self, state: ConnectionState) -> None:
        self.connection_changed.emit(state)
        self._emit_pending_count()

    def _on_core_outbox_changed(self, entry: OutboxEntry) -> None:
        self.outbox_changed.emit(entry)
        self._emit_pending_count()

    def _on_core_outbox_removed(self, entry_id: int) -> None:
        self.outbox_removed.emit(entry_id)
        self._emit_pending_count()

    def _on_core_state_changed(self, change: StateChange) -> None:
        self.state_changed.emit(change)
        if change.kind is ChangeKind.SNAPSHOT:
            self.snapshot_loaded.emit()
        elif change.kind is ChangeKind.SCORE_DELETED:
            self.score_deleted.emit(change.key)
        elif change.kind is ChangeKind.ASSIGNMENT:
            self.assignment_changed.emit(change)  # value None: revoked
        else:
            signal = self._by_kind.get(change.kind)
            if signal is not None and change.value is not None:
                signal.emit(change.value)

    def _on_core_event_received(self, item: tuple[ServerEvent, BaseModel]) -> None:
        event, payload = item
        self.event_received.emit(str(event), payload)

    def _emit_pending_count(self) -> None:
        count = self.core.pending_count()
        if count != self._pending:
            self._pending = count
            self.pending_count_changed.emit(count)
