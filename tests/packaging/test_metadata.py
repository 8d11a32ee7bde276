"""Desktop metadata: the .desktop file and the AppStream metainfo pass their validators,
the app icon is generated at every size (PNG, .ico, .icns), and the licence is there."""

from __future__ import annotations

import importlib.util
import re
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtGui import QImage, QImageReader

REPO = Path(__file__).resolve().parents[2]
LINUX = REPO / "packaging" / "linux"
APP_ID = "io.github.scoring_console.ScoringConsole"


def load_tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "packaging" / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def validate(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_desktop_file_passes_desktop_file_validate() -> None:
    result = validate("desktop-file-validate", str(LINUX / f"{APP_ID}.desktop"))
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_metainfo_passes_appstreamcli() -> None:
    result = validate("appstreamcli", "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation was successful" in result.stdout


def test_metainfo_names_the_app_its_desktop_file_and_real_screenshots() -> None:
    root = ET.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("project_license") == "MIT"
    images = root.findall("./screenshots/screenshot/image")
    assert len(images) >= 2
    for image in images:
        name = (image.text or "").rsplit("/", 1)[-1]
        local = REPO / "docs" / "screenshots" / name
        assert local.is_file(), f"{name} is not in docs/screenshots"
        width, height = struct.unpack(">II", local.read_bytes()[16:24])
        assert (str(width), str(height)) == (image.get("width"), image.get("height"))
    app_py = (REPO / "src" / "scoring_console" / "ui" / "app.py").read_text()
    assert f'setDesktopFileName("{APP_ID}")' in app_py, "Wayland matches the window by it"
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert root.find(f"./releases/release[@version='{version}']") is not None


@pytest.fixture(scope="module")
def icons(tmp_path_factory: pytest.TempPathFactory, qapp: object) -> Path:
    # a QApplication first (pytest-qt), so make_icons does not create a bare QGuiApplication
    out = tmp_path_factory.mktemp("icons")
    load_tool("make_icons").build(out)
    return out


def test_hicolor_pngs_at_every_size(icons: Path) -> None:
    sizes = load_tool("make_icons").SIZES
    assert min(sizes) == 16 and max(sizes) == 512
    for size in sizes:
        image = QImage(str(icons / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()
        assert image.pixelColor(size // 2, size // 2).alpha() > 0, "the icon is drawn"
    assert (icons / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()


def test_ico_holds_every_windows_size(icons: Path) -> None:
    reader = QImageReader(str(icons / "scoring-console.ico"))
    assert reader.format() == b"ico"
    seen = set()
    for index in range(reader.imageCount()):
        reader.jumpToImage(index)
        image = reader.read()
        seen.add(image.width())
    assert seen == {16, 24, 32, 48, 64, 128, 256}


def test_icns_elements_are_pngs_of_their_size(icons: Path) -> None:
    data = (icons / "scoring-console.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    offset, kinds = 8, {}
    while offset < len(data):
        kind, length = (
            data[offset : offset + 4],
            struct.unpack(">I", data[offset + 4 : offset + 8])[0],
        )
        png = data[offset + 8 : offset + length]
        image = QImage.fromData(png, "PNG")
        kinds[kind.decode()] = image.width()
        offset += length
    assert kinds["ic10"] == 1024 and kinds["icp4"] == 16 and kinds["ic14"] == 512


def test_license_file_is_the_declared_mit() -> None:
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert re.search(r"Copyright \(c\) \d{4}", text)
    assert tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["license"] == "MIT"
