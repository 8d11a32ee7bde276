"""Acked scores survive a crash: SIGKILL the server process, restart, check every one."""

from __future__ import annotations

from typing import Any

from tests.helpers.server_process import ServerProcess
from tests.helpers.sio_client import SioClient, connect_user, login, new_client_id, post_json


def submit(category_id: int, cell: tuple[int, int], value: float) -> dict[str, Any]:
    return {
        "clientId": new_client_id(),
        "categoryId": category_id,
        "contestantId": cell[0],
        "criterionId": cell[1],
        "score": value,
    }


async def test_acked_scores_survive_sigkill(server_process: ServerProcess) -> None:
    url = server_process.url
    judge1 = await connect_user(url, "judge1")
    judge2 = await connect_user(url, "judge2")
    clients: list[SioClient] = [judge1, judge2]
    try:
        snap = await judge1.sync()
        cats = sorted((c for c in snap["categories"]), key=lambda c: c["id"])
        cat = cats[0]
        cells = [(c, k["id"]) for c in cat["contestantIds"] for k in cat["criteria"]]
        acked: dict[int, dict[str, Any]] = {}
        for i, cell in enumerate(cells[:10]):
            score = await judge1.ok("scores:submit", submit(cat["id"], cell, (i % 10) + 0.5))
            acked[score["id"]] = score
        result = await judge2.ok(
            "scores:submit-batch",
            {"entries": [submit(cat["id"], cell, i % 10) for i, cell in enumerate(cells)]},
        )
        for item in result["results"]:
            assert item["ok"], item
            acked[item["data"]["id"]] = item["data"]
        for cell in cells[:3]:  # replacements: version 2
            score = await judge1.ok("scores:submit", submit(cat["id"], cell, 9.25))
            assert score["version"] == 2
            acked[score["id"]] = score
        seq_before = (await judge1.sync())["seq"]
        # refresh rotation state must survive the crash too
        auditor = await login(url, "auditor1")
        status, rotated = await post_json(
            url, "/api/auth/refresh", {"refreshToken": auditor.refresh}
        )
        assert status == 200, rotated
    finally:
        for client in clients:
            await client.close()

    server_process.kill()
    server_process.restart()
    assert server_process.url == url

    tally = await connect_user(server_process.url, "tally1")
    # a token issued before the crash still verifies: the secret is persisted
    old_judge = SioClient(tokens=judge1.tokens)
    assert judge1.tokens is not None
    try:
        await old_judge.connect(url, {"token": judge1.tokens.access})
        snap = await tally.sync()
        stored = {s["id"]: s for s in snap["scores"]}
        assert len(stored) == len(acked)
        for score_id, ack in acked.items():
            got = stored.get(score_id)
            assert got is not None, f"acked score {score_id} lost"
            assert (got["score"], got["version"], got["clientId"]) == (
                ack["score"],
                ack["version"],
                ack["clientId"],
            ), (got, ack)
        assert snap["seq"] >= seq_before, "seq went backwards after a restart"
        # writes still work after the restart, with later seqs
        new = await old_judge.ok("scores:submit", submit(cat["id"], cells[-1], 1))
        assert new["seq"] > seq_before
        tokens = await login(server_process.url, "judge1")
        assert tokens.user_id == old_judge.user_id
        status, _ = await post_json(url, "/api/auth/refresh", {"refreshToken": auditor.refresh})
        assert status == 401, "a refresh token spent before the crash works again"
        status, body = await post_json(
            url, "/api/auth/refresh", {"refreshToken": rotated["refreshToken"]}
        )
        assert status == 200, body
        # nobody is online after a restart but the connections made since
        presence = {p["userId"]: p["online"] for p in snap["presence"]}
        assert presence.get(judge2.user_id) is False, snap["presence"]
    finally:
        await tally.close()
        await old_judge.close()
