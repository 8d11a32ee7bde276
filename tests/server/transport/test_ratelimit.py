"""The per-user token bucket, driven by a fake clock."""

from __future__ import annotations

import pytest

from scoring_console.server.ratelimit import RateLimiter


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_up_to_capacity_then_refused_with_retry_after() -> None:
    clock = FakeClock()
    limiter = RateLimiter(60, clock=clock)
    assert all(limiter.acquire(1) is None for _ in range(60))
    wait = limiter.acquire(1)
    assert wait == pytest.approx(1.0, abs=0.002)


def test_refills_continuously() -> None:
    clock = FakeClock()
    limiter = RateLimiter(60, clock=clock)
    for _ in range(60):
        limiter.acquire(1)
    clock.now += 0.5
    assert limiter.acquire(1) == pytest.approx(0.5, abs=0.002)
    clock.now += 0.5
    assert limiter.acquire(1) is None
    assert limiter.acquire(1) is not None


def test_waiting_retry_after_is_enough() -> None:
    clock = FakeClock()
    limiter = RateLimiter(6, clock=clock)
    for _ in range(6):
        limiter.acquire(1)
    wait = limiter.acquire(1)
    assert wait is not None
    clock.now += wait
    assert limiter.acquire(1) is None


def test_users_have_separate_buckets_and_refill_caps_at_capacity() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2, clock=clock)
    assert limiter.acquire(1) is None and limiter.acquire(1) is None
    assert limiter.acquire(1) is not None
    assert limiter.acquire(2) is None
    clock.now += 3600
    assert [limiter.acquire(1) is None for _ in range(3)] == [True, True, False]


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RateLimiter(0)
