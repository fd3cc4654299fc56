"""``zcrm-editor --demo``: the window opens on the embedded sandbox."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import Qt

from gui.client.signin import SignIn
from gui.core.profile import Profile, StoredSecrets
from gui.sandbox import SandboxServer
from gui.services.secrets import SessionSecretStore
from gui.widgets.main_window import MainWindow


def test_window_lists_the_sandbox_modules_and_who_is_signed_in(qtbot):
    with SandboxServer(records=5, port=0) as sandbox:
        config = sandbox.config
        secrets = SessionSecretStore()
        profile = Profile("demo", "custom", config.client_id, api_base=sandbox.api_url,
                          accounts_base=sandbox.accounts_url)
        secrets.save(profile.name, StoredSecrets(config.client_secret, config.refresh_token))
        with SignIn(secrets).open(profile) as client:
            window = MainWindow(sandbox.base_url, client.current_user(), client.modules())
    qtbot.addWidget(window)
    window.show()
    names = [window.module_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.module_list.count())]
    assert names == ["Leads", "Contacts", "Accounts", "Deals"]
    assert "Patricia Boyle" in window.statusBar().currentMessage()


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
