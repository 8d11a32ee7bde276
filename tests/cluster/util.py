"""Helpers shared by the multi-node tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.helpers.sio_client import SioClient, new_client_id


def chain_problems(client: SioClient, start_seq: int) -> list[str]:
    """Breaks in one socket's ``seq`` order or ``prevSeq`` chain after its sync."""
    problems: list[str] = []
    last = start_seq
    for name, payload in client.events.ordered:
        if not isinstance(payload, dict) or "seq" not in payload:
            continue
        seq, prev = payload["seq"], payload.get("prevSeq")
        if seq <= start_seq:
            continue  # stamped before the sync answer
        if prev != last:
            problems.append(f"{name} seq {seq}: prevSeq {prev}, last seen {last}")
        if seq <= last:
            problems.append(f"{name} seq {seq} after seq {last}: out of order")
        last = seq
    return problems


def sheet(snapshot: dict[str, Any], index: int = 0) -> tuple[int, list[tuple[int, int]]]:
    """A category of the caller's snapshot (by id order) and its cells."""
    category = sorted(snapshot["categories"], key=lambda c: c["id"])[index]
    cells = [(c, k["id"]) for c in category["contestantIds"] for k in category["criteria"]]
    return category["id"], cells


def score(category_id: int, cell: tuple[int, int], value: float) -> dict[str, Any]:
    """A ``scores:submit`` payload with a fresh clientId."""
    return {
        "clientId": new_client_id(),
        "categoryId": category_id,
        "contestantId": cell[0],
        "criterionId": cell[1],
        "score": value,
    }


async def until(condition: Callable[[], object], within: float = 15.0) -> bool:
    """Poll ``condition`` until true or ``within`` seconds passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True
