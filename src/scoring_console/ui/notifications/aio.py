"""A typed face for :func:`qasync.asyncSlot` (qasync ships no type hints).

Calling a decorated method schedules the coroutine on the running qasync loop and
returns its task, as a Qt signal connected to it would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, ParamSpec

P = ParamSpec("P")

if TYPE_CHECKING:

    def async_slot(
        *types: type,
    ) -> Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, asyncio.Task[None]]]:
        """Decorate an ``async def`` method as a Qt slot run on the asyncio loop."""
        ...

else:
    from qasync import asyncSlot as async_slot

__all__ = ["async_slot"]
