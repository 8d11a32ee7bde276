"""The effects of grouped calls, sealed into the transaction that commits them.

In cluster mode every service call runs through the group committer, and the call's
effects are moved into the ledger right after the call returns (or raises with the
effects of a recorded refusal) — synchronously, before the batch can commit. The
database's commit hook then seals everything the ledger holds into the committed
``seq`` range: the range is published on the bus (in the committing thread, before
anything else can commit on this node) and handed to this node's
:class:`~.gate.OrderedGate`. A caller waits on its :class:`Ticket` until the gate
delivered its range, then sends its ack: its own events still go out before the ack.

A call that committed nothing (no ``seq`` consumed) leaves its effects unsealed; the
route delivers those at once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..service.types import Effect
from .codec import EffectsMessage, encode
from .gate import OrderedGate

log = logging.getLogger(__name__)

Publish = Callable[[str], None]


@dataclass
class Ticket:
    """One call's wait for its effects to be delivered on this node."""

    effects: list[Effect]
    delivered: asyncio.Future[None]
    sealed: bool = False
    """Set once a commit took the effects (under the ledger's lock)."""


@dataclass
class LedgerCounters:
    """Publishing statistics (exported by the node's metrics)."""

    published: int = 0
    publish_failures: int = 0
    publish_seconds: float = 0.0
    empty_ranges: int = 0
    """Committed ranges without effects (published so other nodes move on)."""


class EffectLedger:
    """Collects effects until their transaction commits; publishes and gates them."""

    def __init__(self, node_id: str, publish: Publish, gate: OrderedGate) -> None:
        self.node_id = node_id
        self._publish = publish
        self._gate = gate
        self._lock = threading.Lock()
        self._open: list[Ticket] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self.counters = LedgerCounters()
        self.on_published: Callable[[float], None] | None = None
        """Told each publish's duration in seconds (the metrics histogram)."""

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The event loop the gate runs on (commit hooks may run in another thread)."""
        self._loop = loop

    def add(self, effects: Sequence[Effect]) -> Ticket | None:
        """Hold a call's effects for the commit that will include its writes."""
        if not effects:
            return None
        loop = self._loop or asyncio.get_running_loop()
        ticket = Ticket(list(effects), loop.create_future())
        with self._lock:
            self._open.append(ticket)
        return ticket

    def on_commit(self, first: int, last: int) -> None:
        """The database's commit hook: publish the range, then hand it to the gate.

        Runs in the committing thread, right after ``COMMIT``; with PostgreSQL still
        under the cluster-wide write lock, so the bus carries ranges in ``seq`` order.
        An empty range (``first > last``: no seq consumed) publishes nothing.
        """
        if first > last:
            return
        with self._lock:
            tickets, self._open = self._open, []
            for ticket in tickets:
                ticket.sealed = True
        effects = tuple(e for ticket in tickets for e in ticket.effects)
        if not effects:
            self.counters.empty_ranges += 1
        started = time.perf_counter()
        try:
            self._publish(encode(EffectsMessage(self.node_id, first, last, effects)))
        except Exception as exc:  # other nodes skip the gap and resync their sockets
            self.counters.publish_failures += 1
            log.error("publishing seq %d..%d failed: %s", first, last, exc)
        else:
            took = time.perf_counter() - started
            self.counters.published += 1
            self.counters.publish_seconds += took
            if self.on_published is not None:
                self.on_published(took)
        loop = self._loop
        if loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._arrived(first, last, effects, tickets)
        else:
            loop.call_soon_threadsafe(self._arrived, first, last, effects, tickets)

    def take_unsealed(self, ticket: Ticket) -> list[Effect]:
        """A call's effects no commit took (it wrote no ``seq``): deliver them at once."""
        with self._lock:
            if ticket.sealed:
                return []
            ticket.sealed = True
            self._open = [t for t in self._open if t is not ticket]
        return ticket.effects

    def _arrived(
        self, first: int, last: int, effects: Sequence[Effect], tickets: list[Ticket]
    ) -> None:
        done = self._gate.submit(first, last, effects)

        def release(_: asyncio.Future[None]) -> None:
            for ticket in tickets:
                if not ticket.delivered.done():
                    ticket.delivered.set_result(None)

        done.add_done_callback(release)
