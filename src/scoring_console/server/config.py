"""The bundled server's settings: one frozen, validated :class:`ServerConfig`."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path

from scoring_console.protocol.payloads import RENEW_GRACE

DATABASE_URL_SCHEMES = ("postgresql://", "postgres://")
"""What ``--database-url`` accepts (without it the server uses its SQLite file)."""


DATABASE_URL_ENV = "SCORING_DATABASE_URL"
"""Environment variable read as ``--database-url``'s default."""


def add_database_url_option(parser: argparse.ArgumentParser) -> None:
    """``--database-url`` (default ``$SCORING_DATABASE_URL``) on a command line."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get(DATABASE_URL_ENV) or None,
        metavar="URL",
        help=f"postgresql://… database shared by the nodes of a cluster (or ${DATABASE_URL_ENV}; "
        "default: the SQLite file in --data-dir)",
    )


class ConfigError(ValueError):
    """A setting is out of range or inconsistent."""


@dataclass(frozen=True)
class ServerConfig:
    """Everything :func:`~scoring_console.server.app.start_server` needs to know.

    ``port=0`` asks the OS for an ephemeral port (read it back from
    ``RunningServer.port``). Times are in seconds.
    """

    host: str = "127.0.0.1"
    port: int = 8765
    data_dir: Path = field(default_factory=lambda: Path("server-data"))
    demo: bool = False
    simulate: bool = False
    simulate_rate: float = 2.0
    """Bot score submissions per second in ``simulate`` mode."""
    rate_limit_per_minute: int = 60
    login_failures_per_minute: int = 10
    """Writes per user per minute (token bucket capacity; refills continuously)."""
    access_token_ttl: int = 900
    refresh_token_ttl: int = 30 * 86400
    token_renew_grace: int = RENEW_GRACE
    """Seconds after a connection's access token expired during which ``auth:renew``
    still accepts a new one (every other call is refused from the moment it expired)."""
    max_payload_bytes: int = 64 * 1024
    ping_interval: float = 10.0
    ping_timeout: float = 10.0
    cors_allowed_origins: str | list[str] = "*"
    """``"*"`` suits a venue LAN; a list restricts browser origins."""
    certfile: Path | None = None
    """PEM certificate (chain): with it the server speaks TLS (``https://``)."""
    keyfile: Path | None = None
    """PEM private key, when it is not in :attr:`certfile`."""

    # --- abuse limits (docs/security.md) -------------------------------------------
    read_rate_per_minute: int = 300
    """Reads (``sync``, ``scores:request``, …) per user per minute: a generous bucket of
    its own, so a tight ``sync`` loop cannot grow the server without bound."""
    max_sockets_per_user: int = 3
    """Live sockets one user may hold (the console needs one, ``scoring-cli`` one more)."""
    max_queued_messages: int = 1000
    """Messages waiting to be written to one socket; past it the connection is dropped."""
    max_queued_bytes: int = 16 * 1024 * 1024
    """Bytes waiting to be written to one socket; past it the connection is dropped."""
    group_commit: bool = True
    """Concurrent calls share one transaction and one fsync (``server/db/group.py``);
    every ack still follows the commit of what it acknowledges."""
    session_sweep_interval: float = 5.0
    """How often sockets whose token expired past the renew grace are looked for."""
    login_failures_per_address_per_minute: int = 30
    """Failed logins from one address, whatever the usernames."""
    lockout_threshold: int = 5
    """Consecutive failed logins of one account before it is locked."""
    lockout_base_seconds: int = 30
    """First lockout; each further failure after a lockout doubles it."""
    lockout_max_seconds: int = 3600
    heartbeat_interval: float = 2.0
    """At most one stored heartbeat per user per this many seconds (latest value wins)."""
    http_header_timeout: float = 10.0
    """Seconds a client has to send a request's headers (REST and polling)."""
    http_body_timeout: float = 20.0
    """Seconds a client has to send a request's body (REST and polling)."""
    max_http_connections: int = 512
    """Open TCP connections (REST, polling and websockets); more are refused."""
    metrics_token: str | None = None
    """Bearer token for ``/metrics``; without one only loopback clients may read it."""
    database_url: str | None = None
    """``postgresql://…``: run on that PostgreSQL database (one node of a cluster; the
    JWT signing secret lives in the database too). ``None``: the SQLite file in
    :attr:`data_dir`, as always."""

    # --- cluster (server/cluster/, docs/deployment.md) -------------------------------
    redis_url: str | None = None
    """``redis://…``: run as one node of a cluster (effects bus, shared limits);
    ``None``: one process, as always."""
    node_id: str | None = None
    """This node's name in a cluster (default ``host:port``)."""
    cluster_gap_timeout: float = 2.0
    """Seconds a node waits for a missing ``seq`` range before its sockets resync."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        self._check()

    def _check(self) -> None:
        if not self.host:
            raise ConfigError("host must not be empty")
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port must be 0..65535, not {self.port}")
        if self.rate_limit_per_minute < 1:
            raise ConfigError("rate_limit_per_minute must be at least 1")
        if self.login_failures_per_minute < 1:
            raise ConfigError("login_failures_per_minute must be at least 1")
        if not 0 < self.simulate_rate <= 1000:
            raise ConfigError("simulate_rate must be in (0, 1000] scores per second")
        if self.access_token_ttl < 1 or self.refresh_token_ttl < 1:
            raise ConfigError("token lifetimes must be at least 1 second")
        if self.token_renew_grace < 0:
            raise ConfigError("token_renew_grace must not be negative")
        if self.refresh_token_ttl < self.access_token_ttl:
            raise ConfigError("refresh_token_ttl must not be shorter than access_token_ttl")
        if self.max_payload_bytes < 1024:
            raise ConfigError("max_payload_bytes must be at least 1024")
        if self.ping_interval <= 0 or self.ping_timeout <= 0:
            raise ConfigError("ping_interval and ping_timeout must be positive")
        if self.keyfile is not None and self.certfile is None:
            raise ConfigError("a keyfile needs a certfile")
        if self.database_url is not None and not self.database_url.startswith(DATABASE_URL_SCHEMES):
            raise ConfigError("database_url must be a postgresql://… URL")
        self._check_limits()

    @property
    def scheme(self) -> str:
        """``https`` with a certificate, else ``http``."""
        return "https" if self.certfile is not None else "http"

    def _check_limits(self) -> None:
        at_least_one = {
            "read_rate_per_minute": self.read_rate_per_minute,
            "max_sockets_per_user": self.max_sockets_per_user,
            "max_queued_messages": self.max_queued_messages,
            "login_failures_per_address_per_minute": self.login_failures_per_address_per_minute,
            "lockout_threshold": self.lockout_threshold,
            "lockout_base_seconds": self.lockout_base_seconds,
            "max_http_connections": self.max_http_connections,
        }
        for name, value in at_least_one.items():
            if value < 1:
                raise ConfigError(f"{name} must be at least 1")
        if self.max_queued_bytes < 64 * 1024:
            raise ConfigError("max_queued_bytes must be at least 65536")
        if self.lockout_max_seconds < self.lockout_base_seconds:
            raise ConfigError("lockout_max_seconds must not be below lockout_base_seconds")
        positive: dict[str, float] = {
            "session_sweep_interval": self.session_sweep_interval,
            "heartbeat_interval": self.heartbeat_interval,
            "http_header_timeout": self.http_header_timeout,
            "http_body_timeout": self.http_body_timeout,
        }
        for name, seconds in positive.items():
            if seconds <= 0:
                raise ConfigError(f"{name} must be positive")
        if self.metrics_token is not None and len(self.metrics_token) < 16:
            raise ConfigError("metrics_token must be at least 16 characters")
        self._check_cluster()

    def _check_cluster(self) -> None:
        if self.redis_url is None:
            if self.node_id is not None:
                raise ConfigError("a node id needs a Redis URL (--redis-url)")
            return
        if not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("the Redis URL must start with redis://, rediss:// or unix://")
        if not self.group_commit:
            raise ConfigError("a cluster node needs group commit (drop --no-group-commit)")
        if self.simulate:
            raise ConfigError("--simulate runs on a single server, not on a cluster node")
        if self.node_id is not None and not self.node_id.strip():
            raise ConfigError("the node id must not be empty")
        if self.cluster_gap_timeout <= 0:
            raise ConfigError("cluster_gap_timeout must be positive")

    @property
    def cluster(self) -> bool:
        """True when this server is one node of a cluster (``redis_url`` set)."""
        return self.redis_url is not None

    @property
    def database(self) -> str | Path:
        """What :func:`~.db.open_database` opens: the URL, else the SQLite file."""
        return self.database_url if self.database_url is not None else self.db_path

    @property
    def db_path(self) -> Path:
        """The SQLite database file."""
        return self.data_dir / "scoring.db"

    @property
    def secret_path(self) -> Path:
        """The JWT signing secret (64 hex chars, mode 0600)."""
        return self.data_dir / "jwt-secret"
