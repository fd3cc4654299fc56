"""``zcrm-editor --demo``: the window opens on the embedded sandbox."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import QSettings

from gui.demo import start_demo
from gui.widgets.main_window import MainWindow


def test_window_lists_the_sandbox_modules_opens_one_and_shows_who_is_signed_in(qtbot, tmp_path):
    demo = start_demo(5)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    try:
        with demo.connect() as client:
            window = MainWindow(client, client.current_user(), demo.sandbox.base_url,
                                profile_name=demo.profile.name, modules=client.modules(), settings=settings)
            qtbot.addWidget(window)
            window.show()
            names = [window.module_box.itemData(i) for i in range(window.module_box.count())]
            assert names == ["Leads", "Contacts", "Accounts", "Deals"]
            assert "Patricia Boyle" in window.user_label.text()
            window.open_module("Contacts")
            qtbot.waitUntil(lambda: window.session is not None and window.session.complete, timeout=20_000)
            assert window.view.model().rowCount() == 5
            assert "5 rows" in window.count_label.text()
            window.close()
    finally:
        demo.stop()


def test_demo_command_starts_and_exits_cleanly(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ZCRM_EDITOR_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "gui.app", "--demo", "--demo-records", "5", "--quit-after", "0.5"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "log" / "zcrm-editor.log").exists()


def test_version_and_help_need_no_display():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    version = subprocess.run([sys.executable, "-m", "gui.app", "--version"], capture_output=True, text=True,
                             timeout=30, env=env)
    assert version.returncode == 0 and version.stdout.startswith("zcrm-editor ")
    usage = subprocess.run([sys.executable, "-m", "gui.app", "--help"], capture_output=True, text=True,
                           timeout=30, env=env)
    assert usage.returncode == 0 and "--demo" in usage.stdout
