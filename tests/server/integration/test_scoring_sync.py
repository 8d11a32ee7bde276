"""Weights and scoring rules travel in the real ``sync`` answer, camelCase."""

from __future__ import annotations

from tests.server.integration.conftest import Live


async def test_sync_carries_weight_and_scoring_for_every_category(live: Live) -> None:
    for username in ("judge1", "tally1"):
        client = await live.connect(username)
        snap = await client.sync()
        assert snap["categories"], username
        for category in snap["categories"]:
            assert category["scoring"] == {
                "method": "sum",
                "dropHighLow": False,
                "tieBreak": [],
                "precision": 2,
                "outliers": {"enabled": True, "maxDeviation": 0.3, "minScores": 3},
            }
            assert all(c["weight"] == 1 for c in category["criteria"])
