"""Work around PySide6 reference-count bugs that kill the process on Python 3.11.

PySide6 6.12 hands back borrowed references to two singletons:

* ``SignalInstance.emit()`` returns ``True`` without taking a reference to it, so
  every ``emit()`` from Python lowers ``True``'s reference count by one;
* a Python override that returns ``None`` to C++ (``data()`` / ``headerData()`` of a
  table model, asked by a view or a proxy for a role it does not serve) loses one
  reference to ``None`` per call.

On Python 3.12+ these objects are immortal and nothing happens. On 3.11 the count
reaches zero after a few hundred (``True``) or a few thousand (``None``) calls and the
interpreter aborts with "Fatal Python error: bool_dealloc" / "none_dealloc" —
mid-session or at exit. A tally table repainting live scores gets there in seconds.

:func:`guard_singleton_refcounts` detects the leaks with two probes and, only when one
is present, raises the reference counts of ``True``, ``False`` and ``None`` far out of
reach — what Python 3.12 does for every interpreter (immortal objects). These objects
are never freed in a running interpreter anyway, so nothing else changes.
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


def returned_none_leaks() -> bool:
    """True when ``None`` returned from a Python ``data()`` override loses a reference."""
    from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex
    from PySide6.QtCore import QSortFilterProxyModel as Proxy

    class _Probe(QAbstractListModel):
        def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
            return 1

        def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> None:
            return None

    model = _Probe()
    proxy = Proxy()
    proxy.setSourceModel(model)
    index = proxy.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(8):
        index.data()
    return sys.getrefcount(None) < before


def guard_singleton_refcounts() -> bool:
    """Neutralize the leaks when present; returns whether the guard is active."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # immortal singletons: a missing reference is harmless
    if not (emit_leaks_true() or returned_none_leaks()):
        return False
    for value in (True, False, None):
        ctypes.c_ssize_t.from_address(id(value)).value += _HEADROOM
    _applied = True
    log.debug("PySide6 refcount leaks detected: True, False and None made immortal")
    return True


guard_bool_refcounts = guard_singleton_refcounts
"""The earlier name, kept for callers written against it."""
