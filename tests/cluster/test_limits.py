"""Rate limits, failed-login limits and sockets per user hold across nodes (Redis)."""

from __future__ import annotations

import pytest

from tests.cluster.conftest import Cluster
from tests.cluster.util import score, sheet
from tests.helpers.sio_client import ConnectRefused, SioClient, login, post_json


async def test_write_rate_limit_counts_writes_on_every_node(cluster: Cluster) -> None:
    cluster.add("a", rate_limit="4")
    cluster.add("b", rate_limit="4")
    on_a = await cluster.connect("a", "judge1")
    on_b = await cluster.connect("b", "judge1", tokens=on_a.tokens)
    category_id, cells = sheet(await on_a.sync())
    for i, client in enumerate((on_a, on_b, on_a, on_b)):
        await client.ok("scores:submit", score(category_id, cells[i], 5))
    for client in (on_a, on_b):  # 4 per minute in all, not 4 per node
        refused = await client.error("scores:submit", score(category_id, cells[5], 5))
        assert refused["code"] == "rate_limited"
        assert refused["details"]["retryAfter"] > 0


async def test_failed_logins_and_sockets_per_user_across_nodes(cluster: Cluster) -> None:
    lockout = ["--lockout-threshold", "3", "--max-sockets-per-user", "2"]
    for name in ("a", "b", "c"):
        cluster.add(name, *lockout)
    for name in ("a", "b", "a"):
        status, body = await post_json(
            cluster.url(name), "/api/auth/login", {"username": "judge3", "password": "wrong"}
        )
        assert status == 401, body
    # the third failure (on two nodes) locked the account everywhere, right password too
    status, body = await post_json(
        cluster.url("c"), "/api/auth/login", {"username": "judge3", "password": "demo"}
    )
    assert status == 429, body
    assert "locked" in body["error"]["message"]

    tokens = await login(cluster.url("a"), "judge4")
    await cluster.connect("a", "judge4", tokens=tokens)
    await cluster.connect("b", "judge4", tokens=tokens)
    third = SioClient(tokens=tokens)
    with pytest.raises(ConnectRefused, match="Too many connections"):
        await third.connect(cluster.url("c"), {"token": tokens.access, "protocol": 1})
