"""``zcrm-editor --self-test``, ``--version`` and ``--help`` of the installed app, headless."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring.backends.fail
import pytest

from gui import selftest
from gui.app import app_version
from selftest_helpers import CHECK_NAMES, headless_env, run_self_test


def app_command() -> list[str]:
    """The installed ``zcrm-editor`` entry point next to this Python, else ``python -m gui.app``."""
    script = Path(sys.executable).with_name("zcrm-editor.exe" if os.name == "nt" else "zcrm-editor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gui.app"]


def test_self_test_passes_headless_with_one_line_per_check(tmp_path):
    run = run_self_test(app_command(), headless_env(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.header.startswith(f"zcrm-editor {app_version()} self-test (package; Python ")
    assert list(run.checks) == CHECK_NAMES
    status = {name: result[0] for name, result in run.checks.items()}
    detail = {name: result[1] for name, result in run.checks.items()}
    assert detail["Qt platform plugin"].startswith("offscreen (Qt 6.")
    assert status["Qt platform plugin"] == "ok"
    assert status["application icon"] == "ok" and "8 sizes (16-512 px)" in detail["application icon"]
    # The test suite hands child processes keyring's "fail" backend: a warning, not a failure.
    assert status["keyring"] == "warn"
    assert "keyring.backends.fail.Keyring is not a secure store" in detail["keyring"]
    assert "PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring" in detail["keyring"]
    assert status["folders"] == "ok"
    for folder in ("config", "data", "cache", "log"):
        assert f"{folder} {tmp_path / folder}" in detail["folders"]
        assert (tmp_path / folder).is_dir()
    assert status["embedded sandbox"] == "ok"
    assert "answered: signed in as Patricia Boyle, 4 modules" in detail["embedded sandbox"]
    assert status["SSL certificates"] == "ok" and " CA certificates in " in detail["SSL certificates"]
    assert run.summary == "self-test passed (6 checks, 1 warning)"
    assert list(tmp_path.rglob(".self-test-*")) == []  # the probe files are cleaned up


def test_unwritable_data_folder_fails_the_self_test(tmp_path):
    (tmp_path / "data").write_text("a file where the data folder should be\n", encoding="utf-8")
    run = run_self_test(app_command(), headless_env(tmp_path))
    assert run.returncode == 1
    assert list(run.checks) == CHECK_NAMES  # the other checks still run and print
    status, detail = run.checks["folders"]
    assert status == "FAIL" and f"data folder {tmp_path / 'data'} is a file, not a folder" in detail
    assert f"ZCRM_EDITOR_HOME={tmp_path} chose these folders" in detail
    assert run.checks["embedded sandbox"][0] == "ok"
    assert run.summary == "self-test FAILED: 1 of 6 checks failed"


def test_missing_platform_plugin_fails_without_qt_aborting(tmp_path):
    run = run_self_test(app_command(), headless_env(tmp_path, QT_QPA_PLATFORM="no-such-platform"))
    assert run.returncode == 1
    status, detail = run.checks["Qt platform plugin"]
    assert status == "FAIL"
    assert "no-such-platform: not in this build" in detail and "offscreen" in detail
    assert run.checks["application icon"][0] == "warn"  # files are fine; Qt did not start
    assert run.checks["SSL certificates"][0] == "ok"


def test_missing_ca_certificates_fail(tmp_path):
    empty = tmp_path / "empty.pem"
    empty.write_text("", encoding="utf-8")
    run = run_self_test(app_command(), headless_env(tmp_path / "home", REQUESTS_CA_BUNDLE=str(empty)))
    assert run.returncode == 1
    status, detail = run.checks["SSL certificates"]
    assert status == "FAIL" and str(empty) in detail and "REQUESTS_CA_BUNDLE" in detail


def test_version_and_help_of_the_entry_point_need_no_display():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    version = subprocess.run([*app_command(), "--version"], capture_output=True, text=True, timeout=30, env=env)
    assert version.returncode == 0 and version.stdout.strip() == f"zcrm-editor {app_version()}"
    usage = subprocess.run([*app_command(), "--help"], capture_output=True, text=True, timeout=30, env=env)
    assert usage.returncode == 0
    assert "--self-test" in usage.stdout and "--version" in usage.stdout and "--demo" in usage.stdout


# -- the checks one by one, in this process (no Qt) -------------------------------------------


def test_folders_check_reports_every_folder_that_cannot_be_written(tmp_path):
    (tmp_path / "cache").write_text("", encoding="utf-8")
    (tmp_path / "log").write_text("", encoding="utf-8")
    result = selftest.check_folders({"ZCRM_EDITOR_HOME": str(tmp_path)})
    assert result.status == selftest.FAIL
    assert "cache folder" in result.detail and "log folder" in result.detail and "data folder" not in result.detail


def test_folders_check_names_the_file_in_the_way_once_for_all_folders(tmp_path):
    home = tmp_path / "home"
    home.write_text("", encoding="utf-8")
    result = selftest.check_folders({"ZCRM_EDITOR_HOME": str(home)})
    assert result.status == selftest.FAIL
    assert result.detail.startswith(f"the config, data, cache and log folders in {home} cannot be created: "
                                    f"{home} is a file, not a folder. ")
    assert f"ZCRM_EDITOR_HOME={home} chose these folders: point it at a folder you can write to" in result.detail


def test_folders_check_explains_a_folder_that_cannot_be_created(tmp_path, monkeypatch):
    # A read-only parent, without relying on file modes (the tests may run as root).
    from gui.services import paths

    def read_only(folder):
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(paths, "ensure_private_dir", read_only)
    result = selftest.check_folders({"ZCRM_EDITOR_HOME": str(tmp_path / "ro")})
    assert result.status == selftest.FAIL
    assert result.detail.startswith(f"the config, data, cache and log folders in {tmp_path / 'ro'} cannot be "
                                    "created (Permission denied). The app keeps its settings")


def test_folders_check_reports_a_folder_it_cannot_write_to(tmp_path, monkeypatch):
    real_mkstemp = selftest.tempfile.mkstemp

    def mkstemp(dir, **kwargs):  # noqa: A002  (tempfile's own name)
        if Path(dir).name == "log":
            raise PermissionError(13, "Permission denied", dir)
        return real_mkstemp(dir=dir, **kwargs)

    monkeypatch.setattr(selftest.tempfile, "mkstemp", mkstemp)
    result = selftest.check_folders({"ZCRM_EDITOR_HOME": str(tmp_path)})
    assert result.status == selftest.FAIL
    assert result.detail.startswith(f"log folder {tmp_path / 'log'} is not writable (Permission denied). ")


def test_certificates_check_counts_the_bundle_requests_uses(monkeypatch):
    import requests.utils

    result = selftest.check_certificates({})
    assert result.status == selftest.OK
    assert result.detail.split()[0].isdigit() and int(result.detail.split()[0]) > 10
    assert f"in {requests.utils.DEFAULT_CA_BUNDLE_PATH} (certifi;" in result.detail


def test_certificates_check_fails_on_a_missing_bundle(tmp_path):
    result = selftest.check_certificates({"CURL_CA_BUNDLE": str(tmp_path / "missing.pem")})
    assert result.status == selftest.FAIL and "missing.pem" in result.detail and "CURL_CA_BUNDLE" in result.detail


def test_keyring_check_accepts_a_secure_backend(_in_memory_keyring):
    result = selftest.check_keyring({}, system="linux")
    assert result.status == selftest.OK
    assert result.detail.startswith("memory_keyring.InMemoryKeyring (secure; backends in the build: ")
    assert "SecretService" in result.detail


def test_keyring_check_warns_about_an_insecure_backend():
    result = selftest.check_keyring({}, backend=keyring.backends.fail.Keyring(), system="linux")
    assert result.status == selftest.WARN
    assert "session only" in result.detail and "Secret Service provider" in result.detail


def test_keyring_check_says_why_the_secure_backend_was_passed_over(monkeypatch):
    monkeypatch.setattr(selftest, "unavailable_reason",
                        lambda plugin: f"{plugin}: Environment variable DBUS_SESSION_BUS_ADDRESS is unset")
    result = selftest.check_keyring({}, backend=keyring.backends.fail.Keyring(), system=sys.platform)
    assert result.status == selftest.WARN
    assert "unavailable: " in result.detail and "DBUS_SESSION_BUS_ADDRESS is unset" in result.detail
    # Forced by the environment: that is the reason, and nothing else is guessed.
    forced = selftest.check_keyring({"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
                                    backend=keyring.backends.fail.Keyring(), system=sys.platform)
    assert "unavailable" not in forced.detail and "unset it to use the OS keyring" in forced.detail


@pytest.mark.skipif(sys.platform == "darwin", reason="the macOS backend is usable there")
def test_unavailable_reason_is_keyrings_own_words():
    assert "macOS" in selftest.unavailable_reason("macOS")


def test_keyring_advice_in_a_bundle_does_not_ask_for_python_packages(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    result = selftest.check_keyring({}, backend=keyring.backends.fail.Keyring(), system="linux")
    assert result.status == selftest.WARN
    assert "Secret Service provider" in result.detail and "Python packages" not in result.detail


def test_keyring_check_fails_when_the_build_lacks_the_platform_backend(monkeypatch):
    real_find_spec = selftest.find_spec
    monkeypatch.setattr(selftest, "find_spec", lambda name: None if name == "jeepney" else real_find_spec(name))
    result = selftest.check_keyring({}, system="linux")
    assert result.status == selftest.FAIL and "the 'jeepney' package" in result.detail

    monkeypatch.setattr(selftest, "keyring_plugins", lambda: ["chainer", "macOS"])
    result = selftest.check_keyring({}, system="win32")
    assert result.status == selftest.FAIL and "the Windows backend" in result.detail


@pytest.mark.parametrize(("env", "system", "expected"), [
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", ["offscreen"]),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux", ["wayland", "xcb"]),
    ({"QT_QPA_PLATFORM": "xcb:display=:1"}, "linux", ["xcb"]),
    ({}, "linux", ["xcb"]),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", ["wayland", "xcb"]),
    ({}, "darwin", ["cocoa"]),
    ({}, "win32", ["windows"]),
])
def test_platform_qt_will_try(env, system, expected):
    assert selftest.requested_platforms(env, system) == expected
