"""Render the app icon from ``resources/icons/app.svg`` for every platform, at build time.

    python packaging/tools/make_icons.py OUT_DIR

writes ``OUT_DIR/hicolor/<N>x<N>/apps/<APP_ID>.png`` for N in :data:`SIZES` (the
freedesktop hicolor layout, copied as is by ``make deb``), ``OUT_DIR/<APP_ID>.png``
(256 px), ``OUT_DIR/scoring-console.ico`` (Windows: 16–256 px, PNG-compressed entries)
and ``OUT_DIR/scoring-console.icns`` (macOS: 16–1024 px). Qt's SVG renderer draws the
PNGs (PySide6 is already a dependency); the ``.ico`` and ``.icns`` containers are
written with the standard library, so no image tool is needed. Nothing here is
committed: the SVG is the source.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

APP_ID = "io.github.scoring_console.ScoringConsole"
SVG = Path(__file__).resolve().parents[2] / "resources" / "icons" / "app.svg"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (Apple's icns format)
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),  # 16@2x
    (b"ic12", 64),  # 32@2x
    (b"ic13", 256),  # 128@2x
    (b"ic14", 512),  # 256@2x
)


def render_pngs(svg: Path, sizes: set[int]) -> dict[int, bytes]:
    """PNG bytes of ``svg`` at each size (square, transparent background)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    out: dict[int, bytes] = {}
    for size in sorted(sizes):
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        out[size] = bytes(data.data())
    del app
    return out


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG-compressed images (supported since Windows Vista)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An Apple .icns of PNG elements: 'icns', total length, then (type, length, data)."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def build(out_dir: Path, svg: Path = SVG) -> list[Path]:
    """Write every icon file under ``out_dir``; returns the paths written."""
    wanted = set(SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES}
    pngs = render_pngs(svg, wanted)
    written: list[Path] = []

    def write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)

    for size in SIZES:
        write(out_dir / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png", pngs[size])
    write(out_dir / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg", svg.read_bytes())
    write(out_dir / f"{APP_ID}.png", pngs[256])
    write(out_dir / "scoring-console.ico", ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    write(out_dir / "scoring-console.icns", icns_bytes(pngs))
    return written


def main(argv: list[str]) -> int:
    """Command line: ``make_icons.py OUT_DIR``."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for path in build(Path(argv[1])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
