"""``zcrm-editor --self-test``: is this installation able to run? One line per check.

Each check prints ``ok``, ``warn`` or ``FAIL``, the thing checked and what was found:

- the Qt platform plugin (found, loadable, and a QApplication starts on it),
- the application icon (the packaged PNG sizes, set as the window icon),
- the keyring backend in use and whether it keeps secrets safely,
- the app's folders (settings, data, cache, logs) and that each is writable,
- the embedded sandbox (started on a free local port; sign in, read who is signed in and
  the module list),
- the SSL certificates ``requests`` verifies Zoho's servers with (loaded offline; no
  connection is made to any outside host).

The exit code is 1 if any check failed, else 0. A keyring that is missing or not secure is
a warning: the app then offers to keep the sign-in for the current session only. A keyring
backend missing from the build itself, on the other hand, is a packaging fault and fails.
Nothing secret is printed. Qt is imported only here, after the non-Qt parts have loaded, so
the module costs nothing for ``--help`` and ``--version``.
"""

from __future__ import annotations

import os
import platform
import ssl
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import TextIO

OK, WARN, FAIL = "ok", "warn", "FAIL"
_KEEP_ALIVE: list[object] = []
# The secure keyring backend of each platform, as keyring names its plugin, and the Python
# packages it needs. The build must contain both for the keyring to work on that platform.
SECURE_BACKENDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "linux": ("SecretService", ("secretstorage", "jeepney")),
    "darwin": ("macOS", ()),
    "win32": ("Windows", ("win32ctypes",)),
}
# What to do when the bundle's secure backend finds nothing to talk to (a bundle carries the
# Python packages, so only the system side can be missing).
BUNDLE_ADVICE: dict[str, str] = {
    "linux": ("Install and run a Secret Service provider in your desktop session, such as GNOME Keyring "
              "(gnome-keyring) or KWallet 5.97 or later, and start the app from that session (it needs "
              "its D-Bus session bus)."),
}


@dataclass(frozen=True)
class CheckResult:
    status: str  # OK, WARN or FAIL
    name: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<5} {self.name}: {self.detail}"


# -- Qt ------------------------------------------------------------------------------------


def requested_platforms(env: Mapping[str, str], system: str = sys.platform) -> list[str]:
    """The Qt platform plugins Qt will try, in order (QT_QPA_PLATFORM, else the default)."""
    raw = env.get("QT_QPA_PLATFORM", "")
    names = [part.split(":", 1)[0].strip().lower() for part in raw.split(";") if part.strip()]
    if names:
        return names
    if system == "darwin":
        return ["cocoa"]
    if system.startswith("win"):
        return ["windows"]
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
        return ["wayland", "xcb"]
    return ["xcb"]


def platform_plugins(env: Mapping[str, str]) -> dict[str, Path]:
    """Every Qt platform plugin Qt can see, by key (``offscreen``, ``xcb``, …)."""
    from PySide6.QtCore import QCoreApplication, QLibrary, QPluginLoader

    folders = [Path(p) / "platforms" for p in QCoreApplication.libraryPaths()]
    if env.get("QT_QPA_PLATFORM_PLUGIN_PATH"):
        folders.insert(0, Path(env["QT_QPA_PLATFORM_PLUGIN_PATH"]))
    found: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for file in sorted(folder.iterdir()):
            if not QLibrary.isLibrary(str(file)):
                continue
            meta = QPluginLoader(str(file)).metaData() or {}
            for key in (meta.get("MetaData") or {}).get("Keys", []):
                found.setdefault(str(key).lower(), file)
    return found


def _display_problem(name: str, env: Mapping[str, str]) -> str | None:
    """Why the windowing system of plugin ``name`` cannot be reached, if it plainly cannot."""
    if name == "xcb" and not env.get("DISPLAY"):
        return "no X display (DISPLAY is not set)"
    if name.startswith("wayland") and not env.get("WAYLAND_DISPLAY"):
        runtime = env.get("XDG_RUNTIME_DIR")
        if not runtime or not (Path(runtime) / "wayland-0").exists():
            return "no Wayland display (WAYLAND_DISPLAY is not set)"
    return None


