"""SVG icons and sounds from ``resources/``, loaded by name and cached.

Where the resources are looked up, first match wins:

1. ``$SCORING_CONSOLE_RESOURCES`` — an explicit folder (packagers, tests);
2. ``sys._MEIPASS/resources`` — a PyInstaller bundle (see ``packaging/``);
3. ``scoring_console/resources`` inside the installed package — the build hook in
   ``setup.py`` copies the repository's ``resources/`` folder there (no symlink);
4. ``<repo>/resources`` — a source checkout or an editable install.

A folder counts when it has an ``icons/`` sub-folder. ``icon("bell")`` loads
``icons/bell.svg`` once and returns the same :class:`QIcon` afterwards. A name with no
SVG raises :class:`IconNotFoundError` naming the folder searched and the names that
exist — a clear error at the first use instead of a silently blank icon (a test checks
every icon name the UI code uses). :data:`ALIASES` maps a few older names.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtSvg import QSvgRenderer

RESOURCES_ENV = "SCORING_CONSOLE_RESOURCES"

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # .../scoring_console
_REPO_DIR = Path(__file__).resolve().parents[3]  # .../<repo> when run from src/

ALIASES: dict[str, str] = {
    "sync-pending": "saved-locally",
    "sync-done": "synced",
    "sync-rejected": "rejected",
    "online": "connected",
    "certify": "certificate",
}
"""Other names for existing icons (kept so older call sites keep working)."""

_cache: dict[str, QIcon] = {}


class ResourceError(LookupError):
    """A bundled resource (folder, icon or sound) could not be found or loaded."""


class ResourcesNotFoundError(ResourceError):
    """No resources folder exists in any of the places searched."""


class IconNotFoundError(ResourceError):
    """An icon name has no SVG file, or the file is not a loadable SVG."""


def resource_roots() -> list[Path]:
    """The folders searched for resources, in order (see the module docstring)."""
    candidates: list[Path] = []
    override = os.environ.get(RESOURCES_ENV)
    if override:
        candidates.append(Path(override))
    bundle = getattr(sys, "_MEIPASS", None)
    if isinstance(bundle, str):
        candidates.append(Path(bundle) / "resources")
    candidates.append(_PACKAGE_DIR / "resources")
    candidates.append(_REPO_DIR / "resources")
    return candidates


@cache
def _resources_dir(override: str | None) -> Path:
    # keyed on the env override so that setting it gives a fresh lookup
    del override
    searched = resource_roots()
    for folder in searched:
        if (folder / "icons").is_dir():
            return folder
    raise ResourcesNotFoundError(
        "No resources folder with icons/ found; searched: "
        + ", ".join(str(p) for p in searched)
        + f". Reinstall the package or set {RESOURCES_ENV}."
    )


def resources_dir() -> Path:
    """The resources folder in use."""
    return _resources_dir(os.environ.get(RESOURCES_ENV))


def available_icons() -> list[str]:
    """Every icon name, sorted (file names without ``.svg``)."""
    return sorted(p.stem for p in (resources_dir() / "icons").glob("*.svg"))


def icon_path(name: str) -> Path:
    """The SVG file of icon ``name``; :class:`IconNotFoundError` when there is none."""
    path = resources_dir() / "icons" / f"{ALIASES.get(name, name)}.svg"
    if not path.is_file():
        raise IconNotFoundError(
            f"Icon {name!r} not found in {path.parent}; available: " + ", ".join(available_icons())
        )
    return path


def icon(name: str) -> QIcon:
    """The icon ``name`` as a :class:`QIcon`, loaded once and cached."""
    cached = _cache.get(name)
    if cached is not None:
        return cached
    path = icon_path(name)
    loaded = QIcon(str(path))
    if loaded.isNull() or not QSvgRenderer(str(path)).isValid():
        raise IconNotFoundError(f"Icon {name!r} at {path} could not be loaded as SVG")
    _cache[name] = loaded
    return loaded


def sound_path(name: str = "notify") -> Path:
    """The WAV file ``sounds/<name>.wav``; :class:`ResourceError` when missing."""
    path = resources_dir() / "sounds" / f"{name}.wav"
    if not path.is_file():
        raise ResourceError(f"Sound {name!r} not found at {path}")
    return path


def clear_cache() -> None:
    """Forget loaded icons and the resolved folder (tests, resource reloads)."""
    _cache.clear()
    _resources_dir.cache_clear()
