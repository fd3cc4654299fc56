"""Render the application icon's PNG sizes, .ico and .icns from its SVG source.

The SVG in ``resources/icons/hicolor/scalable/apps/`` is the only hand-edited file. This
script writes, next to it, the hicolor PNG sizes for Linux desktops, ``zcrm-editor.ico``
(the Windows executable icon) and ``zcrm-editor.icns`` (the macOS app bundle icon), and
copies the SVG and PNGs into ``gui/assets/`` so that installed copies of the package and the
PyInstaller bundle can set the window icon. Run it after editing the SVG:

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py

``--check`` renders into memory and reports files that differ, without writing anything.
The .ico and .icns files hold PNG images, which every supported Windows and macOS version
reads, so no imaging library beyond Qt is needed.
"""

from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gui.icons import APP_ID, ICON_SIZES  # noqa: E402  (needs the repository on sys.path)

ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
ASSETS = ROOT / "gui" / "assets"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS entry types that hold PNG data, by pixel size.
ICNS_TYPES = ((16, b"icp4"), (32, b"icp5"), (64, b"icp6"), (128, b"ic07"), (256, b"ic08"), (512, b"ic09"),
              (1024, b"ic10"))


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn on a transparent square of ``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_file(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding the given PNG images (one directory entry each)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset + len(images))
        images += data
    return header + entries + images


def icns_file(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding the given PNG images."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for size, kind in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def wanted_files() -> dict[Path, bytes]:
    """Every generated file and its content."""
    svg_bytes = SVG.read_bytes()
    sizes = sorted(set(ICON_SIZES) | set(ICO_SIZES) | {size for size, _ in ICNS_TYPES})
    pngs = {size: render_png(SVG, size) for size in sizes}
    files: dict[Path, bytes] = {ASSETS / "icon.svg": svg_bytes}
    for size in ICON_SIZES:
        files[ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"] = pngs[size]
        files[ASSETS / f"icon-{size}.png"] = pngs[size]
    files[ICONS / "zcrm-editor.ico"] = ico_file({size: pngs[size] for size in ICO_SIZES})
    files[ICONS / "zcrm-editor.icns"] = icns_file({size: pngs[size] for size, _ in ICNS_TYPES})
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report files that are out of date; write nothing")
    args = parser.parse_args(argv)
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(["render_icons"])  # noqa: F841  (fonts, image plugins)
    stale = []
    for path, data in wanted_files().items():
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    verb = "out of date" if args.check else "written"
    for path in stale:
        print(f"{verb}: {path}")
    if not stale:
        print("all icon files are up to date")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
