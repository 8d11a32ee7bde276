"""Reconnect backoff: exponential, capped, jittered downwards only."""

from __future__ import annotations

import random

from scoring_console.client.backoff import Backoff


def test_delays_grow_then_cap() -> None:
    backoff = Backoff(minimum=0.5, maximum=15.0, jitter=0.0)
    assert [backoff.delay(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0]


def test_jitter_stays_within_half_to_full_delay() -> None:
    backoff = Backoff(minimum=1.0, maximum=8.0, jitter=0.5)
    rng = random.Random(7)
    delays = [backoff.delay(4, rng) for _ in range(200)]
    assert all(4.0 <= d <= 8.0 for d in delays)
    assert len(set(delays)) > 100  # clients that lost the server together spread out
