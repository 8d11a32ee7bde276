"""The ``scoring-console`` application: QApplication, qasync loop, ordered teardown.

One asyncio loop for everything: qasync's :class:`QEventLoop` runs the Qt event loop
and the client core's networking. :class:`~.controller.ConsoleApp` drives the session;
``main()`` then tears Qt down in a fixed order (loop closed, widgets deleted while the
QApplication exists) so the process exits 0 without errors at interpreter exit.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from scoring_console.client.keyring_choice import keyring_backend_from_env

from .controller import ConsoleApp
from .gc_guard import GarbageCollector
from .options import PASSWORD_ENV, parse_args

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``scoring-console``."""
    options = parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("SCORING_LOG", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    import qasync

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Scoring Console")
    app.setOrganizationName("ScoringConsole")
    app.setDesktopFileName("io.github.scoring_console.ScoringConsole")  # packaging/linux
    app.setQuitOnLastWindowClosed(False)  # the controller quits after a clean shutdown
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector = GarbageCollector(app)  # cyclic GC on the GUI thread only (see gc_guard)
    collector.start()
    controller = ConsoleApp(
        options, os.environ.get(PASSWORD_ENV), keyring_backend=keyring_backend_from_env()
    )

    # Python signal handlers run only when the interpreter gets control: a short timer
    # gives it control while Qt waits, so Ctrl+C and SIGTERM close the window cleanly.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: loop.call_soon_threadsafe(controller.request_quit))
    wakeup = QTimer()
    wakeup.timeout.connect(lambda: None)
    wakeup.start(250)

    try:
        code = int(loop.run_until_complete(controller.run()))
    except KeyboardInterrupt:
        code = 130
    finally:
        wakeup.stop()
        _teardown(loop, controller)
        collector.stop()
    return code


def _teardown(loop: asyncio.AbstractEventLoop, controller: ConsoleApp) -> None:
    """Close the loop and destroy widgets while the QApplication still exists."""
    try:
        loop.run_until_complete(loop.shutdown_asyncgens())
    except Exception:
        log.debug("shutdown_asyncgens failed", exc_info=True)
    loop.close()
    asyncio.set_event_loop(None)
    if controller.window is not None:
        controller.window.deleteLater()
        controller.window = None
    controller.bridge = None
    controller.core = None
    app = QApplication.instance()
    if app is not None:
        app.sendPostedEvents(None, 0)  # run the deleteLater()s: widgets go before the app
        app.processEvents()
    gc.collect()
