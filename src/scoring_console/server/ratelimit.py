"""Token buckets: per user for write events (the seed's 60 per minute by default), and
per (address, username) for failed logins.

A bucket holds ``rate_per_minute`` tokens and refills continuously, so a caller can
burst up to the capacity and then sustain the rate. A batch call costs one token.

:class:`TokenBuckets` is what callers use; :class:`RateLimiter` keeps the buckets in
memory (one process), the cluster's Redis buckets
(:class:`~scoring_console.server.cluster.limits.RedisBuckets`) hold across nodes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Protocol


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets(Protocol):
    """Token buckets per key: what the transport and the login guard ask of a limiter."""

    def acquire(self, key: Hashable) -> float | None:
        """Take one token: ``None`` if allowed, else seconds to wait."""

    def check(self, key: Hashable) -> float | None:
        """Whether ``key`` has a token, without taking it: ``None``, else seconds to wait."""

    def refund(self, key: Hashable) -> None:
        """Give one token back to ``key``."""

    def forget(self, key: Hashable) -> None:
        """Drop ``key``'s bucket (it starts full again)."""


class RateLimiter:
    """One token bucket per key (a user id, an address); the clock is injectable."""

    def __init__(self, rate_per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if rate_per_minute < 1:
            raise ValueError("rate_per_minute must be at least 1")
        self.capacity = float(rate_per_minute)
        self._per_second = rate_per_minute / 60.0
        self._clock = clock
        self._buckets: dict[Hashable, _Bucket] = {}

    def acquire(self, user_id: Hashable) -> float | None:
        """Take one token for ``user_id``: ``None`` if allowed, else seconds to wait."""
        wait = self.check(user_id)
        if wait is None:
            self._buckets[user_id].tokens -= 1.0
        return wait

    def check(self, key: Hashable) -> float | None:
        """Whether ``key`` has a token, without taking it: ``None``, else seconds to wait."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        else:
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self._per_second)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            return None
        wait = (1.0 - bucket.tokens) / self._per_second
        # Round up to milliseconds so a client that waits exactly retryAfter succeeds.
        return math.ceil(wait * 1000) / 1000

    def refund(self, key: Hashable) -> None:
        """Give one token back to ``key`` (a counted attempt turned out not to count)."""
        bucket = self._buckets.get(key)
        if bucket is not None:
            bucket.tokens = min(self.capacity, bucket.tokens + 1.0)

    def forget(self, user_id: Hashable) -> None:
        """Drop a user's bucket (it starts full again)."""
        self._buckets.pop(user_id, None)
