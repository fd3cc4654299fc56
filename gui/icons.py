"""The application icon and the desktop id that ties the window to its launcher entry.

The icon files live in ``gui/assets/`` (package data), so an installed package and the
PyInstaller bundle find them next to this module. They are rendered from the SVG in
``resources/icons`` by ``packaging/render_icons.py``. Qt is imported only when an icon is
built, so this module also serves the headless self-test and the build scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

# The reverse-DNS id used for the .desktop file, the AppStream metainfo and the icon name.
# Qt reports it to the desktop (Wayland app id, X11 window properties) through
# QGuiApplication.setDesktopFileName, which is how the taskbar finds the launcher's icon.
APP_ID = "io.github.zcrm_editor.ZcrmEditor"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ASSETS = Path(__file__).resolve().parent / "assets"


def icon_files() -> dict[int, Path]:
    """The PNG icon of each size that is present in the package, by pixel size."""
    return {size: ASSETS / f"icon-{size}.png" for size in ICON_SIZES if (ASSETS / f"icon-{size}.png").is_file()}


def app_icon() -> QIcon:
    """The application icon with every PNG size (null if the files are missing)."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for size, path in icon_files().items():
        icon.addFile(str(path), QSize(size, size))
    return icon
