"""Helpers for UI tests running on a qasync loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
    """Run ``coro`` on the qasync ``loop`` with a hard timeout (tests never hang)."""
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))


async def eventually(
    condition: Callable[[], object], within: float = 10.0, what: str = "condition"
) -> None:
    """Wait until ``condition()`` is truthy, processing Qt and asyncio events meanwhile."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
        await asyncio.sleep(0.02)
