"""Capped exponential backoff with jitter, for reconnect attempts and sender retries."""

from __future__ import annotations

import random
from dataclasses import dataclass

_RNG = random.Random()


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt ``n`` (1-based): ``minimum * 2**(n-1)`` capped at ``maximum``,
    then scaled by a random factor in ``[1 - jitter, 1]`` so clients that lost the
    server together do not all come back in the same instant."""

    minimum: float = 0.5
    maximum: float = 15.0
    jitter: float = 0.5

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before ``attempt``."""
        raw = min(self.maximum, self.minimum * 2.0 ** max(0, attempt - 1))
        source = rng or _RNG
        factor = 1.0 - self.jitter * source.random()
        return max(0.0, raw * factor)
