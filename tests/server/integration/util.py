"""Small helpers shared by the integration tests."""

from __future__ import annotations

from typing import Any

from tests.helpers.sio_client import SioClient, new_client_id
from tests.server.integration.conftest import CategoryInfo


def submit(category: CategoryInfo, cell: tuple[int, int], value: float) -> dict[str, Any]:
    """A ``scores:submit`` payload for one cell, with a fresh clientId."""
    return {
        "clientId": new_client_id(),
        "categoryId": category.id,
        "contestantId": cell[0],
        "criterionId": cell[1],
        "score": value,
    }


async def barrier(
    producer: SioClient, watcher: SioClient, category: CategoryInfo, value: float = 1
) -> None:
    """Make sure everything the server sent ``watcher`` so far has arrived.

    ``producer`` writes a score; when ``watcher`` may see it (not another judge), wait
    for its event. Then ``watcher`` makes a round trip of its own (a call without side
    effects): the server delivers one connection's messages in order, so anything sent
    to ``watcher`` before that ack has arrived once the ack has.
    """
    cell = category.cells[-1]
    score = await producer.ok("scores:submit", submit(category, cell, value))
    role = watcher.user.get("role")
    if role != "JUDGE" or watcher.user_id == producer.user_id:
        await watcher.events.wait_for(
            "scores:updated", lambda s: s["id"] == score["id"] and s["version"] == score["version"]
        )
    await watcher.call("totals:request", {"categoryId": category.id})


def events_for_category(client: SioClient, category_id: int, start: int) -> list[Any]:
    """Events about ``category_id`` that ``client`` received from ``ordered[start]`` on."""
    return [
        (name, payload)
        for name, payload in client.events.ordered[start:]
        if isinstance(payload, dict) and payload.get("categoryId") == category_id
    ]


async def tally_sign(tally: SioClient, category_id: int) -> dict[str, Any]:
    """Sign the tally master's step as a tally master does: clear open outlier flags first.

    The server refuses the tally signature while outlier flags are open and lists them;
    the tally master reviews each (here: cleared with a note), then signs.
    """
    payload = {"clientId": new_client_id(), "categoryId": category_id}
    ack = await tally.call("certification:sign", payload)
    if ack.get("ok") is True:
        return dict(ack.get("data") or {})
    error = ack.get("error") or {}
    flags = (error.get("details") or {}).get("openFlags")
    assert error.get("code") == "precondition_failed" and flags, f"tally sign refused: {ack!r}"
    for flag in flags:
        await tally.ok(
            "outliers:review",
            {
                "clientId": new_client_id(),
                "categoryId": category_id,
                **flag,
                "action": "clear",
                "note": "Checked with the judge: the score stands.",
            },
        )
    return dict(await tally.ok("certification:sign", {**payload, "clientId": new_client_id()}))
