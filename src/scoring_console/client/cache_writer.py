"""Write-behind of the state into the snapshot cache, so an offline start shows what
the console showed before it closed.

Every state change (an applied event, an acknowledged write, a read mark, presence)
marks the cache dirty; a flush writes the whole state as one snapshot row (one
``synchronous=FULL`` commit) at most :data:`FLUSH_DELAY` seconds later, so a burst of
events costs one write. :meth:`CacheWriter.flush` writes at once (after a ``sync``,
and when the core stops). A crash loses at most the changes of the last
:data:`FLUSH_DELAY` seconds, never an acknowledged write older than that.
"""

from __future__ import annotations

import asyncio
import logging

from scoring_console.store.cache import SnapshotCache

from .clock import Clock
from .state import ChangeKind, StateChange, StateStore

log = logging.getLogger(__name__)

FLUSH_DELAY = 0.5
"""Seconds between the first unsaved change and its write."""


class CacheWriter:
    """Keeps :class:`SnapshotCache` current with :class:`StateStore` (write-behind)."""

    def __init__(
        self, state: StateStore, cache: SnapshotCache, clock: Clock, delay: float = FLUSH_DELAY
    ) -> None:
        self.state = state
        self.cache = cache
        self.clock = clock
        self.delay = delay
        self.writes = 0
        """Snapshots written (for tests and diagnostics)."""
        self._dirty = False
        self._handle: asyncio.TimerHandle | None = None
        self._paused = False
        self._closed = False
        state.on_change.connect(self.on_state_changed)

    @property
    def dirty(self) -> bool:
        """True while a change waits to be written."""
        return self._dirty

    def on_state_changed(self, change: StateChange) -> None:
        """Mark the cache dirty and schedule a flush (a cleared state is not written)."""
        if self._paused or self._closed:
            return
        if change.kind is ChangeKind.SNAPSHOT and change.value is None:
            return  # logout: the cache is cleared, not overwritten
        self._dirty = True
        if self._handle is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop (offline open before start): flushed by the next flush()
            self._handle = loop.call_later(self.delay, self._on_timer)

    def loading(self) -> _Paused:
        """A context in which changes are not written back (loading the cache itself)."""
        return _Paused(self)

    def flush(self) -> bool:
        """Write the state now if anything changed; True when a snapshot was written."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if not self._dirty or self._closed:
            return False
        snapshot = self.state.to_snapshot(self.clock())
        self._dirty = False
        if snapshot is None:
            return False
        try:
            self.cache.save(snapshot, saved_at=self.clock().timestamp())
        except Exception:
            self._dirty = True  # try again with the next change or flush
            log.exception("could not write the snapshot cache")
            return False
        self.writes += 1
        return True

    def close(self) -> None:
        """Flush what is pending and stop writing (before the store closes)."""
        self.flush()
        self._closed = True

    def _on_timer(self) -> None:
        self._handle = None
        self.flush()


class _Paused:
    def __init__(self, writer: CacheWriter) -> None:
        self.writer = writer

    def __enter__(self) -> None:
        self.writer._paused = True

    def __exit__(self, *exc: object) -> None:
        self.writer._paused = False
