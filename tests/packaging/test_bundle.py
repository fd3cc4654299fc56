"""Build the one-folder app with packaging/build.sh and run its --self-test headless."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gui.app import app_version
from selftest_helpers import CHECK_NAMES, headless_env, run_self_test

ROOT = Path(__file__).resolve().parents[2]
SIZE_LIMIT_MB = 200  # measured about 130 MB on Linux x86_64 with PySide6 6.12; catches a lost exclude
# Qt modules the editor does not use; none of their libraries may end up in the folder.
UNWANTED_QT = ("Qt6Quick", "Qt6Qml", "Qt6WebEngine", "Qt6Pdf", "Qt6Network", "Qt6Multimedia", "Qt63D",
               "Qt6VirtualKeyboard", "Qt6Sql", "Qt6Designer")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="build.sh and this check are for Linux"),
]


def folder_size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> tuple[Path, float]:
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed in this environment (pip install -e '.[packaging]'; "
                    ".ci/run installs it, so CI runs this test)")
    out = tmp_path_factory.mktemp("bundle")
    env = {**os.environ, "PYTHON": sys.executable}
    started = time.monotonic()
    done = subprocess.run(["bash", str(ROOT / "packaging" / "build.sh"), "--dist", str(out / "dist"),
                           "--work", str(out / "work"), "--no-check"],
                          capture_output=True, text=True, timeout=840, env=env, cwd=ROOT)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    return out / "dist" / "zcrm-editor", elapsed


@pytest.mark.timeout(900)
def test_bundle_self_test_passes_headless(bundle, tmp_path):
    app, build_seconds = bundle
    exe = app / "zcrm-editor"
    assert exe.is_file() and os.access(exe, os.X_OK)
    # No CA bundle from the environment: the bundle must use the certificates it carries.
    env = headless_env(tmp_path, PYTHONPATH="")
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        env.pop(variable, None)
    run = run_self_test([str(exe)], env, timeout=120)
    print(f"\nbundle: {app} ({folder_size_mb(app):.0f} MB), built in {build_seconds:.0f} s\n{run.stdout}")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.header.startswith(f"zcrm-editor {app_version()} self-test (bundle; ")
    assert list(run.checks) == CHECK_NAMES
    status = {name: result[0] for name, result in run.checks.items()}
    detail = {name: result[1] for name, result in run.checks.items()}
    assert status["Qt platform plugin"] == "ok" and detail["Qt platform plugin"].startswith("offscreen ")
    # The X11 plugin finds every library it needs inside the folder (or on this system).
    assert "desktop plugins: xcb loads" in detail["Qt platform plugin"]
    assert status["application icon"] == "ok"
    # No Secret Service runs here, so a warning; a FAIL would mean the build lacks its backends.
    assert status["keyring"] in ("ok", "warn"), detail["keyring"]
    assert status["folders"] == "ok" and str(tmp_path / "data") in detail["folders"]
    assert status["embedded sandbox"] == "ok"
    assert status["SSL certificates"] == "ok" and f"in {app}" in detail["SSL certificates"]
    assert "(certifi;" in detail["SSL certificates"]


@pytest.mark.timeout(900)
def test_bundle_version_help_and_contents(bundle):
    app, _ = bundle
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    version = subprocess.run([str(app / "zcrm-editor"), "--version"], capture_output=True, text=True, timeout=60,
                             env=env)
    assert version.returncode == 0 and version.stdout.strip() == f"zcrm-editor {app_version()}"
    usage = subprocess.run([str(app / "zcrm-editor"), "--help"], capture_output=True, text=True, timeout=60, env=env)
    assert usage.returncode == 0 and "--self-test" in usage.stdout

    plugins = app / "_internal" / "PySide6" / "Qt" / "plugins"
    assert {p.name for p in (plugins / "platforms").iterdir()} >= {"libqoffscreen.so", "libqxcb.so"}
    libraries = [p.name for p in app.rglob("*.so*")]
    assert [name for name in libraries if any(f"lib{qt}" in name for qt in UNWANTED_QT)] == []
    assert not any(name.startswith("libgtk") for name in libraries)
    assert list((app / "_internal").glob("keyring-*.dist-info/entry_points.txt"))
    assert (app / "_internal" / "gui" / "assets" / "icon-256.png").is_file()
    assert folder_size_mb(app) < SIZE_LIMIT_MB
    share = app / "share"
    assert (share / "applications" / "io.github.zcrm_editor.ZcrmEditor.desktop").is_file()
    assert (share / "metainfo" / "io.github.zcrm_editor.ZcrmEditor.metainfo.xml").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "io.github.zcrm_editor.ZcrmEditor.svg").is_file()
    assert os.access(app / "install-linux.sh", os.X_OK)
