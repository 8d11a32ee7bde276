"""Who is online across nodes: live-socket counts per node in Redis, with a node TTL.

Each node keeps ``scoring:online:<node>`` (user id → this node's live sockets) and
refreshes ``scoring:node:<node>`` every :data:`BEAT` seconds with a :data:`NODE_TTL`
expiry. A user's count is the sum over the nodes whose key is still alive, so a node
that died stops counting after at most :data:`NODE_TTL`; the first node to notice
removes the dead node's counts. Counting and summing is one Lua script, so a connect on
one node and a disconnect on another see consistent before/after counts (the service
broadcasts presence only when a user goes from 0 to 1 socket or back). With every beat,
each node also *reaps* dead nodes (:meth:`RedisOnlineCounts.reap`, atomic, so one node
gets each dead node's users): users left without a socket anywhere are reported, and
the node stores and broadcasts that they went offline.

The same count is the cluster-wide "sockets per user".
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis

from .limits import PREFIX

log = logging.getLogger(__name__)

NODE_TTL = 6
"""Seconds a node counts after its last beat."""
BEAT = 2.0
"""Seconds between a node's beats."""


class NodeIdInUse(RuntimeError):
    """Another running node registered the same node id (two nodes would ignore each
    other's effects and share one online count)."""


_COUNT = """
local prefix = ARGV[1]
local me = ARGV[2]
local user = ARGV[3]
local delta = tonumber(ARGV[4])
local mine_key = prefix .. 'online:' .. me
if delta ~= 0 then
  local mine = redis.call('HINCRBY', mine_key, user, delta)
  if mine <= 0 then redis.call('HDEL', mine_key, user) end
end
local total = 0
for _, node in ipairs(redis.call('SMEMBERS', prefix .. 'nodes')) do
  if node == me or redis.call('EXISTS', prefix .. 'node:' .. node) == 1 then
    total = total + (tonumber(redis.call('HGET', prefix .. 'online:' .. node, user)) or 0)
  end
end
return total
"""

_REAP = """
local prefix = ARGV[1]
local gone = {}
for _, node in ipairs(redis.call('SMEMBERS', prefix .. 'nodes')) do
  if redis.call('EXISTS', prefix .. 'node:' .. node) == 0 then
    for _, user in ipairs(redis.call('HKEYS', prefix .. 'online:' .. node)) do
      gone[user] = true
    end
    redis.call('SREM', prefix .. 'nodes', node)
    redis.call('DEL', prefix .. 'online:' .. node)
  end
end
local offline = {}
local live = redis.call('SMEMBERS', prefix .. 'nodes')
for user, _ in pairs(gone) do
  local total = 0
  for _, node in ipairs(live) do
    total = total + (tonumber(redis.call('HGET', prefix .. 'online:' .. node, user)) or 0)
  end
  if total == 0 then table.insert(offline, user) end
end
return offline
"""
"""Forget the nodes whose beat expired; the users left with no socket anywhere."""


class RedisOnlineCounts:
    """:class:`~..service.presence.OnlineCounts` summed over the cluster's live nodes."""

    def __init__(self, client: redis.Redis, node_id: str) -> None:
        self._client = client
        self.node_id = node_id
        self.instance = uuid.uuid4().hex
        """This process's claim on ``node_id`` (a restarted node makes a new one)."""
        self._script = client.register_script(_COUNT)
        self._reap = client.register_script(_REAP)

    def change(self, user_id: int, delta: int) -> tuple[int, int]:
        """Count a connect (+1) or disconnect (-1) on this node; cluster-wide before/after."""
        after = self._run(user_id, delta)
        return max(0, after - delta), after

    def count(self, user_id: int) -> int:
        """The user's live sockets on every live node."""
        return self._run(user_id, 0)

    def _run(self, user_id: int, delta: int) -> int:
        reply: Any = self._script(args=[PREFIX, self.node_id, user_id, delta])
        return max(0, int(reply))

    # --- this node's registration ----------------------------------------------------

    def join(self, wait: float = NODE_TTL + 1) -> None:
        """Claim the node id and register this node with no sockets (a restarted node
        starts from zero).

        The id is claimed with ``SET NX``: while another process beats under it, this
        one waits (a node killed a moment ago stops beating and its claim expires within
        :data:`NODE_TTL`), then raises :class:`NodeIdInUse`.
        """
        key = f"{PREFIX}node:{self.node_id}"
        deadline = time.monotonic() + wait
        while not self._client.set(key, self.instance, nx=True, ex=NODE_TTL):
            if time.monotonic() >= deadline:
                raise NodeIdInUse(
                    f"another running node uses the node id {self.node_id!r}; "
                    "give each node its own --node-id"
                )
            time.sleep(0.25)
        pipe = self._client.pipeline()
        pipe.delete(f"{PREFIX}online:{self.node_id}")
        pipe.sadd(f"{PREFIX}nodes", self.node_id)
        pipe.execute()

    def beat(self) -> None:
        """Keep this node's sockets counting for another :data:`NODE_TTL` seconds."""
        pipe = self._client.pipeline()
        pipe.sadd(f"{PREFIX}nodes", self.node_id)
        pipe.set(f"{PREFIX}node:{self.node_id}", self.instance, ex=NODE_TTL)
        pipe.execute()

    def leave(self) -> None:
        """Unregister on a clean stop: this node's sockets stop counting at once."""
        pipe = self._client.pipeline()
        pipe.srem(f"{PREFIX}nodes", self.node_id)
        pipe.delete(f"{PREFIX}node:{self.node_id}", f"{PREFIX}online:{self.node_id}")
        pipe.execute()

    def reap(self) -> list[int]:
        """Forget dead nodes' sockets; the user ids left with no socket on any node."""
        reply: Any = self._reap(args=[PREFIX])
        return sorted(int(u) for u in reply)

    async def run_beats(self, users_gone: Callable[[list[int]], Awaitable[None]]) -> None:
        """Beat and reap every :data:`BEAT` seconds until cancelled; ``users_gone`` is
        told who went offline with a dead node."""
        while True:
            await asyncio.sleep(BEAT)
            try:
                await asyncio.to_thread(self.beat)
                gone = await asyncio.to_thread(self.reap)
            except Exception as exc:
                log.warning("node beat failed: %s", exc)
                continue
            if gone:
                log.info("users offline with a dead node: %s", gone)
                try:
                    await users_gone(gone)
                except Exception:
                    log.exception("storing that users went offline failed")

    def nodes(self) -> list[str]:
        """Ids of the nodes whose beat is alive, sorted."""
        members: Any = self._client.smembers(f"{PREFIX}nodes")
        names = sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)
        alive = self._client.pipeline()
        for name in names:
            alive.exists(f"{PREFIX}node:{name}")
        return [n for n, ok in zip(names, alive.execute(), strict=True) if ok]
