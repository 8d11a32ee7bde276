"""Garbage collection on the GUI thread only, at moments Qt chooses.

CPython's cyclic collector runs whenever an allocation crosses a threshold, in whatever
thread allocates: an executor thread, aiohttp's resolver, a log handler. When it frees
a cycle that holds a Qt object, that object's C++ side is destroyed right there,
possibly while the GUI thread is delivering an event to it: a segfault with no Python
traceback, rare and random. PyQt/PySide applications (Spyder, pyqtgraph, qutebrowser)
therefore switch automatic collection off and collect from a timer on the GUI thread,
between events. :class:`GarbageCollector` does the same, with CPython's own thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GarbageCollector(QObject):
    """Disables automatic collection and collects from a GUI-thread timer instead."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.on_timer_timeout)

    @property
    def active(self) -> bool:
        """True while automatic collection is off and the timer collects."""
        return self._timer.isActive()

    def start(self) -> None:
        """Switch automatic collection off and start collecting on the timer."""
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Stop the timer and give collection back to the interpreter."""
        self._timer.stop()
        gc.enable()

    def on_timer_timeout(self) -> None:
        """Collect the generations whose allocation counts passed their thresholds."""
        counts = gc.get_count()
        if counts[0] <= self._threshold[0]:
            return
        generation = 0
        if counts[1] > self._threshold[1]:
            generation = 1
            if counts[2] > self._threshold[2]:
                generation = 2
        gc.collect(generation)
