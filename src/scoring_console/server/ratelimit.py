"""Per-user token bucket for write events (the seed's 60 per minute by default).

The bucket holds ``rate_per_minute`` tokens and refills continuously, so a user can
burst up to the capacity and then sustain the rate. A batch call costs one token.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """One token bucket per user id; the clock is injectable for tests."""

    def __init__(self, rate_per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if rate_per_minute < 1:
            raise ValueError("rate_per_minute must be at least 1")
        self.capacity = float(rate_per_minute)
        self._per_second = rate_per_minute / 60.0
        self._clock = clock
        self._buckets: dict[int, _Bucket] = {}

    def acquire(self, user_id: int) -> float | None:
        """Take one token for ``user_id``: ``None`` if allowed, else seconds to wait."""
        now = self._clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(self.capacity, now)
        else:
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self._per_second)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        wait = (1.0 - bucket.tokens) / self._per_second
        # Round up to milliseconds so a client that waits exactly retryAfter succeeds.
        return math.ceil(wait * 1000) / 1000

    def forget(self, user_id: int) -> None:
        """Drop a user's bucket (it starts full again)."""
        self._buckets.pop(user_id, None)
