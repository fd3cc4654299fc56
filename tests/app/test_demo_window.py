"""``zcrm-editor --demo``: the window opens on the embedded sandbox."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import Qt

from gui.client.connection import ZohoConnection
from gui.sandbox import SandboxServer
from gui.widgets.main_window import MainWindow


def test_window_lists_the_sandbox_modules_and_who_is_signed_in(qtbot):
    with SandboxServer(records=5, port=0) as sandbox:
        config = sandbox.config
        connection = ZohoConnection(sandbox.api_url, sandbox.accounts_url, config.client_id,
                                    config.client_secret, config.refresh_token)
        try:
            window = MainWindow(sandbox.base_url, connection.current_user(), connection.modules())
        finally:
            connection.close()
    qtbot.addWidget(window)
    window.show()
    names = [window.module_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.module_list.count())]
    assert names == ["Leads", "Contacts", "Accounts", "Deals"]
    assert "Patricia Boyle" in window.statusBar().currentMessage()


def test_demo_command_starts_and_exits_cleanly():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "gui.app", "--demo", "--demo-records", "5", "--quit-after", "0.5"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr


def test_version_and_help_need_no_display():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    version = subprocess.run([sys.executable, "-m", "gui.app", "--version"], capture_output=True, text=True,
                             timeout=30, env=env)
    assert version.returncode == 0 and version.stdout.startswith("zcrm-editor ")
    usage = subprocess.run([sys.executable, "-m", "gui.app", "--help"], capture_output=True, text=True,
                           timeout=30, env=env)
    assert usage.returncode == 0 and "--demo" in usage.stdout
