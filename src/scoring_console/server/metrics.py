"""Prometheus metrics of one server instance, in its own registry.

A per-app :class:`CollectorRegistry` keeps several in-process servers (tests) from
colliding in the global default registry.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class ServerMetrics:
    """Connections, events by name, errors by code and handler latency."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.connections = Gauge(
            "scoring_socket_connections",
            "Socket.IO connections currently open",
            registry=self.registry,
        )
        self.events = Counter(
            "scoring_socket_events",
            "Client events received, by event name",
            ["event"],
            registry=self.registry,
        )
        self.errors = Counter(
            "scoring_socket_errors",
            "Failed acknowledgements and refused handshakes, by error code",
            ["code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "scoring_handler_latency_seconds",
            "Time from receiving a client event to its ack, by event name",
            ["event"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.broadcasts = Counter(
            "scoring_broadcast_messages",
            "Server events delivered to sockets, by event name",
            ["event"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition of this registry."""
        return bytes(generate_latest(self.registry))
