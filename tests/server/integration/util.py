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
    """Make ``producer`` cause a score event ``watcher`` must get; wait until it has.

    The server delivers one connection's events in order, so anything sent to
    ``watcher`` before this marker has arrived once the marker has.
    """
    cell = category.cells[-1]
    score = await producer.ok("scores:submit", submit(category, cell, value))
    await watcher.events.wait_for(
        "scores:updated", lambda s: s["id"] == score["id"] and s["version"] == score["version"]
    )


def events_for_category(client: SioClient, category_id: int, start: int) -> list[Any]:
    """Events about ``category_id`` that ``client`` received from ``ordered[start]`` on."""
    return [
        (name, payload)
        for name, payload in client.events.ordered[start:]
        if isinstance(payload, dict) and payload.get("categoryId") == category_id
    ]
