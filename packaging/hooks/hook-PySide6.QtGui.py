"""PyInstaller hook for PySide6.QtGui that collects only the Qt plugins the editor uses.

PyInstaller's own hook collects every plugin of the types QtGui loads. Several of them pull
in whole Qt modules the editor never touches (the PDF image format brings QtPdf, the virtual
keyboard brings QtQuick and QtQml) or system libraries that must not be bundled (the GTK 3
platform theme would bring GTK). Because a hook's binaries are scanned for their own
dependencies, dropping a plugin here also drops what only it needed. Hooks on a spec's
``hookspath`` take precedence over PyInstaller's, so this file replaces the stock one.
"""

import os

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

# Plugin folder -> file-name stems to keep (without "lib" and the extension). A folder that
# is not listed here is kept whole; a folder mapped to an empty set is dropped.
KEEP = {
    # offscreen: headless runs and the self-test; xcb / wayland: Linux desktops;
    # windows and cocoa: the other two platforms.
    "platforms": {"qoffscreen", "qxcb", "qwayland", "qwayland-egl", "qwayland-generic", "qwindows", "qcocoa"},
    "platformthemes": {"qxdgdesktopportal"},  # native file dialogs through the desktop portal
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    "imageformats": {"qsvg"},  # PNG is built into QtGui; SVG icon themes need this one
    "iconengines": {"qsvgicon"},
    "wayland-shell-integration": {"xdg-shell"},
    "wayland-graphics-integration-client": {"qt-plugin-wayland-egl"},
    "generic": set(),  # evdev and TUIO input, for embedded devices
    "egldeviceintegrations": set(),  # EGLFS, for embedded devices
}


def _wanted(source: str, destination: str) -> bool:
    folder = os.path.basename(destination.replace("\\", "/").rstrip("/"))
    if "plugins" not in destination.replace("\\", "/").split("/") or folder not in KEEP:
        return True
    stem = os.path.basename(source).split(".")[0]
    stem = stem[3:] if stem.startswith("lib") else stem
    return stem in KEEP[folder]


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(source, destination) for source, destination in binaries if _wanted(source, destination)]
