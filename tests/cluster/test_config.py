"""Cluster settings: refused combinations, a clear message when Redis is unreachable,
and the Redis-backed limits behaving like the in-memory ones."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from scoring_console.server.cluster.limits import PREFIX, RedisAccounts, RedisBuckets
from scoring_console.server.cluster.presence import NodeIdInUse, RedisOnlineCounts
from scoring_console.server.config import ConfigError, ServerConfig
from scoring_console.server.lockout import LoginGuard
from tests.helpers.redis_server import RedisServer, free_port


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"node_id": "a"}, "needs a Redis URL"),
        ({"redis_url": "http://x"}, "must start with redis://"),
        ({"redis_url": "redis://127.0.0.1:1/0", "group_commit": False}, "group commit"),
        ({"redis_url": "redis://127.0.0.1:1/0", "simulate": True}, "single server"),
        ({"redis_url": "redis://127.0.0.1:1/0", "node_id": " "}, "must not be empty"),
    ],
)
def test_cluster_settings_are_checked(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ServerConfig(**settings)  # type: ignore[arg-type]


def test_a_node_without_its_redis_says_so_and_exits(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    args = [sys.executable, "-m", "scoring_console.server", "--port", "0"]
    args += ["--data-dir", str(tmp_path / "d"), "--redis-url", url]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"cannot join the cluster at {url}" in done.stderr


@pytest.fixture
def redis_client(tmp_path: Path) -> Iterator[redis.Redis]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    client = redis.Redis.from_url(server.url)
    yield client
    client.close()
    server.stop()


def test_redis_buckets_limit_refund_and_forget(redis_client: redis.Redis) -> None:
    one, other = RedisBuckets(redis_client, 3, "w"), RedisBuckets(redis_client, 3, "w")
    assert [one.acquire(7), other.acquire(7), one.acquire(7)] == [None, None, None]
    wait = other.acquire(7)  # a second node sees the same bucket
    assert wait is not None and 0 < wait <= 20.0
    assert one.check(8) is None  # another key is untouched
    one.refund(7)
    assert other.check(7) is None and other.acquire(7) is None
    assert one.acquire(7) is not None
    one.forget(7)
    assert other.acquire(7) is None


def test_login_guard_on_redis_locks_across_guards(redis_client: redis.Redis) -> None:
    def guard() -> LoginGuard:
        return LoginGuard(
            threshold=2,
            base_seconds=30,
            buckets=lambda rate, name: RedisBuckets(redis_client, rate, name),
            accounts=RedisAccounts(redis_client),
        )

    a, b = guard(), guard()
    assert a.begin("10.0.0.1", "Judge1") is None
    assert b.begin("10.0.0.2", "judge1") is None  # second failure: locked
    refusal = a.begin("10.0.0.3", "JUDGE1")
    assert refusal is not None and refusal.locked and 25 < refusal.retry_after <= 30
    assert b.unlock("judge1", by="admin") is True
    assert a.begin("10.0.0.3", "judge1") is None
    a.succeeded("10.0.0.3", "judge1")
    assert b.unlock("judge1", by="admin") is False


def test_a_node_id_in_use_is_refused_and_freed_when_its_node_dies(
    redis_client: redis.Redis,
) -> None:
    """Two nodes under one id would drop each other's effects as their own."""
    first = RedisOnlineCounts(redis_client, "score1")
    first.join()
    second = RedisOnlineCounts(redis_client, "score1")
    with pytest.raises(NodeIdInUse, match="give each node its own --node-id"):
        second.join(wait=0.6)
    assert redis_client.get(f"{PREFIX}node:score1") == first.instance.encode(), "claim kept"
    redis_client.delete(f"{PREFIX}node:score1")  # the first node died: its claim expired
    second.join(wait=0.6)
    assert redis_client.get(f"{PREFIX}node:score1") == second.instance.encode()
    RedisOnlineCounts(redis_client, "score2").join(wait=0.1)  # another id: no wait


def test_a_second_process_with_a_running_nodes_id_exits_with_the_reason(
    tmp_path: Path, redis_client: redis.Redis
) -> None:
    url = redis_client.connection_pool.connection_kwargs
    redis_url = f"redis://127.0.0.1:{url['port']}/0"
    # a live node beats under score1 (its claim renewed for the whole test)
    redis_client.set(f"{PREFIX}node:score1", "another-process", ex=300)
    args = [sys.executable, "-m", "scoring_console.server", "--port", "0"]
    args += ["--data-dir", str(tmp_path / "d"), "--redis-url", redis_url, "--node-id", "score1"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=90)
    assert done.returncode == 2
    assert "another running node uses the node id 'score1'" in done.stderr
