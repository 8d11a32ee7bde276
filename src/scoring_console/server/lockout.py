"""Login guard: failed-login limits that hold under concurrency, and account lockout.

Every login attempt is counted *before* the slow password hash, synchronously (no
``await`` between the check and the count), so a concurrent burst cannot slip more
guesses past the limit than it allows. While a key is over its limit the password is
not checked at all. Three counters:

* per (address, username) and per address — token buckets (:class:`RateLimiter`);
  a successful login gives its token back, so good logins never pay;
* per account — consecutive failures; from ``threshold`` on, the account is locked
  for ``base`` seconds, doubling with each further failure up to ``max`` (a locked
  account refuses even the right password). A success resets it; an admin clears it
  with ``account:unlock`` (logged).

In one process the state is in memory (:class:`MemoryAccounts`; a restart clears it,
restarting is an admin's act); in a cluster it is in Redis, shared by every node
(:mod:`scoring_console.server.cluster.limits`), through the same two small interfaces
(:class:`~.ratelimit.TokenBuckets`, :class:`AccountFailures`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .ratelimit import RateLimiter, TokenBuckets

log = logging.getLogger(__name__)

MAX_TRACKED_ACCOUNTS = 10_000
"""Usernames with a failure count kept at once (guessed names cannot grow memory)."""


@dataclass
class _Account:
    failures: int = 0
    locked_until: float = 0.0


class AccountFailures(Protocol):
    """Consecutive failed logins and lockouts per (casefolded) username."""

    def locked_until(self, name: str) -> float:
        """When the account's lockout ends (0: not locked), on the guard's clock."""

    def fail(self, name: str) -> int:
        """Count one more failure; the consecutive failures so far."""

    def lock(self, name: str, until: float) -> None:
        """Lock the account until ``until``."""

    def clear(self, name: str) -> tuple[int, float] | None:
        """Forget the account: its (failures, locked_until), or ``None`` if unknown."""


class MemoryAccounts:
    """:class:`AccountFailures` in this process's memory, bounded in size."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._accounts: dict[str, _Account] = {}

    def locked_until(self, name: str) -> float:
        account = self._accounts.get(name)
        return account.locked_until if account is not None else 0.0

    def fail(self, name: str) -> int:
        account = self._accounts.get(name)
        if account is None:
            account = self._accounts[name] = self._track()
        account.failures += 1
        return account.failures

    def lock(self, name: str, until: float) -> None:
        account = self._accounts.get(name)
        if account is not None:
            account.locked_until = until

    def clear(self, name: str) -> tuple[int, float] | None:
        account = self._accounts.pop(name, None)
        return None if account is None else (account.failures, account.locked_until)

    def _track(self) -> _Account:
        if len(self._accounts) >= MAX_TRACKED_ACCOUNTS:
            now = self._clock()
            for key in [k for k, a in self._accounts.items() if a.locked_until <= now]:
                del self._accounts[key]
            while len(self._accounts) >= MAX_TRACKED_ACCOUNTS:  # all locked: drop oldest
                del self._accounts[next(iter(self._accounts))]
        return _Account()


@dataclass(frozen=True)
class Refusal:
    """Why an attempt was refused before its password was checked."""

    retry_after: float
    locked: bool
    """True for an account lockout (``False``: a rate limit)."""


class LoginGuard:
    """Counts login attempts per address, (address, username) and account."""

    def __init__(
        self,
        *,
        failures_per_minute: int = 10,
        address_failures_per_minute: int = 30,
        threshold: int = 5,
        base_seconds: int = 30,
        max_seconds: int = 3600,
        clock: Callable[[], float] = time.monotonic,
        buckets: Callable[[int, str], TokenBuckets] | None = None,
        accounts: AccountFailures | None = None,
    ) -> None:
        """``buckets(rate_per_minute, name)`` makes the two limiters (default: in
        memory on ``clock``); ``accounts`` keeps the failure counts (default: memory)."""
        make = buckets or (lambda rate, _name: RateLimiter(rate, clock))
        self._pair = make(failures_per_minute, "login-pair")
        self._address = make(address_failures_per_minute, "login-address")
        self._threshold = threshold
        self._base = base_seconds
        self._max = max_seconds
        self._clock = clock
        self._accounts = accounts or MemoryAccounts(clock)

    def begin(self, address: str, username: str) -> Refusal | None:
        """Count one attempt; a :class:`Refusal` if it must not be checked at all."""
        name = username.casefold()
        now = self._clock()
        locked_until = self._accounts.locked_until(name)
        if locked_until > now:
            return Refusal(_ceil(locked_until - now), locked=True)
        for limiter, key in ((self._address, address), (self._pair, (address, name))):
            wait = limiter.check(key)
            if wait is not None:
                return Refusal(wait, locked=False)
        self._address.acquire(address)
        self._pair.acquire((address, name))
        failures = self._accounts.fail(name)
        if failures >= self._threshold:
            extra = failures - self._threshold
            seconds = min(self._max, self._base * 2 ** min(extra, 32))
            self._accounts.lock(name, now + seconds)
            log.warning(
                "account %r locked for %d s after %d failed logins (last from %s)",
                username,
                seconds,
                failures,
                address,
            )
        return None

    def succeeded(self, address: str, username: str) -> None:
        """The attempt was good: give the tokens back and reset the account."""
        name = username.casefold()
        self._address.refund(address)
        self._pair.refund((address, name))
        self._accounts.clear(name)

    def unlock(self, username: str, by: str) -> bool:
        """Clear an account's failures and lockout; True if it was locked."""
        account = self._accounts.clear(username.casefold())
        was_locked = account is not None and account[1] > self._clock()
        log.warning(
            "account %r unlocked by %s (was %s, %d failed logins)",
            username,
            by,
            "locked" if was_locked else "not locked",
            account[0] if account is not None else 0,
        )
        return was_locked


def _ceil(seconds: float) -> float:
    return math.ceil(seconds * 1000) / 1000
