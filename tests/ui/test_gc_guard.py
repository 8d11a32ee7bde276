"""The GUI-thread garbage collector: automatic collection off, cycles still freed."""

from __future__ import annotations

import gc
import weakref

from pytestqt.qtbot import QtBot

from scoring_console.ui.gc_guard import GarbageCollector


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_cycles_are_collected_by_the_timer_not_automatically(qtbot: QtBot) -> None:
    collector = GarbageCollector(interval_ms=20)
    try:
        collector.start()
        assert collector.active
        assert not gc.isenabled()
        first, second = _Node(), _Node()
        first.other, second.other = second, first
        watch = weakref.ref(first)
        del first, second
        # live allocations past generation 0's threshold: automatic GC would run now
        keep = [_Node() for _ in range(gc.get_threshold()[0] + 10)]
        assert gc.get_count()[0] > gc.get_threshold()[0]
        assert watch() is not None  # nothing collected it outside the timer
        qtbot.waitUntil(lambda: watch() is None, timeout=2000)
        assert len(keep) > 0
    finally:
        collector.stop()
    assert gc.isenabled()
    assert not collector.active
