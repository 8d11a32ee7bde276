"""The PySide6 desktop console: windows, table models, dialogs (the only Qt code).

Importing this package applies :func:`._pyside_fixes.guard_singleton_refcounts`, so every
module under ``ui`` (and the tests) runs with PySide6's refcount leaks (``emit()``
returning ``True``, overrides returning ``None``) neutralized on Python 3.11.
"""

from ._pyside_fixes import guard_singleton_refcounts

guard_singleton_refcounts()
