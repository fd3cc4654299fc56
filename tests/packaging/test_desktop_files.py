"""The launcher entry, the AppStream metainfo and the icon files in resources/."""

from __future__ import annotations

import configparser
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gui.icons import APP_ID, ASSETS, ICON_SIZES

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
DESKTOP = RESOURCES / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"
HICOLOR = RESOURCES / "icons" / "hicolor"
SCREENSHOTS = ["editor.png", "multiselect.png", "paste-preview.png", "submit-errors.png", "submit-preview.png"]
RAW_BASE = "https://raw.githubusercontent.com/zcrm-editor/zcrm-editor/main/resources/screenshots/"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG file"
    return struct.unpack(">II", data[16:24])


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed here (.ci/run installs it, so CI runs this check)")
    return path


def test_desktop_file_passes_desktop_file_validate():
    done = subprocess.run([tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


def test_metainfo_passes_appstreamcli_validate():
    # --no-net: the screenshot URLs are not fetched (the tests never reach the internet).
    done = subprocess.run([tool("appstreamcli"), "validate", "--no-net", str(METAINFO)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation was successful" in done.stdout
    assert "\nE:" not in f"\n{done.stdout}" and "\nW:" not in f"\n{done.stdout}", done.stdout


def test_launcher_entry_runs_the_app_with_its_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(DESKTOP, encoding="utf-8")
    main = entry["Desktop Entry"]
    assert main["Exec"] == "zcrm-editor" and main["Icon"] == APP_ID and main["Type"] == "Application"
    assert entry["Desktop Action demo"]["Exec"] == "zcrm-editor --demo"


def test_metainfo_names_the_launcher_the_program_and_the_readme_screenshots():
    component = ET.parse(METAINFO).getroot()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert component.findtext("provides/binary") == "zcrm-editor"
    images = [image.text for image in component.iter("image")]
    assert images == [RAW_BASE + name for name in SCREENSHOTS]
    assert component.find("screenshots/screenshot[@type='default']/image").text.endswith("/editor.png")
    for name in SCREENSHOTS:  # once a screenshot is in the repository it must be a real PNG
        local = RESOURCES / "screenshots" / name
        if local.exists():
            assert min(png_size(local)) > 0
    # Every screenshot the README shows is in the metainfo too.
    in_readme = re.findall(r"resources/screenshots/([\w.-]+\.png)", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert set(in_readme) <= set(SCREENSHOTS)


def test_icon_sizes_are_right_and_the_package_copies_match():
    svg = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    ET.parse(svg)  # well-formed SVG
    assert (ASSETS / "icon.svg").read_bytes() == svg.read_bytes()
    for size in ICON_SIZES:
        themed = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert png_size(themed) == (size, size)
        assert (ASSETS / f"icon-{size}.png").read_bytes() == themed.read_bytes(), (
            f"gui/assets/icon-{size}.png differs from the themed icon; run packaging/render_icons.py")


def test_windows_and_macos_icon_files_hold_png_images():
    ico = (RESOURCES / "icons" / "zcrm-editor.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count == 7
    sides = []
    for i in range(count):
        side, _, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * i: 22 + 16 * i])
        assert ico[offset: offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(ico)
        sides.append(side or 256)
    assert sides == [16, 24, 32, 48, 64, 128, 256]

    icns = (RESOURCES / "icons" / "zcrm-editor.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    kinds, at = [], 8
    while at < len(icns):
        kind, length = icns[at: at + 4], struct.unpack(">I", icns[at + 4: at + 8])[0]
        assert icns[at + 8: at + 16] == b"\x89PNG\r\n\x1a\n"
        kinds.append(kind.decode())
        at += length
    assert at == len(icns) and kinds == ["icp4", "icp5", "icp6", "ic07", "ic08", "ic09", "ic10"]
