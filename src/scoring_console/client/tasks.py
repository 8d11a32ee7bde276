"""A set of background tasks that are kept referenced, logged when they fail, and
cancelled together at shutdown (no "Task was destroyed but it is pending")."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterator
from typing import Any

log = logging.getLogger(__name__)


class TaskSet:
    """Owns the core's background tasks."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Start ``coro`` as a task kept until it ends; a crash is logged."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s crashed", task.get_name(), exc_info=task.exception())

    def __len__(self) -> int:
        return len(self._tasks)

    def __iter__(self) -> Iterator[asyncio.Task[Any]]:
        return iter(list(self._tasks))

    async def cancel_all(self, grace: float = 5.0) -> None:
        """Cancel every task and wait (bounded) until they have all finished."""
        current = asyncio.current_task()
        while True:
            pending = [t for t in self._tasks if t is not current and not t.done()]
            if not pending:
                return
            for task in pending:
                task.cancel()
            _, still = await asyncio.wait(pending, timeout=grace)
            if still:
                names = ", ".join(sorted(t.get_name() for t in still))
                log.warning("background tasks ignored cancellation: %s", names)
                return


async def cancel_and_wait(task: asyncio.Task[Any] | None, grace: float = 5.0) -> None:
    """Cancel one task and wait for it to finish (bounded)."""
    if task is None or task.done():
        return
    task.cancel()
    await asyncio.wait([task], timeout=grace)


async def wait_event(event: asyncio.Event, seconds: float | None) -> bool:
    """Wait until ``event`` is set (True) or ``seconds`` pass (False).

    Uses ``asyncio.timeout`` rather than ``wait_for``, whose 3.11 version can swallow a
    cancellation that races with the event being set.
    """
    if event.is_set():
        return True
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True
