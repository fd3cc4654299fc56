"""The real editor, started and used as a returning user would, for ``test_gui_kill.py``.

Run as ``python -m reliability.gui_driver --url URL (--stage EDITS.json | --restore) --report OUT.json``
(``tests`` and the repository on PYTHONPATH, ZCRM_EDITOR_HOME set, QT_QPA_PLATFORM=offscreen).

What an earlier sign-in leaves behind is put in place first: the connection profile in the
app's profiles file (marked as used last), its client secret and refresh token in the
keyring (an in-memory keyring of this process: the OS keyring is not for tests), and the
module and columns open last time in the settings. Then :func:`gui.app.main` runs unchanged:
the connection dialog signs in with the stored sign-in by itself, the main window opens the
module and loads it. A timer then does what the user does:

* ``--stage``: once the module is loaded, makes the edits of EDITS.json (``{record id:
  {field: value}}``) in the table as one step (what a paste ends in), chooses Submit (the
  window's action, Ctrl+S), accepts the preview and lets the submit run. The test kills the
  process in the middle of it; if it ever finishes, the report says so.
* ``--restore``: once the module is loaded, answers the banner's offer to restore the edits
  an earlier session did not submit ("Restore them"), chooses Submit, accepts the preview
  and waits for the submit to finish.

The report (JSON) says what the user was shown: the banner, the edits restored, each
record's result (the controller's results, as the errors panel and the results export show
them) and row state, and the outcome line's counts. The window is then closed as the user
would; a driver that gets stuck writes what it saw and exits with status 3.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import keyring
from client.helpers import CLIENT_ID, CLIENT_SECRET, DEMO_REFRESH_TOKEN
from memory_keyring import InMemoryKeyring

PROFILE = "Reliability org"
MODULE = "Leads"
COLUMNS = ["Last_Name", "City", "Designation", "Lead_Status", "Email"]
PATIENCE_S = 100.0  # the longest the driver waits for the window to get anywhere


def earlier_sign_in(url: str) -> None:
    """The profile, its secrets and the last session's module and columns, as the app saved them."""
    from PySide6.QtCore import QSettings

    from gui.core.profile import Profile, StoredSecrets
    from gui.services.paths import AppPaths
    from gui.services.profiles import ProfileStore
    from gui.services.secrets import KeyringSecretStore

    paths = AppPaths.under(os.environ["ZCRM_EDITOR_HOME"]).ensure()
    keyring.set_keyring(InMemoryKeyring())
    KeyringSecretStore().save(PROFILE, StoredSecrets(CLIENT_SECRET, DEMO_REFRESH_TOKEN))
    profiles = ProfileStore(paths)
    profiles.save(Profile(PROFILE, "custom", CLIENT_ID, api_base=url, accounts_base=url))
    profiles.last_used = PROFILE
    settings = QSettings(str(paths.config_dir / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(f"last-module/{PROFILE}", MODULE)
    settings.setValue(f"columns/{PROFILE}/{MODULE}", COLUMNS)
    settings.sync()


class User:
    """Looks at the screen every few milliseconds and does the next step when it can."""

    def __init__(self, app: Any, args: argparse.Namespace) -> None:
        from PySide6.QtCore import QTimer

        self.app = app
        self.args = args
        self.report: dict[str, Any] = {"steps": []}
        self.started = time.monotonic()
        self.step = self.wait_for_module
        self.window: Any = None
        self.controller: Any = None
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    # -- the loop -------------------------------------------------------------------------------
    def tick(self) -> None:
        try:
            self.accept_preview()
            if time.monotonic() - self.started > PATIENCE_S:
                raise TimeoutError(f"stuck at {self.step.__name__}")
            self.step()
        except BaseException:  # noqa: BLE001 - say what happened, never hang the test
            self.report["error"] = traceback.format_exc()
            self.write()
            os._exit(3)

    def did(self, what: str) -> None:
        self.report["steps"].append([round(time.monotonic() - self.started, 3), what])

    def write(self) -> None:
        path = Path(self.args.report)
        path.with_suffix(".part").write_text(json.dumps(self.report, indent=1, default=str), encoding="utf-8")
        path.with_suffix(".part").replace(path)

    # -- steps ----------------------------------------------------------------------------------
    def main_window(self) -> Any:
        from gui.widgets.main_window import MainWindow

        return next((w for w in self.app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)

    def wait_for_module(self) -> None:
        window = self.main_window()
        session = window.session if window is not None else None
        if session is None or session.loading or not session.complete:
            return
        self.window = window
        self.did(f"{session.model.loaded_count} {session.module} loaded")
        self.step = self.make_edits if self.args.stage else self.restore

    def make_edits(self) -> None:
        from gui.core.changeset import CellChange

        wanted = json.loads(Path(self.args.stage).read_text(encoding="utf-8"))
        model = self.window.session.model
        took = model.apply_changes([CellChange(rid, api, value=value, text=str(value))
                                    for rid, values in wanted.items() for api, value in values.items()], "Paste")
        self.did(f"{took} cells edited")
        self.submit()

    def restore(self) -> None:
        banner = self.window.banner
        button = next((b for b in banner.buttons if b.text() == "Restore them"), None)
        if not banner.isVisible() or button is None:
            return
        self.report["banner"] = banner.text.text()
        self.report["buttons"] = [b.text() for b in banner.buttons]
        button.click()
        changes = self.window.session.changes
        self.report["restored"] = [[e.record_id, e.api_name, e.value] for e in changes.edits()]
        self.report["restore_line"] = self.window.statusBar().currentMessage()
        self.did(f"{len(changes)} edits restored")
        self.submit()

    def submit(self) -> None:
        flow = self.window.submit_flow
        self.controller = flow.controller()  # the one the Submit action uses
        self.controller.started.connect(lambda records, calls: self.report.update(sent=records, calls=calls))
        self.controller.finished.connect(self.finished)
        flow.submit_action.trigger()
        self.did("Submit chosen")
        self.step = self.wait

    def accept_preview(self) -> None:
        from gui.widgets.submit_preview import SubmitPreviewDialog

        for widget in self.app.topLevelWidgets():
            if isinstance(widget, SubmitPreviewDialog) and widget.isVisible():
                self.report["preview"] = widget.windowTitle()
                self.did("preview accepted")
                widget.accept()

    def wait(self) -> None:
        pass

    def finished(self, outcome: Any) -> None:
        session = self.window.session
        results = self.controller.results
        self.report["outcome"] = {"updated": outcome.updated, "failed": outcome.failed, "unknown": outcome.unknown,
                                  "not_sent": outcome.not_sent,
                                  "cancelled": outcome.cancelled, "signed_out": outcome.signed_out,
                                  "problem": outcome.problem}
        self.report["results"] = [[r.record_id, r.ok, r.code, r.api_name, r.message] for r in results]
        self.report["rows"] = {r.record_id: session.model.row_state(r.record_id) for r in results}
        self.report["pending"] = len(session.changes)
        self.report["status_line"] = self.window.statusBar().currentMessage()
        self.did("submit finished")
        self.write()
        self.timer.stop()
        self.window.close()  # as the user does; the app then ends


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gui_driver")
    parser.add_argument("--url", required=True, help="the sandbox (API and accounts server)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--stage", help="JSON file of the edits to make and submit")
    what.add_argument("--restore", action="store_true", help="restore the saved edits and submit them")
    parser.add_argument("--report", required=True)
    args = parser.parse_args(argv)
    earlier_sign_in(args.url)

    from PySide6.QtWidgets import QApplication

    from gui.app import main as app_main

    app = QApplication.instance() or QApplication(sys.argv[:1])
    user = User(app, args)
    code = app_main([])
    if "outcome" not in user.report:
        user.report["error"] = f"the editor ended (status {code}) before the submit finished"
        user.write()
        return 3
    return code


if __name__ == "__main__":
    sys.exit(main())
