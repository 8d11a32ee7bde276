"""The client's notion of "now": one injectable clock instead of the wall clock.

Everything in the client and the console that decides behaviour by the time of day
(announcement expiry, "last seen 3 min ago", the age of a judge's pending count) asks
the core's clock, so tests run the same on any date (``faketime`` included).

Waiting is a separate seam: the core's reconnect watcher sleeps through
``ClientCore(sleep=...)``. :class:`ManualClock` provides both for tests: call it for
"now", ``await clock.sleep(s)`` advances it and returns at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""A callable returning an aware :class:`datetime` (UTC)."""

Sleep = Callable[[float], Awaitable[None]]
"""An awaitable wait of some seconds (``asyncio.sleep`` by default)."""


def utc_now() -> datetime:
    """The default clock: aware UTC now."""
    return datetime.now(UTC)


class ManualClock:
    """A clock tests move by hand; a :data:`Clock` (call it) with a :data:`Sleep`."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2030, 1, 1, tzinfo=UTC)
        self.slept: list[float] = []
        """Every ``sleep`` duration asked for, in order."""

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        """Record ``seconds``, advance by it, yield to the loop once."""
        self.slept.append(seconds)
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)
