"""UI test fixtures: one qasync loop per test, and helpers to drive it.

The console runs on qasync's ``QEventLoop``; pytest-asyncio's loop would not process
Qt events. UI tests are therefore plain (sync) test functions that hand a coroutine to
``qloop.run_until_complete`` (via :func:`run`), and wait for conditions with
:func:`eventually` inside it — never with fixed sleeps.
"""

from __future__ import annotations

import asyncio
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
