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

State is in memory: a restart clears it (restarting is an admin's act).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from .ratelimit import RateLimiter

log = logging.getLogger(__name__)

MAX_TRACKED_ACCOUNTS = 10_000
"""Usernames with a failure count kept at once (guessed names cannot grow memory)."""


@dataclass
class _Account:
    failures: int = 0
    locked_until: float = 0.0


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
    ) -> None:
        self._pair = RateLimiter(failures_per_minute, clock)
        self._address = RateLimiter(address_failures_per_minute, clock)
        self._threshold = threshold
        self._base = base_seconds
        self._max = max_seconds
        self._clock = clock
        self._accounts: dict[str, _Account] = {}

    def begin(self, address: str, username: str) -> Refusal | None:
        """Count one attempt; a :class:`Refusal` if it must not be checked at all."""
        name = username.casefold()
        now = self._clock()
        account = self._accounts.get(name)
        if account is not None and account.locked_until > now:
            return Refusal(_ceil(account.locked_until - now), locked=True)
        for limiter, key in ((self._address, address), (self._pair, (address, name))):
            wait = limiter.check(key)
            if wait is not None:
                return Refusal(wait, locked=False)
        self._address.acquire(address)
        self._pair.acquire((address, name))
        if account is None:
            account = self._accounts[name] = self._track(name)
        account.failures += 1
        if account.failures >= self._threshold:
            extra = account.failures - self._threshold
            seconds = min(self._max, self._base * 2 ** min(extra, 32))
            account.locked_until = now + seconds
            log.warning(
                "account %r locked for %d s after %d failed logins (last from %s)",
                username,
                seconds,
                account.failures,
                address,
            )
        return None

    def succeeded(self, address: str, username: str) -> None:
        """The attempt was good: give the tokens back and reset the account."""
        name = username.casefold()
        self._address.refund(address)
        self._pair.refund((address, name))
        self._accounts.pop(name, None)

    def unlock(self, username: str, by: str) -> bool:
        """Clear an account's failures and lockout; True if it was locked."""
        account = self._accounts.pop(username.casefold(), None)
        was_locked = account is not None and account.locked_until > self._clock()
        log.warning(
            "account %r unlocked by %s (was %s, %d failed logins)",
            username,
            by,
            "locked" if was_locked else "not locked",
            account.failures if account is not None else 0,
        )
        return was_locked

    def _track(self, name: str) -> _Account:
        if len(self._accounts) >= MAX_TRACKED_ACCOUNTS:
            now = self._clock()
            for key in [k for k, a in self._accounts.items() if a.locked_until <= now]:
                del self._accounts[key]
            while len(self._accounts) >= MAX_TRACKED_ACCOUNTS:  # all locked: drop oldest
                del self._accounts[next(iter(self._accounts))]
        return _Account()


def _ceil(seconds: float) -> float:
    return math.ceil(seconds * 1000) / 1000
