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
    p.epilog = "Set ZCRM_EDITOR_HOME to keep settings, data and logs in one folder (portable use)."
    p.add_argument("--version", action="version", version=f"%(prog)s {app_version()}")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["apply"]:
        from .apply_cmd import main as apply_main

        return apply_main(argv[1:])
    args = build_parser().parse_args(argv)
    # Qt is imported only here, so --help and --version work without a display.
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from .client.errors import ZohoError
    from .client.signin import SignIn
    from .core.profile import Profile, StoredSecrets
    from .sandbox import SandboxServer
    from .services.logs import setup_logging
    from .services.paths import AppPaths
    from .services.secrets import SessionSecretStore
    from .widgets.main_window import MainWindow

    home = os.environ.get("ZCRM_EDITOR_HOME")  # a portable install or a test keeps everything here
    paths = (AppPaths.under(home) if home else AppPaths.default()).ensure()
    log_filter = setup_logging(paths)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("zcrm-editor")
    app.setOrganizationName("zcrm-editor")
    sandbox = None
    client = None
    if args.demo:
        sandbox = SandboxServer(records=max(0, args.demo_records), port=0).start()
        config = sandbox.config
        # The demo's credentials are the sandbox's own; they stay in memory for this session.
        secrets = SessionSecretStore()
        profile = Profile("Demo sandbox", "custom", config.client_id, api_base=sandbox.api_url,
                          accounts_base=sandbox.accounts_url)
        secrets.save(profile.name, StoredSecrets(config.client_secret, config.refresh_token))
        try:
            client = SignIn(secrets, register_secret=log_filter.register_secret).open(profile)
            window = MainWindow(f"the demo sandbox ({sandbox.base_url})", client.current_user(), client.modules())
        except ZohoError as err:
            window = MainWindow("the demo sandbox", None, [], f"The demo sandbox did not answer: {err.message}")
    else:
        window = MainWindow("no org yet", None, [],
                            "Connecting to a real Zoho org is not available in this build yet. "
                            "Start with --demo to try the editor on the embedded sandbox.")
    window.show()
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    try:
        return app.exec()
    finally:
        if client is not None:
            client.close()
        if sandbox is not None:
            sandbox.stop()


if __name__ == "__main__":
    sys.exit(main())
