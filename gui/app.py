"""Wiring and entry point of ``zcrm-editor``: builds the parts and hands each what it needs."""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import PackageNotFoundError, version


def app_version() -> str:
    try:
        return version("zcrm-editor")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zcrm-editor", description="A desktop record editor for Zoho CRM. "
                                "Run “zcrm-editor apply --help” to update records from a CSV file.")
    p.add_argument("--demo", action="store_true",
                   help="start the embedded local Zoho CRM sandbox with demo data and open the editor on it")
    p.add_argument("--demo-records", type=int, default=500, metavar="N", help="records per module in the demo")
    p.add_argument("--quit-after", type=float, metavar="SECONDS",
                   help="close the window after this many seconds (for smoke tests)")
    p.add_argument("--self-test", action="store_true",
                   help="check this installation (Qt platform plugin, icon, keyring, folders, embedded sandbox, "
                        "SSL certificates), print one line per check and exit; non-zero if a check fails")
    p.epilog = "Set ZCRM_EDITOR_HOME to keep settings, data and logs in one folder (portable use)."
    p.add_argument("--version", action="version", version=f"%(prog)s {app_version()}")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["apply"]:
        from .apply_cmd import main as apply_main

        return apply_main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.self_test:
        from .selftest import run_self_test

        return run_self_test()
    # Qt is imported only here, so --help and --version work without a display.
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from .client.errors import ZohoError
    from .demo import start_demo
    from .services.journal import Journal, JournalError
    from .services.logs import setup_logging
    from .services.paths import AppPaths
    from .widgets.main_window import MainWindow

    problems: list[str] = []

    home = os.environ.get("ZCRM_EDITOR_HOME")  # a portable install or a test keeps everything here
    paths = (AppPaths.under(home) if home else AppPaths.default()).ensure()
    log_filter = setup_logging(paths)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("zcrm-editor")
    app.setOrganizationName("zcrm-editor")
    from .icons import APP_ID, app_icon

    app.setDesktopFileName(APP_ID)  # ties windows to the launcher entry (taskbar icon, Wayland app id)
    app.setWindowIcon(app_icon())
    settings = QSettings(str(paths.config_dir / "settings.ini"), QSettings.Format.IniFormat)
    journal = None
    try:
        journal = Journal.in_data_dir(paths)
    except JournalError as err:  # the editor still works; edits then live only in memory
        problems.append(err.args[0] if err.args else str(err))
    demo = None
    client = None
    window: MainWindow
    if args.demo:
        demo = start_demo(args.demo_records, register_secret=log_filter.register_secret)
        origin = f"the demo sandbox ({demo.sandbox.base_url})"
        try:
            client = demo.connect()
            window = MainWindow(client, client.current_user(), origin, profile_name=demo.profile.name,
                                modules=client.modules(), settings=settings, journal=journal,
                                problem="; ".join(problems) or None)
            window.open_module(str(settings.value(f"last-module/{demo.profile.name}", "Leads")))
        except ZohoError as err:
            window = MainWindow(None, None, origin, settings=settings,
                                problem=f"The demo sandbox did not answer: {err.message}")
    else:
        from PySide6.QtWidgets import QDialog

        from .services.profiles import ProfileStore
        from .services.secrets import open_secret_store
        from .widgets.connect_dialog import ConnectDialog

        dialog = ConnectDialog(None, ProfileStore(paths), open_secret_store,
                               start_demo=lambda: start_demo(args.demo_records,
                                                             register_secret=log_filter.register_secret),
                               register_secret=log_filter.register_secret, auto_connect=True)
        if args.quit_after is not None:
            QTimer.singleShot(int(args.quit_after * 1000), dialog.reject)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.client is None:
            if journal is not None:
                journal.close()
            return 0
        client, demo, profile = dialog.client, dialog.demo, dialog.profile
        if dialog.problem:
            problems.append(dialog.problem)
        try:
            window = MainWindow(client, dialog.user, profile.name, profile_name=profile.name,
                                modules=client.modules(), settings=settings, journal=journal,
                                problem="; ".join(problems) or None)
            first = window.module_box.itemData(0) if window.module_box.count() else None
            module = settings.value(f"last-module/{profile.name}", first)
            if module:
                window.open_module(str(module))
        except ZohoError as err:
            window = MainWindow(None, None, profile.name, settings=settings,
                                problem=f"Zoho did not answer: {err.message}")
    window.show()
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    try:
        return app.exec()
    finally:
        window.close()  # saves settings and stops background jobs, also after --quit-after
        if client is not None:
            client.close()
        if demo is not None:
            demo.stop()
        if journal is not None:
            journal.close()


if __name__ == "__main__":
    sys.exit(main())
