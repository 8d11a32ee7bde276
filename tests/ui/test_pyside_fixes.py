"""A busy process survives: with a leaking PySide6 the guard kicks in, with a sound one
nothing needs to (pyproject pins below the leaking 6.12; the guard covers other builds)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_many_emits_do_not_kill_the_interpreter() -> None:
    script = textwrap.dedent(
        """
        import sys
        import scoring_console.ui  # applies the guard
        from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, Signal
        from PySide6.QtCore import QSortFilterProxyModel
        from PySide6.QtWidgets import QApplication

        app = QApplication([])

        class Source(QObject):
            changed = Signal(int)

        source = Source()
        seen = []
        source.changed.connect(seen.append)
        for value in range(50_000):
            source.changed.emit(value)
        assert len(seen) == 50_000

        class Model(QAbstractListModel):
            def rowCount(self, parent=QModelIndex()):
                return 1

            def data(self, index, role=0):
                return None

        model = Model()
        proxy = QSortFilterProxyModel()
        proxy.setSourceModel(model)
        index = proxy.index(0, 0)
        for _ in range(50_000):
            index.data()
        assert index.data() is None
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert "Fatal Python error" not in result.stderr
