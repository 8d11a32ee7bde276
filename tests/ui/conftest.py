"""UI test fixtures: one qasync loop per test, and helpers to drive it.

The console runs on qasync's ``QEventLoop``; pytest-asyncio's loop would not process
Qt events. UI tests are therefore plain (sync) test functions that hand a coroutine to
``qloop.run_until_complete`` (via :func:`run`), and wait for conditions with
:func:`eventually` inside it — never with fixed sleeps.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtWidgets import QApplication


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A fresh qasync loop on the test's QApplication, closed after the test."""
    qapp.setQuitOnLastWindowClosed(False)  # closing a test window must not stop the loop
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
            asyncio.set_event_loop(None)


@pytest.fixture(autouse=True)
def _gc_on_the_gui_thread() -> Iterator[None]:
    """Collect cycles only here, on the GUI thread, between tests (see ui.gc_guard).

    Automatic collection may otherwise run in a helper thread (the server process's
    stdout pump, an executor) and free a Qt object while the GUI thread delivers an
    event to it: a rare segfault in whatever test happens to be running.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        if was_enabled:
            gc.enable()