def check_qt_platform(env: Mapping[str, str]) -> CheckResult:
    """Find and load the platform plugin Qt will use, then start a QApplication on it.

    Qt aborts the whole process when it cannot start its platform plugin, so the plugin is
    located and loaded here first, and the application is created only when that worked.
    """
    name = "Qt platform plugin"
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QPluginLoader, qVersion
    from PySide6.QtWidgets import QApplication

    versions = f"Qt {qVersion()}, PySide6 {pyside_version}"
    app = QApplication.instance()
    notes = ""
    if app is None:
        available = platform_plugins(env)
        wanted = requested_platforms(env)
        problems = []
        chosen = None
        for key in wanted:
            path = available.get(key)
            if path is None:
                problems.append(f"{key}: not in this build")
                continue
            loader = QPluginLoader(str(path))
            if not loader.load():
                problems.append(f"{key}: {path.name} does not load ({loader.errorString()})")
                continue
            problem = _display_problem(key, env)
            if problem:
                problems.append(f"{key}: {problem}")
                continue
            chosen = key
            break
        if chosen is None:
            hint = " (set QT_QPA_PLATFORM=offscreen to check without a display)" if "offscreen" in available else ""
            return CheckResult(FAIL, name, f"none of {', '.join(wanted)} can start: {'; '.join(problems)}; "
                                           f"plugins in this build: {', '.join(sorted(available)) or 'none'}{hint}")
        notes = _desktop_plugin_notes(available, chosen)
        app = QApplication(["zcrm-editor"])
        _KEEP_ALIVE.append(app)  # the remaining checks and the exit still need it
    screen = app.primaryScreen()
    where = f"screen {screen.size().width()}x{screen.size().height()}" if screen is not None else "no screen"
    return CheckResult(OK, name, f"{app.platformName()} ({versions}; {where}){notes}")


def _desktop_plugin_notes(available: Mapping[str, Path], chosen: str) -> str:
    """On a headless run, whether the desktop plugins would load too (their libraries are there)."""
    from PySide6.QtCore import QPluginLoader

    desktop = {"linux": ("xcb", "wayland"), "darwin": ("cocoa",), "win32": ("windows",)}.get(_platform_key(), ())
    if chosen in desktop:
        return ""
    notes = []
    for key in desktop:
        if key not in available:
            notes.append(f"{key} is not in this build")
            continue
        loader = QPluginLoader(str(available[key]))
        notes.append(f"{key} loads" if loader.load() else f"{key} does not load ({loader.errorString()})")
    return f"; desktop plugins: {', '.join(notes)}" if notes else ""


def check_app_icon() -> CheckResult:
    """The packaged icon sizes read as images of the right size, and become the window icon."""
    from PySide6.QtGui import QGuiApplication, QImage

    from .icons import APP_ID, ASSETS, ICON_SIZES, app_icon, icon_files

    name = "application icon"
    files = icon_files()
    missing = [str(s) for s in ICON_SIZES if s not in files]
    if missing:
        return CheckResult(FAIL, name, f"PNG sizes {', '.join(missing)} are missing from {ASSETS}")
    wrong = [f"{path.name} ({QImage(str(path)).width()} px)" for size, path in files.items()
             if QImage(str(path)).width() != size]
    if wrong:
        return CheckResult(FAIL, name, f"unreadable or wrong-sized icon files: {', '.join(wrong)}")
    app = QGuiApplication.instance()
    if app is None:
        return CheckResult(WARN, name, f"{len(files)} PNG sizes present; not set as window icon (Qt did not start)")
    icon = app_icon()
    QGuiApplication.setWindowIcon(icon)
    if QGuiApplication.windowIcon().isNull():
        return CheckResult(FAIL, name, "the window icon stays empty after setting it")
    QGuiApplication.setDesktopFileName(APP_ID)
    return CheckResult(OK, name, f"{len(files)} sizes ({min(files)}-{max(files)} px) set as window icon; "
                                 f"desktop id {APP_ID}")


# -- keyring -------------------------------------------------------------------------------


def _platform_key(system: str = sys.platform) -> str:
    return "win32" if system.startswith("win") else ("linux" if system.startswith("linux") else system)


def keyring_plugins() -> list[str]:
    """The keyring backend plugins registered in this build (keyring finds them this way)."""
    return sorted({ep.name for ep in metadata.entry_points(group="keyring.backends")})


