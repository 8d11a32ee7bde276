"""Build hook: the wheel carries the top-level ``resources/`` folder.

Everything else is in ``pyproject.toml``. The icons and the sound live in the
repository's ``resources/`` (the documented place for artwork); ``build_py`` copies
them to ``scoring_console/resources/`` in the wheel, where
:mod:`scoring_console.ui.icons` looks for them. No symlink is involved, so a checkout
without symlinks (Windows, a zip download) builds the same wheel. Editable installs
find the checkout's ``resources/`` directly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
RESOURCE_PATTERNS = ("icons/*.svg", "sounds/*.wav")


class build_py_with_resources(build_py):  # noqa: N801 (setuptools command naming)
    """``build_py`` plus a copy of ``resources/`` into the package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        source = HERE / "resources"
        target = Path(self.build_lib) / "scoring_console" / "resources"
        copied = 0
        for pattern in RESOURCE_PATTERNS:
            for path in sorted(source.glob(pattern)):
                destination = target / path.relative_to(source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)
                copied += 1
        if copied == 0:
            raise SystemExit(f"no resources found under {source}")


setup(cmdclass={"build_py": build_py_with_resources})
