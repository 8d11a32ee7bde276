"""A typed :func:`qasync.asyncSlot` that also keeps its tasks referenced until done.

qasync ships no type hints, and asyncio holds tasks only weakly: a task started from a
click and stored nowhere could vanish mid-flight. Tasks of decorated slots are kept in
:data:`RUNNING` while they run. Calling a decorated method schedules the coroutine on
the running qasync loop and returns its task, as a connected Qt signal would.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec

from qasync import asyncSlot

P = ParamSpec("P")

RUNNING: set[asyncio.Task[Any]] = set()
"""Tasks of async slots that have not finished yet."""


def async_slot(
    *types: type,
) -> Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, asyncio.Task[None]]]:
    """Decorate an ``async def`` method as a Qt slot run on the asyncio loop."""

    def decorate(
        fn: Callable[P, Coroutine[Any, Any, None]],
    ) -> Callable[P, asyncio.Task[None]]:
        @functools.wraps(fn)
        async def tracked(*args: P.args, **kwargs: P.kwargs) -> None:
            task = asyncio.current_task()
            if task is not None:
                RUNNING.add(task)
            try:
                await fn(*args, **kwargs)
            finally:
                if task is not None:
                    RUNNING.discard(task)

        slot: Callable[P, asyncio.Task[None]] = asyncSlot(*types)(tracked)
        return slot

    return decorate


__all__ = ["RUNNING", "async_slot"]
