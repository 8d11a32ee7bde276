"""Run a flush at most once per frame, however many changes arrive in between."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

FRAME_MS = 16


class FrameCoalescer(QObject):
    """Collect ``request()`` calls and run ``flush`` once, one frame later.

    Table models call ``request()`` for every incoming change and do the expensive
    work (recomputing totals, emitting ``dataChanged``) in ``flush``; at high event
    rates this bounds the work to about 60 flushes per second.
    """

    def __init__(
        self, flush: Callable[[], None], interval_ms: int = FRAME_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._flush = flush
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.on_timer_timeout)

    def request(self) -> None:
        """Ask for a flush within one frame (no-op when one is already scheduled)."""
        if not self._timer.isActive():
            self._timer.start()

    def flush_now(self) -> None:
        """Run a scheduled flush immediately (tests, shutdown)."""
        if self._timer.isActive():
            self._timer.stop()
            self._flush()

    @property
    def pending(self) -> bool:
        """Whether a flush is scheduled."""
        return self._timer.isActive()

    def on_timer_timeout(self) -> None:
        """The frame has passed: flush."""
        self._flush()
