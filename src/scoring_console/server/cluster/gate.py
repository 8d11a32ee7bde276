"""The ordered gate: a node's sockets get every node's effects in ``seq`` order.

Each committed transaction arrives as a range ``[first, last]`` with its effects —
from this node's commit hook or from the bus. The gate delivers a range only once
everything up to ``first - 1`` was delivered, so each socket's ``prevSeq`` chain
follows the global order whichever node committed what.

A range that never arrives (its node died between ``COMMIT`` and ``PUBLISH``, or the
bus dropped it) would stop the node. When the next expected range is still missing
``gap_timeout`` seconds after a later one arrived, the gap is skipped: every local
socket is told to resync (:attr:`resync`, which makes its next event's ``prevSeq``
show a gap to the client) and delivery goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from ..service.types import Effect

log = logging.getLogger(__name__)

Deliver = Callable[[Sequence[Effect]], Awaitable[None]]
Resync = Callable[[int], None]
"""``resync(through_seq)``: local sockets must not trust their chain up to that seq."""


@dataclass
class _Range:
    first: int
    last: int
    effects: Sequence[Effect]
    done: list[asyncio.Future[None]] = field(default_factory=list)


@dataclass
class GateCounters:
    """What the gate did so far (exported by the node's metrics)."""

    delivered_ranges: int = 0
    gaps_skipped: int = 0
    seqs_skipped: int = 0
    stale_dropped: int = 0


class OrderedGate:
    """Delivers ranges of effects in ``seq`` order; skips a gap after a timeout."""

    def __init__(self, deliver: Deliver, resync: Resync, gap_timeout: float = 2.0) -> None:
        self._deliver = deliver
        self._resync = resync
        self.gap_timeout = gap_timeout
        self.delivered_through = 0
        """Every ``seq`` up to this one was delivered (or skipped)."""
        self._pending: dict[int, _Range] = {}
        self._draining: asyncio.Task[None] | None = None
        self._gap_timer: asyncio.TimerHandle | None = None
        self.counters = GateCounters()
        self._started = False

    def start(self, seq: int) -> None:
        """Begin after ``seq`` (the database's current seq, read after subscribing).

        Ranges submitted before are kept; those up to ``seq`` are dropped now."""
        self._started = True
        self.delivered_through = seq
        for first in [f for f, r in self._pending.items() if r.last <= seq]:
            self._finish(self._pending.pop(first))
        self._kick()

    def submit(self, first: int, last: int, effects: Sequence[Effect]) -> asyncio.Future[None]:
        """Queue a committed range; the future is done once it was delivered or skipped."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if last <= self.delivered_through:
            self.counters.stale_dropped += 1
            done.set_result(None)
            return done
        known = self._pending.get(first)
        if known is not None:  # the same range twice (cannot happen with one publisher)
            known.done.append(done)
            return done
        self._pending[first] = _Range(first, last, effects, [done])
        self._kick()
        return done

    @property
    def waiting(self) -> int:
        """Ranges received but not deliverable yet."""
        return len(self._pending)

    def close(self) -> None:
        """Stop: cancel the timer, release every waiter (their effects are dropped)."""
        if self._gap_timer is not None:
            self._gap_timer.cancel()
        for pending in self._pending.values():
            self._finish(pending)
        self._pending.clear()

    # --- internals -------------------------------------------------------------------

    def _kick(self) -> None:
        if not self._started:
            return
        idle = self._draining is None or self._draining.done()
        if idle and self._next() is not None:
            self._draining = asyncio.get_running_loop().create_task(self._drain())
            return
        self._arm_timer()

    async def _drain(self) -> None:
        while True:
            head = self._next()
            if head is None:
                break
            current = self._pending.pop(head)
            try:
                await self._deliver(current.effects)
            except Exception:  # committed anyway: clients catch up through sync
                log.exception("delivering seq %d..%d failed", current.first, current.last)
            self.delivered_through = max(self.delivered_through, current.last)
            self.counters.delivered_ranges += 1
            self._finish(current)
        self._arm_timer()

    def _next(self) -> int | None:
        """The first pending range if it is deliverable now (it starts right after what
        was delivered — or, defensively, overlaps it)."""
        if not self._pending:
            return None
        head = min(self._pending)
        return head if head <= self.delivered_through + 1 else None

    def _arm_timer(self) -> None:
        if self._gap_timer is not None:
            self._gap_timer.cancel()
            self._gap_timer = None
        if self._pending and (self._draining is None or self._draining.done()):
            expected = self.delivered_through
            loop = asyncio.get_running_loop()
            self._gap_timer = loop.call_later(self.gap_timeout, self._skip_gap, expected)

    def _skip_gap(self, expected: int) -> None:
        self._gap_timer = None
        if self.delivered_through != expected or not self._pending:
            return
        upto = min(self._pending) - 1
        if upto <= expected:
            self._kick()
            return
        log.warning(
            "seq %d..%d never arrived within %.1f s: local sockets resync",
            expected + 1,
            upto,
            self.gap_timeout,
        )
        self.counters.gaps_skipped += 1
        self.counters.seqs_skipped += upto - expected
        self.delivered_through = upto
        self._resync(upto)
        self._kick()

    @staticmethod
    def _finish(current: _Range) -> None:
        for done in current.done:
            if not done.done():
                done.set_result(None)
