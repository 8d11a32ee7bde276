"""A wheel built from a checkout without symlinks carries the icons and the sound, and
the installed package finds them (no fallback to the checkout)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    return [Path(name) for name in listed.split("\0") if name]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a wheel from a copy of the checkout with every symlink left out."""
    root = tmp_path_factory.mktemp("wheel")
    checkout = root / "checkout"
    for name in tracked_files():
        source = REPO / name
        if source.is_symlink() or not source.is_file():
            continue
        target = checkout / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    assert not any(p.is_symlink() for p in checkout.rglob("*"))
    out = root / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(checkout),
        ],
        check=True,
        timeout=300,
        env=dict(os.environ, PIP_NO_INDEX="1"),
    )
    (built,) = out.glob("scoring_console-*.whl")
    return built


def test_the_wheel_holds_every_icon_and_the_sound(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    icons = sorted(p.name for p in (REPO / "resources" / "icons").glob("*.svg"))
    assert len(icons) > 10
    for icon in icons:
        assert f"scoring_console/resources/icons/{icon}" in names
    assert "scoring_console/resources/sounds/notify.wav" in names
    assert "scoring_console/py.typed" in names


def test_an_installed_wheel_finds_its_own_icons(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=300,
        env=dict(os.environ, PIP_NO_INDEX="1"),
    )
    probe = (
        "import scoring_console; from scoring_console.ui import icons; "
        "print(scoring_console.__file__); print(icons.resources_dir()); "
        "print(icons.icon('app').isNull())"
    )
    env = {k: v for k, v in os.environ.items() if k != "SCORING_CONSOLE_RESOURCES"}
    env.update(PYTHONPATH=str(target), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    module_file, resources, null_icon = result.stdout.split()
    assert Path(module_file).is_relative_to(target)
    assert Path(resources) == target / "scoring_console" / "resources"
    assert null_icon == "False"
