"""One cluster node: the Redis clients, the effects bus, the gate, and their life cycle.

:meth:`ClusterNode.start` (before the node accepts sockets) registers the node,
subscribes to the effects channel — waiting for Redis to confirm — then installs the
database's commit hook and starts the gate at the database's current ``seq``: every
range committed later is either published after the subscription began or committed by
this node, so nothing is missed. :meth:`ClusterNode.stop` runs after the database
closed (its last commit is still published).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterator, Sequence

import redis
from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from ..db import Database
from ..delivery import Deliverer
from ..service.types import Effect
from .bus import EffectsBus
from .codec import EffectsMessage
from .gate import OrderedGate
from .ledger import EffectLedger
from .limits import RedisAccounts, RedisBuckets
from .presence import RedisOnlineCounts

log = logging.getLogger(__name__)

_PUBLISH_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1)


def default_node_id(host: str, port: int) -> str:
    """``hostname:port`` (``hostname:pid-N`` while the port is still 0)."""
    name = socket.gethostname() or host
    return f"{name}:{port}" if port else f"{name}:pid-{os.getpid()}"


class ClusterNode:
    """Everything one node adds to a single server to cooperate with the others."""

    def __init__(
        self,
        redis_url: str,
        node_id: str,
        db: Database,
        deliverer: Deliverer,
        *,
        gap_timeout: float = 2.0,
    ) -> None:
        self.node_id = node_id
        self._db = db
        self._deliverer = deliverer
        self.client = redis.Redis.from_url(redis_url, socket_timeout=5.0)
        self.gate = OrderedGate(self._deliver, deliverer.resync, gap_timeout)
        self.bus = EffectsBus(redis_url, node_id, self._received)
        self.bus.lost_subscription = self._lost_subscription
        self.ledger = EffectLedger(node_id, self.bus.publish, self.gate)
        self.online = RedisOnlineCounts(self.client, node_id)
        self.accounts = RedisAccounts(self.client)
        self._beats: asyncio.Task[None] | None = None
        self.publish_latency: Histogram | None = None
        self.users_gone: Callable[[list[int]], Awaitable[None]] | None = None
        """Stores and delivers that users went offline with a dead node (set by the app)."""

    def buckets(self, rate_per_minute: int, name: str) -> RedisBuckets:
        """Cluster-wide token buckets (writes, reads, login attempts)."""
        return RedisBuckets(self.client, rate_per_minute, name)

    async def start(self) -> None:
        """Join, subscribe, hook the commits, and start the gate at the current seq."""
        await asyncio.to_thread(self.online.join)
        await self.bus.subscribe()
        self.ledger.bind(asyncio.get_running_loop())
        self._db.commit_hook = self.ledger.on_commit
        seq = self._db.current_seq()
        self.gate.start(seq)
        self._beats = asyncio.get_running_loop().create_task(
            self.online.run_beats(self._users_gone)
        )
        log.info("cluster node %s joined at seq %d", self.node_id, seq)

    async def stop(self) -> None:
        """Leave the cluster (after the database closed)."""
        self._db.commit_hook = None
        if self._beats is not None:
            self._beats.cancel()
        self.gate.close()
        await self.bus.close()
        try:
            await asyncio.to_thread(self.online.leave)
        except Exception as exc:
            log.warning("leaving the cluster failed: %s", exc)
        self.client.close()

    def nodes(self) -> list[str]:
        """The live nodes' ids (for /socket-health)."""
        return self.online.nodes()

    def register_metrics(self, registry: CollectorRegistry) -> None:
        """Add this node's cluster metrics to the server's registry."""
        self.publish_latency = Histogram(
            "scoring_cluster_publish_seconds",
            "Time to publish one committed range on the effects bus",
            buckets=_PUBLISH_BUCKETS,
            registry=registry,
        )
        latency = self.publish_latency
        self.ledger.on_published = latency.observe
        registry.register(_ClusterCollector(self))

    # --- internals -------------------------------------------------------------------

    def _received(self, message: EffectsMessage) -> None:
        self.gate.submit(message.first, message.last, message.effects)

    async def _deliver(self, effects: Sequence[Effect]) -> None:
        if effects:
            await self._deliverer.deliver(effects)

    async def _users_gone(self, user_ids: list[int]) -> None:
        if self.users_gone is not None:
            await self.users_gone(user_ids)

    def _lost_subscription(self) -> None:
        log.warning("node %s lost the effects subscription; gaps will be skipped", self.node_id)


class _ClusterCollector(Collector):
    """Counters of one node: ranges received, gaps skipped, publishes, waiting ranges."""

    def __init__(self, node: ClusterNode) -> None:
        self._node = node

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        node = self._node
        info = GaugeMetricFamily(
            "scoring_node_info", "This server's node id in the cluster", labels=["node"]
        )
        info.add_metric([node.node_id], 1)
        yield info
        gate, ledger = node.gate.counters, node.ledger.counters
        for name, text, value in (
            (
                "scoring_cluster_remote_ranges",
                "Ranges received from other nodes",
                node.bus.received,
            ),
            (
                "scoring_cluster_ranges_delivered",
                "Ranges delivered in seq order",
                gate.delivered_ranges,
            ),
            (
                "scoring_cluster_gaps_skipped",
                "Missing ranges skipped (sockets resynced)",
                gate.gaps_skipped,
            ),
            ("scoring_cluster_seqs_skipped", "Seqs in skipped ranges", gate.seqs_skipped),
            ("scoring_cluster_published", "Ranges this node published", ledger.published),
            (
                "scoring_cluster_publish_failures",
                "Ranges this node failed to publish",
                ledger.publish_failures,
            ),
            (
                "scoring_cluster_resubscribed",
                "Effects subscriptions re-established",
                node.bus.resubscribed,
            ),
        ):
            counter = CounterMetricFamily(name, text, labels=["node"])
            counter.add_metric([node.node_id], value)
            yield counter
        waiting = GaugeMetricFamily(
            "scoring_cluster_waiting_ranges", "Ranges held back for an earlier seq", labels=["node"]
        )
        waiting.add_metric([node.node_id], node.gate.waiting)
        yield waiting
