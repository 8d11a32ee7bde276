"""The PySide6 desktop console: windows, table models, dialogs (the only Qt code)."""
