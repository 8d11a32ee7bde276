"""Work around a PySide6 reference-count bug that kills the process on Python 3.11.

PySide6 6.12's ``SignalInstance.emit()`` returns ``True`` without taking a reference
to it. On Python 3.12+ ``True`` and ``False`` are immortal and nothing happens; on
3.11 every ``emit()`` from Python lowers ``True``'s reference count by one, and after
a few hundred emits the interpreter aborts with "Fatal Python error: bool_dealloc:
deallocating True or False" — mid-session, or at exit. A tally table emitting
``dataChanged`` for live scores reaches that in seconds.

:func:`guard_bool_refcounts` detects the leak with a probe signal and, only when it is
present, raises the reference counts of ``True`` and ``False`` far out of reach — what
Python 3.12 does for every interpreter (immortal objects). The booleans are never
freed in a running interpreter anyway, so this changes nothing else.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

_HEADROOM = 1 << 40
_applied = False


def emit_leaks_true() -> bool:
    """True when emitting a Python-declared signal drops a reference to ``True``."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        fired = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.fired.emit()
    return sys.getrefcount(True) < before


def guard_bool_refcounts() -> bool:
    """Neutralize the leak when present; returns whether the guard is active."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # immortal booleans: the missing reference is harmless
    if not emit_leaks_true():
        return False
    for value in (True, False):
        ctypes.c_ssize_t.from_address(id(value)).value += _HEADROOM
    _applied = True
    log.debug("PySide6 emit() refcount leak detected: booleans made immortal")
    return True
