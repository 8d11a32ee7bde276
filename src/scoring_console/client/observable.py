"""A tiny synchronous signal the UI adapts to Qt signals and the CLI prints from.

Callbacks run in the order they connected, on the emitting call stack. A callback that
raises is logged and skipped: one broken listener never breaks the core or the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class Observable(Generic[T]):
    """A list of callbacks called with each emitted value."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._callbacks: list[Callable[[T], object]] = []

    def connect(self, callback: Callable[[T], object]) -> Callable[[], None]:
        """Call ``callback(value)`` on every emit; returns a function that unsubscribes."""
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            # remove this exact registration once; the same function may connect twice
            for index, registered in enumerate(self._callbacks):
                if registered is callback:
                    del self._callbacks[index]
                    return

        return unsubscribe

    def emit(self, value: T) -> None:
        """Call every connected callback with ``value``; failures are logged, not raised."""
        for callback in list(self._callbacks):
            try:
                callback(value)
            except Exception:
                log.exception("observer %r of %s failed", callback, self.name or "observable")

    def __len__(self) -> int:
        return len(self._callbacks)
