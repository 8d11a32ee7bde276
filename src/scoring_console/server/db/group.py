"""Group commit: concurrent calls share one write transaction and one fsync.

With ``synchronous=FULL`` every ``COMMIT`` waits for an fsync of the WAL, which was
about half of a ``scores:submit``'s time on the server. :class:`GroupCommit` runs the
service's synchronous calls so that the writes of every call made while the previous
commit was running go into one transaction — a *batch*, each call's own
``db.transaction()`` a savepoint in it — and one ``COMMIT`` makes them all durable.
The ``COMMIT`` runs in a worker thread, so the event loop keeps reading, validating
and queueing the next calls meanwhile — except while calls come one at a time (this
batch and the one before held one call each): then the thread hop would only add
latency, and the batch is committed on the loop at once.

:meth:`GroupCommit.run` returns (or raises the call's own error) only once the batch
its writes — or the uncommitted state its reads saw — is committed: an ack sent after
``run`` still means committed with ``synchronous=FULL``, and effects delivered after
it never show uncommitted data. If the ``COMMIT`` fails, the batch is rolled back and
every call in it raises :class:`~.errors.DatabaseError`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from .connection import Database
from .errors import DatabaseError

log = logging.getLogger(__name__)

T = TypeVar("T")


class GroupCommit:
    """Runs synchronous database calls in shared batches, committed off the loop."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.grouping = False
        """True while :meth:`run` calls its function (the database reads it)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._open: asyncio.Future[None] | None = None
        """The batch being filled."""
        self._committing: asyncio.Future[None] | None = None
        """The batch whose ``COMMIT`` runs now."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-commit")
        self.batches = 0
        """Batches committed (or failed) so far."""
        self.calls = 0
        """Calls run so far."""
        self.inline = 0
        """Batches committed on the loop (calls coming one at a time)."""
        self._open_calls = 0
        self._last_size = 0
        db.owner = self

    async def run(self, fn: Callable[[], T]) -> T:
        """Call ``fn`` inside the current batch; return once what it wrote or saw is
        committed. ``fn``'s own exception is raised after that, too."""
        while self._committing is not None:
            await asyncio.wait([self._committing])  # its outcome is its own callers'
        self._loop = asyncio.get_running_loop()
        self.calls += 1
        self.grouping = True
        error: BaseException | None = None
        result: T | None = None
        try:
            result = fn()
        except BaseException as exc:  # re-raised once the batch is durable
            error = exc
        finally:
            self.grouping = False
        batch = self._open
        if batch is not None:
            self._open_calls += 1
            await asyncio.shield(batch)
        if error is not None:
            raise error
        return result  # type: ignore[return-value]

    # --- called by the Database ------------------------------------------------------

    def batch_opened(self) -> None:
        """A grouped call opened a batch: commit it once this loop turn's calls ran."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._open = loop.create_future()
        loop.call_soon(self._start_commit)

    def batch_committed(self, error: BaseException | None) -> None:
        """The database committed (or rolled back) the batch; wake its callers."""
        loop = self._loop
        if loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._resolve(error)
        else:
            loop.call_soon_threadsafe(self._resolve, error)

    # --- internals -------------------------------------------------------------------

    def _start_commit(self) -> None:
        batch = self._open
        if batch is None or batch.done():
            return
        self._open = None
        self._committing = batch
        size, self._open_calls = self._open_calls, 0
        alone = size <= 1 and self._last_size <= 1
        self._last_size = size
        if alone:
            self.inline += 1
            self._commit()
            return
        assert self._loop is not None
        self._loop.run_in_executor(self._executor, self._commit)

    def _commit(self) -> None:
        try:
            self._db.commit_batch()
        except BaseException:
            log.exception("group commit failed; the batch was rolled back")

    def _resolve(self, error: BaseException | None) -> None:
        batch = self._committing or self._open
        if batch is None:
            return
        if batch is self._committing:
            self._committing = None
        if batch is self._open:
            self._open = None
        self.batches += 1
        if batch.done():
            return
        if error is None:
            batch.set_result(None)
        else:
            batch.set_exception(DatabaseError(f"commit failed, nothing was saved: {error}"))

    def close(self) -> None:
        """Stop the commit thread (after the database committed what was open)."""
        self._executor.shutdown(wait=True)
