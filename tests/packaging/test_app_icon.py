"""The application icon: packaged sizes, and the running app's window and desktop id."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QWidget

from gui.icons import APP_ID, ICON_SIZES, app_icon, icon_files
from selftest_helpers import headless_env


def test_every_icon_size_is_packaged_and_loads(qapp):
    assert sorted(icon_files()) == list(ICON_SIZES)
    icon = app_icon()
    assert not icon.isNull()
    assert [s.width() for s in icon.availableSizes()] == list(ICON_SIZES)
    assert icon.pixmap(QSize(48, 48)).size() == QSize(48, 48)


def test_windows_inherit_the_application_icon(qtbot, qapp):
    saved = QGuiApplication.windowIcon()
    try:
        QGuiApplication.setWindowIcon(app_icon())
        window = QWidget()
        qtbot.addWidget(window)
        window.show()
        assert not window.windowIcon().isNull()
        assert window.windowIcon().cacheKey() == QGuiApplication.windowIcon().cacheKey()
    finally:
        QGuiApplication.setWindowIcon(saved if not saved.isNull() else QIcon())


# Runs the real entry point in a child process and, once its window is up, reports what the
# desktop would see: the application's icon, each window's icon, and the desktop file name.
PROBE = textwrap.dedent("""
    import json, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication(["zcrm-editor"])
    seen = {}
    def look():
        windows = [w for w in app.topLevelWidgets() if w.isVisible()]
        seen.update(app_icon=not app.windowIcon().isNull(),
                    sizes=[s.width() for s in app.windowIcon().availableSizes()],
                    windows=len(windows),
                    window_icons=[not w.windowIcon().isNull() for w in windows],
                    desktop=app.desktopFileName())
    QTimer.singleShot(300, look)
    from gui.app import main
    code = main(["--demo", "--demo-records", "3", "--quit-after", "1.5"])
    print(json.dumps(seen))
    sys.exit(code)
""")


def test_the_app_window_shows_the_icon_and_names_its_launcher(tmp_path):
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60,
                          env=headless_env(tmp_path))
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["app_icon"] and seen["sizes"] == list(ICON_SIZES)
    assert seen["windows"] >= 1 and all(seen["window_icons"])
    assert seen["desktop"] == APP_ID
