"""Background asyncio tasks started from Qt slots, kept referenced until done.

asyncio keeps only weak references to tasks; a task started from a button click and
stored nowhere can vanish mid-flight. :class:`TaskSet` holds them, logs failures
(an exception in a slot's task must never pass silently), and cancels what is left
at shutdown.

Some tasks are *durable writes* (a typed score going to the outbox, a signature):
cancelling one before it ran would silently drop what the judge entered. They are
spawned with ``durable=True``; :meth:`TaskSet.finish` lets them complete (bounded in
time) before cancelling the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class TaskSet:
    """A set of running tasks owned by one window or controller."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._durable: set[asyncio.Task[Any]] = set()

    def spawn(
        self, coro: Coroutine[Any, Any, T], name: str | None = None, *, durable: bool = False
    ) -> asyncio.Task[T]:
        """Start ``coro`` as a task and keep it until it finishes.

        ``durable``: the task writes something the user entered; :meth:`finish` waits
        for it instead of cancelling it.
        """
        task = asyncio.ensure_future(coro)
        if name:
            task.set_name(name)
        self._tasks.add(task)
        if durable:
            self._durable.add(task)
        task.add_done_callback(self._on_task_done)
        return task

    def _on_task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        self._durable.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    def __len__(self) -> int:
        return len(self._tasks)

    @property
    def durable_pending(self) -> int:
        """Durable writes not finished yet."""
        return len(self._durable)

    async def finish(self, seconds: float) -> bool:
        """Let durable writes complete (at most ``seconds``), then cancel the rest.

        Returns False when a durable write was still running at the deadline (it is
        cancelled then, and logged as an error).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        complete = True
        while self._durable:  # a write may start another one meanwhile
            remaining = deadline - loop.time()
            if remaining <= 0:
                complete = False
                names = sorted(task.get_name() for task in self._durable)
                log.error("durable writes still running at shutdown, cancelled: %s", names)
                break
            await asyncio.wait(set(self._durable), timeout=remaining)
        await self.cancel_all()
        return complete

    async def cancel_all(self) -> None:
        """Cancel every task still running and wait for them to end."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
