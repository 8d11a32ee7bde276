"""The PySide6 desktop console: windows, table models, dialogs (the only Qt code).

Importing this package applies :func:`._pyside_fixes.guard_bool_refcounts`, so every
module under ``ui`` (and the tests) runs with PySide6's ``emit()`` refcount leak
neutralized on Python 3.11.
"""

from ._pyside_fixes import guard_bool_refcounts

guard_bool_refcounts()