def check_keyring(env: Mapping[str, str], backend: object | None = None, system: str = sys.platform) -> CheckResult:
    """Which keyring backend keyring chose, whether it is secure, and whether the build has ours."""
    from .services.secrets import backend_description, install_advice

    name = "keyring"
    plugins = keyring_plugins()
    secure_plugin, needs = SECURE_BACKENDS.get(_platform_key(system), ("", ()))
    if secure_plugin:
        absent = [] if secure_plugin in plugins else [f"the {secure_plugin} backend"]
        absent += [f"the '{package}' package" for package in needs if find_spec(package) is None]
        if absent:
            return CheckResult(FAIL, name, f"this build lacks {' and '.join(absent)}, so it can never use the "
                                           f"{secure_plugin} keyring; backends in the build: "
                                           f"{', '.join(plugins) or 'none'}")
    try:
        description, secure = backend_description(backend)  # type: ignore[arg-type]
    except Exception as err:  # keyring raises its own errors and those of D-Bus alike
        return CheckResult(WARN, name, f"the keyring could not be started ({type(err).__name__}); sign-ins "
                                       f"would be kept for this session only. {install_advice(system)}")
    if secure:
        return CheckResult(OK, name, f"{description} (secure; backends in the build: {', '.join(plugins)})")
    forced = env.get("PYTHON_KEYRING_BACKEND")
    if forced:
        advice = f"PYTHON_KEYRING_BACKEND={forced} chose it; unset it to use the OS keyring."
    else:
        advice = install_advice(system)
        if secure_plugin and getattr(sys, "frozen", False):
            # The build was checked above to carry the backend and its packages, so the part of
            # the advice about installing Python packages does not apply to a bundle.
            advice = BUNDLE_ADVICE.get(_platform_key(system), advice)
        if secure_plugin and _platform_key(system) == _platform_key():
            reason = unavailable_reason(secure_plugin)
            if reason:
                advice = f"The {secure_plugin} backend is unavailable: {reason}. {advice}"
    return CheckResult(WARN, name, f"{description} is not a secure store, so sign-ins would be kept for this "
                                   f"session only. {advice}")


def unavailable_reason(plugin: str) -> str | None:
    """Why keyring passed over its backend ``plugin`` here (keyring's own words), if it says."""
    try:
        (entry,) = metadata.entry_points(group="keyring.backends", name=plugin)
        backend = entry.load().Keyring
        backend.priority  # noqa: B018  (keyring raises here, with the reason, if the backend is unusable)
    except Exception as err:  # keyring and D-Bus raise errors of many types
        text = str(err).strip().rstrip(".")
        return text or type(err).__name__
    return None


# -- folders -------------------------------------------------------------------------------


def check_folders(env: Mapping[str, str]) -> CheckResult:
    """Create the app's four folders as the app does and write a probe file in each."""
    from .services.paths import AppPaths, ensure_private_dir

    name = "folders"
    home = env.get("ZCRM_EDITOR_HOME")
    paths = AppPaths.under(home) if home else AppPaths.default()
    folders = (("config", paths.config_dir), ("data", paths.data_dir), ("cache", paths.cache_dir),
               ("log", paths.log_dir))
    problems = []
    for label, folder in folders:
        try:
            ensure_private_dir(folder)
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".self-test-", suffix=".tmp")
            try:
                os.write(fd, b"zcrm-editor self-test\n")
            finally:
                os.close(fd)
                os.unlink(probe)
        except OSError as err:
            problems.append((label, Path(folder), folder_problem(Path(folder), err)))
    if problems:
        fix = (f"ZCRM_EDITOR_HOME={home} chose these folders: point it at a folder you can write to, or unset it"
               if home else "check the owner and permissions of these folders, or set ZCRM_EDITOR_HOME to a "
                            "folder you can write to")
        return CheckResult(FAIL, name, f"{describe_folder_problems(problems)}. The app keeps its settings, "
                                       f"edit journal and logs there; {fix}")
    where = ", ".join(f"{label} {folder}" for label, folder in folders)
    return CheckResult(OK, name, f"{where} (all writable{', from ZCRM_EDITOR_HOME' if home else ''})")


def folder_problem(folder: Path, err: OSError) -> str:
    """What stopped the app from using ``folder``, in words (``err`` is what was raised)."""
    for path in (folder, *folder.parents):  # the nearest thing that exists on the way
        if not path.exists():
            continue
        if path.is_dir():
            break
        return "is a file, not a folder" if path == folder else f"cannot be created: {path} is a file, not a folder"
    reason = err.strerror or type(err).__name__
    return f"cannot be created ({reason})" if not folder.exists() else f"is not writable ({reason})"


def describe_folder_problems(problems: list[tuple[str, Path, str]]) -> str:
    """One clause per folder, or one for all when none can be created in the same place."""
    parents = {folder.parent for _, folder, _ in problems}
    reasons = {reason for _, _, reason in problems}
    if len(problems) > 1 and len(parents) == 1 and len(reasons) == 1 and next(iter(reasons)).startswith("cannot"):
        labels = [label for label, _, _ in problems]
        names = f"{', '.join(labels[:-1])} and {labels[-1]}"
        return f"the {names} folders in {parents.pop()} {reasons.pop()}"
    return "; ".join(f"{label} folder {folder} {reason}" for label, folder, reason in problems)


