"""Receipts over scores a judge may not see never reach that judge (issue 12, item 3).

A staff receipt hashes every panel score; on a small panel a judge who got it could
find the other judges' values by trying them all. Judges also get nothing of another
judge's scores, not even masked rows.
"""

from __future__ import annotations

from typing import Any

from tests.helpers.sio_client import SioClient, new_client_id
from tests.server.integration.conftest import Live
from tests.server.integration.test_rooms import fill_sheet
from tests.server.integration.util import tally_sign


def leaked_receipts(judge: SioClient, certifications: list[dict[str, Any]]) -> list[Any]:
    return [
        s
        for cert in certifications
        for s in cert["signoffs"]
        if s["receipt"] is not None and not (s["role"] == "JUDGE" and s["userId"] == judge.user_id)
    ]


async def test_staff_receipts_never_reach_a_judge(live: Live) -> None:
    layout = await live.layout()
    cat = layout.cat1
    admin = await live.connect("admin")
    assigned = {
        a["userId"]
        for a in (await admin.sync())["assignments"]
        if a["categoryId"] == cat.id and a["role"] == "JUDGE"
    }
    names = sorted(n for n, uid in layout.user_ids.items() if uid in assigned)
    assert len(names) >= 2, names
    judges = [await live.connect(name) for name in names]
    for i, judge in enumerate(judges):
        await fill_sheet(judge, cat, base=i + 1)
        await judge.ok("certification:sign", {"clientId": new_client_id(), "categoryId": cat.id})
    tally = await live.connect("tally1")
    assert len((await tally_sign(tally, cat.id))["receipt"]) == 64
    for name in ("auditor1", "board1"):
        signer = await live.connect(name)
        result = await signer.ok(
            "certification:sign", {"clientId": new_client_id(), "categoryId": cat.id}
        )
        assert len(result["receipt"]) == 64
    staff_view = [c for c in (await admin.sync())["certifications"] if c["categoryId"] == cat.id]
    assert staff_view[0]["status"] == "CERTIFIED"
    assert all(s["receipt"] for s in staff_view[0]["signoffs"]), "staff see every receipt"

    for judge in judges:
        await judge.events.wait_for(
            "certification:updated",
            lambda c: c["categoryId"] == cat.id and c["status"] == "CERTIFIED",
        )
        events = judge.events.get("certification:updated")
        synced = (await judge.sync())["certifications"]
        assert not leaked_receipts(judge, events + synced)
        own = [
            s
            for c in synced
            for s in c["signoffs"]
            if s["role"] == "JUDGE" and s["userId"] == judge.user_id
        ]
        assert own and own[0]["receipt"], "a judge keeps their own receipt"
        # and no other judge's score rows, masked or not
        others = [s for s in (await judge.sync())["scores"] if s["judgeId"] != judge.user_id]
        assert not others
