"""The client's notion of "now": one injectable clock instead of the wall clock.

Everything in the client and the console that decides behaviour by the time of day
(announcement expiry, "last seen 3 min ago", the age of a judge's pending count) asks
the core's clock, so tests run the same on any date (``faketime`` included).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""A callable returning an aware :class:`datetime` (UTC)."""


def utc_now() -> datetime:
    """The default clock: aware UTC now."""
    return datetime.now(UTC)
