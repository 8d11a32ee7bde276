"""The client core's clock: every "now" that decides behaviour comes from here.

Tests (and the UI's own timers) inject a :class:`Clock` instead of reading the wall
clock, so nothing depends on today's date: ``ClientCore(clock=FixedClock(...))``.
``now()`` is aware UTC wall time (compared with server timestamps such as
``Presence.pendingAsOf``); ``monotonic()`` measures intervals; ``sleep()`` waits (the
reconnect watcher waits through it, so a test can make backoff instant).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the core needs from a clock."""

    def now(self) -> datetime:
        """Aware UTC wall-clock time."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (intervals only)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (always yields to the loop)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Aware UTC now."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """``asyncio.sleep``."""
        await asyncio.sleep(max(0.0, seconds))


class ManualClock:
    """A clock tests move by hand: ``sleep`` advances it and returns at once."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2030, 1, 1, tzinfo=UTC)
        self._mono = 1000.0
        self.slept: list[float] = []
        """Every ``sleep`` duration asked for, in order."""

    def now(self) -> datetime:
        """The manual time."""
        return self._now

    def monotonic(self) -> float:
        """Manual monotonic seconds (advance with :meth:`advance`)."""
        return self._mono

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def set(self, when: datetime) -> None:
        """Jump the wall clock to ``when`` (monotonic moves by the difference, if forward)."""
        delta = (when - self._now).total_seconds()
        self._now = when
        self._mono += max(0.0, delta)

    async def sleep(self, seconds: float) -> None:
        """Record ``seconds``, advance by it, yield once."""
        self.slept.append(seconds)
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)


SYSTEM_CLOCK = SystemClock()
