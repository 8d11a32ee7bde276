"""Rate limits and failed-login counts in Redis, shared by every node.

:class:`RedisBuckets` is the token bucket of :mod:`..ratelimit` as one Lua script
(atomic on the Redis server, on Redis's own clock): a user's writes, reads and login
attempts count the same whichever node they reach. :class:`RedisAccounts` keeps the
consecutive failed logins and lockouts of :mod:`..lockout` in one hash per account.
Times are wall-clock seconds (every node's guard runs on ``time.time``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable
from typing import Any

import redis

PREFIX = "scoring:"

_BUCKET = """
local capacity = tonumber(ARGV[1])
local per_second = tonumber(ARGV[2])
local mode = ARGV[3]
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(stored[1])
local updated = tonumber(stored[2])
if tokens == nil then
  if mode == 'refund' then return {1, tostring(capacity)} end
  tokens = capacity
  updated = now
end
tokens = math.min(capacity, tokens + math.max(0, now - updated) * per_second)
if mode == 'refund' then tokens = math.min(capacity, tokens + 1) end
local allowed = 0
if tokens >= 1 then allowed = 1 end
if mode == 'take' and allowed == 1 then tokens = tokens - 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / per_second) + 1)
return {allowed, tostring(tokens)}
"""
"""Refill, then ``take`` a token if one is there (``check``: take none, ``refund``:
give one back); returns ``{allowed, tokens left}``. The token count travels as a string
(Lua numbers come back from Redis as integers)."""


class RedisBuckets:
    """:class:`~..ratelimit.TokenBuckets` in Redis: one bucket per (name, key)."""

    def __init__(self, client: redis.Redis, rate_per_minute: int, name: str) -> None:
        if rate_per_minute < 1:
            raise ValueError("rate_per_minute must be at least 1")
        self.capacity = float(rate_per_minute)
        self._per_second = rate_per_minute / 60.0
        self._client = client
        self._name = name
        self._script = client.register_script(_BUCKET)

    def acquire(self, key: Hashable) -> float | None:
        """Take one token for ``key``: ``None`` if allowed, else seconds to wait."""
        return self._run(key, "take")

    def check(self, key: Hashable) -> float | None:
        """Whether ``key`` has a token, without taking it."""
        return self._run(key, "check")

    def refund(self, key: Hashable) -> None:
        """Give one token back to ``key``."""
        self._run(key, "refund")

    def forget(self, key: Hashable) -> None:
        """Drop ``key``'s bucket (it starts full again)."""
        self._client.delete(self._key(key))

    def _run(self, key: Hashable, mode: str) -> float | None:
        reply: Any = self._script(
            keys=[self._key(key)], args=[self.capacity, self._per_second, mode]
        )
        allowed, raw = reply
        if int(allowed):
            return None
        tokens = float(raw.decode() if isinstance(raw, bytes) else raw)
        wait = (1.0 - tokens) / self._per_second
        # rounded up to milliseconds, so a client that waits exactly retryAfter succeeds
        return math.ceil(wait * 1000) / 1000

    def _key(self, key: Hashable) -> str:
        parts = key if isinstance(key, tuple) else (key,)
        return f"{PREFIX}bucket:{self._name}:" + "|".join(str(p) for p in parts)


class RedisAccounts:
    """:class:`~..lockout.AccountFailures` in Redis: one hash per account name."""

    def __init__(self, client: redis.Redis, keep_seconds: int = 86400) -> None:
        self._client = client
        self._keep = keep_seconds
        """A failure count older than this is forgotten (memory stays bounded)."""

    def locked_until(self, name: str) -> float:
        raw: Any = self._client.hget(self._key(name), "locked_until")
        return float(raw) if raw is not None else 0.0

    def fail(self, name: str) -> int:
        key = self._key(name)
        pipe = self._client.pipeline()
        pipe.hincrby(key, "failures", 1)
        pipe.expire(key, self._keep)
        failures, _ = pipe.execute()
        return int(failures)

    def lock(self, name: str, until: float) -> None:
        key = self._key(name)
        self._client.hset(key, "locked_until", repr(until))
        ttl = max(self._keep, math.ceil(until - time.time()) + 1)
        self._client.expire(key, ttl)

    def clear(self, name: str) -> tuple[int, float] | None:
        key = self._key(name)
        pipe = self._client.pipeline()
        pipe.hmget(key, "failures", "locked_until")
        pipe.delete(key)
        (failures, locked_until), _ = pipe.execute()
        if failures is None and locked_until is None:
            return None
        return int(failures or 0), float(locked_until or 0.0)

    @staticmethod
    def _key(name: str) -> str:
        return f"{PREFIX}login:{name}"