# -- sandbox -------------------------------------------------------------------------------


def check_sandbox() -> CheckResult:
    """Start the embedded sandbox as ``--demo`` does, sign in to it, and read from it."""
    from .client.errors import ZohoError
    from .client.signin import SignIn
    from .client.transport import RetryPolicy
    from .demo import start_demo

    name = "embedded sandbox"
    started = time.monotonic()
    try:
        demo = start_demo(records=5)
    except OSError as err:
        return CheckResult(FAIL, name, f"could not listen on 127.0.0.1 ({err.strerror or type(err).__name__})")
    base_url = demo.sandbox.base_url
    try:
        # The demo's own sign-in, with fewer retries: a local server that does not answer at
        # once is not going to.
        with SignIn(demo.secrets, retry=RetryPolicy(attempts=2, budget=10.0)).open(demo.profile) as client:
            user = client.current_user()
            modules = client.modules()
    except ZohoError as err:
        return CheckResult(FAIL, name, f"{base_url} did not answer as expected: {err.message}")
    except OSError as err:
        return CheckResult(FAIL, name, f"{base_url} could not be reached ({type(err).__name__})")
    finally:
        demo.stop()
    elapsed = time.monotonic() - started
    return CheckResult(OK, name, f"{base_url} answered: signed in as {user.full_name}, "
                                 f"{len(modules)} modules ({elapsed:.2f} s)")


# -- SSL -----------------------------------------------------------------------------------


def ca_bundle_path(env: Mapping[str, str]) -> tuple[str, str]:
    """The CA bundle requests verifies with, and where that choice came from."""
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        if env.get(variable):
            return env[variable], variable
    from requests.utils import DEFAULT_CA_BUNDLE_PATH

    return DEFAULT_CA_BUNDLE_PATH, "certifi"


def check_certificates(env: Mapping[str, str]) -> CheckResult:
    """Load the CA certificates requests will use into an SSL context (offline)."""
    name = "SSL certificates"
    path, source = ca_bundle_path(env)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        if os.path.isdir(path):
            count = sum(1 for entry in os.scandir(path) if entry.name.endswith((".pem", ".crt", ".0")))
            context.load_verify_locations(capath=path)
        else:
            context.load_verify_locations(cafile=path)
            count = context.cert_store_stats()["x509_ca"]
    except (OSError, ssl.SSLError) as err:
        return CheckResult(FAIL, name, f"cannot load the CA certificates from {path} ({source}): "
                                       f"{getattr(err, 'strerror', None) or err}")
    if count == 0:
        return CheckResult(FAIL, name, f"no CA certificates in {path} ({source}); HTTPS to Zoho would fail")
    return CheckResult(OK, name, f"{count} CA certificates in {path} ({source}; {ssl.OPENSSL_VERSION})")


# -- the whole run -------------------------------------------------------------------------


def _guarded(name: str, check: Callable[[], CheckResult]) -> CheckResult:
    try:
        return check()
    except Exception as err:  # a check that crashes is a failed check, with the reason shown
        return CheckResult(FAIL, name, f"the check itself failed: {type(err).__name__}: {err}")


def run_self_test(out: TextIO | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run every check, print one line each and a summary; 1 if any failed, else 0."""
    from .app import app_version

    out = out or sys.stdout
    env = os.environ if env is None else env
    kind = "bundle" if getattr(sys, "frozen", False) else "package"
    print(f"zcrm-editor {app_version()} self-test ({kind}; Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()})", file=out, flush=True)
    checks: list[tuple[str, Callable[[], CheckResult]]] = [
        ("Qt platform plugin", lambda: check_qt_platform(env)),
        ("application icon", check_app_icon),
        ("keyring", lambda: check_keyring(env)),
        ("folders", lambda: check_folders(env)),
        ("embedded sandbox", check_sandbox),
        ("SSL certificates", lambda: check_certificates(env)),
    ]
    results = []
    for name, check in checks:
        result = _guarded(name, check)
        results.append(result)
        print(result.line(), file=out, flush=True)
    failed = sum(r.status == FAIL for r in results)
    warned = sum(r.status == WARN for r in results)
    if failed:
        print(f"self-test FAILED: {failed} of {len(results)} checks failed", file=out, flush=True)
        return 1
    note = f", {warned} warning{'s' if warned != 1 else ''}" if warned else ""
    print(f"self-test passed ({len(results)} checks{note})", file=out, flush=True)
    return 0
