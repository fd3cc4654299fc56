"""ConnectDialog against in-process sandboxes: the demo, a pasted grant code, the browser flow
(the consent page driven headless), wrong secrets, the keyring and the remembered profile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import keyring
import pytest
import requests
from keyring.backends import fail
from PySide6.QtCore import Qt

from gui.core.profile import DEFAULT_SCOPES
from gui.demo import Demo, start_demo
from gui.sandbox import SandboxServer
from gui.services.paths import AppPaths
from gui.services.profiles import ProfileStore
from gui.services.secrets import SERVICE, KeyringSecretStore, SessionSecretStore, open_secret_store
from gui.widgets.connect_dialog import ConnectDialog

try:
    from tests.client.helpers import CLIENT_ID, CLIENT_SECRET, HeadlessBrowser, every_file_text, query_of
except ModuleNotFoundError:  # tests/ is no package: pytest puts tests/ itself on sys.path instead
    from client.helpers import CLIENT_ID, CLIENT_SECRET, HeadlessBrowser, every_file_text, query_of  # type: ignore

USER = ("Patricia Boyle", "patricia.boyle@zylker-demo.com")
WAIT = 20_000


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(records=5, port=0).start()
    yield server
    server.stop()


@pytest.fixture
def profiles(tmp_path: Path) -> ProfileStore:
    return ProfileStore(AppPaths.under(tmp_path / "home"))


@pytest.fixture
def dialogs(qtbot: Any) -> Iterator[Any]:
    """Make dialogs; what they connected to is closed (and demos stopped) afterwards."""
    made: list[ConnectDialog] = []

    def make(profiles: ProfileStore, secrets: Any = None, **options: Any) -> ConnectDialog:
        dialog = ConnectDialog(None, profiles, secrets if secrets is not None else KeyringSecretStore(), **options)
        qtbot.addWidget(dialog)
        made.append(dialog)
        dialog.show()
        return dialog

    yield make
    for dialog in made:
        dialog.reject()
        if dialog.client is not None:
            dialog.client.close()
        if dialog.demo is not None:
            dialog.demo.stop()


def fill(dialog: ConnectDialog, sandbox: SandboxServer, name: str = "Zylker", secret: str = CLIENT_SECRET) -> None:
    dialog.name_edit.setText(name)
    dialog.dc_combo.setCurrentIndex(dialog.dc_combo.findData("custom"))
    dialog.api_edit.setText(sandbox.api_url)
    dialog.accounts_edit.setText(sandbox.accounts_url)
    dialog.client_id_edit.setText(CLIENT_ID)
    dialog.secret_edit.setText(secret)


def sign_in_with_code(qtbot: Any, dialog: ConnectDialog, sandbox: SandboxServer, enter: bool = False) -> str:
    code = sandbox.app.oauth.issue_grant_code(DEFAULT_SCOPES)
    dialog.code_button.click()
    assert dialog.code_box.isVisible() and dialog.code_go.isDefault()
    dialog.code_edit.setText(code)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        if enter:  # Enter in the code field uses the code (and nothing else)
            qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Return)
        else:
            dialog.code_go.click()
    return code


def wait_idle(qtbot: Any, dialog: ConnectDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy and not dialog._jobs, timeout=WAIT)


def test_the_demo_button_gives_a_signed_in_client(qtbot, dialogs, profiles, _in_memory_keyring):
    demos: list[Demo] = []

    def starter() -> Demo:
        demos.append(start_demo(10))
        return demos[-1]

    dialog = dialogs(profiles, start_demo=starter)
    assert dialog.demo_button.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        dialog.demo_button.click()
        assert dialog.busy and not dialog.client_id_edit.isEnabled()
    assert dialog.demo is demos[0]
    assert (dialog.user.full_name, dialog.user.email) == USER
    assert dialog.profile == demos[0].profile
    assert dialog.client.count("Leads") == 10
    assert profiles.list() == [] and profiles.last_used is None  # the demo is not a saved profile
    assert _in_memory_keyring.entries == {}


def test_without_a_demo_starter_there_is_no_demo_button(dialogs, profiles):
    assert not dialogs(profiles).demo_button.isVisible()


def test_a_pasted_grant_code_signs_in_and_saves_the_profile_without_secrets(
        qtbot, dialogs, profiles, sandbox, tmp_path, _in_memory_keyring):
    registered: list[str] = []
    dialog = dialogs(profiles, register_secret=registered.append)
    fill(dialog, sandbox)
    code = sign_in_with_code(qtbot, dialog, sandbox, enter=True)

    assert (dialog.user.full_name, dialog.user.email) == USER
    assert dialog.client.count("Leads") == 5
    assert dialog.demo is None
    saved = profiles.get("Zylker")
    assert saved == dialog.profile
    assert (saved.data_centre, saved.client_id, saved.api_base) == ("custom", CLIENT_ID, sandbox.api_url)
    assert saved.user_email == USER[1]
    assert profiles.last_used == "Zylker"

    [refresh] = set(sandbox.app.oauth.refresh_tokens) - {sandbox.config.refresh_token}
    entry = json.loads(_in_memory_keyring.entries[(SERVICE, "Zylker")])
    assert entry == {"client_secret": CLIENT_SECRET, "refresh_token": refresh}
    on_disk = every_file_text(tmp_path)
    assert CLIENT_ID in on_disk
    for secret in (CLIENT_SECRET, refresh, code):
        assert secret not in on_disk
    assert CLIENT_SECRET in registered  # handed to the log filter
    assert len(sandbox.app.oauth.refresh_tokens) == 2  # one sign-in only: Enter did not start a second


def test_a_wrong_client_secret_keeps_the_dialog_open_with_what_was_typed(
        qtbot, dialogs, profiles, sandbox, _in_memory_keyring):
    dialog = dialogs(profiles)
    fill(dialog, sandbox, secret="not-the-secret")
    code = sandbox.app.oauth.issue_grant_code(DEFAULT_SCOPES)
    dialog.code_button.click()
    dialog.code_edit.setText(code)
    dialog.code_go.click()
    assert dialog.busy
    wait_idle(qtbot, dialog)

    assert dialog.isVisible() and dialog.client is None
    assert "client id and secret" in dialog.status.text()
    assert "not-the-secret" not in dialog.status.text()
    assert dialog.name_edit.text() == "Zylker" and dialog.client_id_edit.text() == CLIENT_ID
    assert dialog.secret_edit.text() == "not-the-secret" and dialog.code_edit.text() == code
    assert dialog.api_edit.text() == sandbox.api_url
    assert dialog.browser_button.isEnabled() and dialog.client_id_edit.isEnabled()
    assert profiles.list() == [] and _in_memory_keyring.entries == {}


def test_missing_values_are_named_before_anything_is_sent(qtbot, dialogs, profiles, sandbox):
    dialog = dialogs(profiles)
    dialog.browser_button.click()
    assert "name" in dialog.status.text() and not dialog.busy
    fill(dialog, sandbox, secret="")
    dialog.browser_button.click()
    assert "client secret" in dialog.status.text() and not dialog.busy
    dialog.secret_edit.setText(CLIENT_SECRET)
    dialog.code_go.click()
    assert "grant code" in dialog.status.text() and not dialog.busy


def test_browser_sign_in_through_the_consent_page(qtbot, dialogs, profiles, sandbox, _in_memory_keyring):
    browser = HeadlessBrowser()
    dialog = dialogs(profiles, open_browser=browser)
    fill(dialog, sandbox)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        dialog.browser_button.click()
    assert dialog.user.email == USER[1]
    assert query_of(browser.authorize_url)["code_challenge_method"] == "S256"
    assert browser.landing.status_code == 200
    assert profiles.last_used == "Zylker"
    assert json.loads(_in_memory_keyring.entries[(SERVICE, "Zylker")])["client_secret"] == CLIENT_SECRET


def test_declining_in_the_browser_says_so(qtbot, dialogs, profiles, sandbox, _in_memory_keyring):
    dialog = dialogs(profiles, open_browser=HeadlessBrowser(decision="deny"))
    fill(dialog, sandbox)
    dialog.browser_button.click()
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == "Access was declined in the browser."
    assert dialog.isVisible() and dialog.client is None and _in_memory_keyring.entries == {}


def test_the_browser_wait_can_be_cancelled(qtbot, dialogs, profiles, sandbox):
    opened: list[str] = []
    dialog = dialogs(profiles, open_browser=opened.append)
    fill(dialog, sandbox)
    dialog.browser_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT)
    assert dialog.stop_button.isVisible() and "browser" in dialog.status.text()
    dialog.stop_button.click()
    assert not dialog.busy and dialog.status.text() == "Sign-in cancelled."
    wait_idle(qtbot, dialog)
    with pytest.raises(requests.ConnectionError):  # the loopback listener is gone
        requests.get(query_of(opened[0])["redirect_uri"], timeout=2)
    assert dialog.isVisible() and dialog.client is None


def test_the_desktop_browser_is_asked_from_the_gui_thread_and_a_link_shown_if_it_fails(
        qtbot, dialogs, profiles, sandbox, monkeypatch):
    import threading

    from PySide6.QtGui import QDesktopServices

    asked: list[tuple[str, bool]] = []

    def refuse(url: Any) -> bool:
        asked.append((url.toString(), threading.current_thread() is threading.main_thread()))
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(refuse))
    dialog = dialogs(profiles)
    fill(dialog, sandbox)
    dialog.browser_button.click()
    qtbot.waitUntil(lambda: bool(asked), timeout=WAIT)
    [(url, on_gui_thread)] = asked
    assert on_gui_thread and url.startswith(sandbox.accounts_url + "/oauth/v2/auth")
    assert "No browser could be started" in dialog.status.text() and "href=" in dialog.status.text()
    assert dialog.busy
    dialog.stop_button.click()
    wait_idle(qtbot, dialog)


def test_the_last_profile_is_remembered_and_opens_by_itself(qtbot, dialogs, profiles, sandbox):
    first = dialogs(profiles)
    fill(first, sandbox)
    sign_in_with_code(qtbot, first, sandbox)

    again = dialogs(profiles)  # next start, without auto-connect: the form is filled in
    assert again.profile_combo.currentText() == "Zylker"
    assert again.name_edit.text() == "Zylker" and again.client_id_edit.text() == CLIENT_ID
    assert again.dc_combo.currentData() == "custom" and again.api_edit.isVisible()
    assert again.secret_edit.text() == "" and "keyring" in again.secret_edit.placeholderText()
    assert again.connect_button.isVisible()
    again.reject()

    auto = ConnectDialog(None, profiles, KeyringSecretStore(), auto_connect=True)
    qtbot.addWidget(auto)
    with qtbot.waitSignal(auto.accepted, timeout=WAIT):
        auto.show()
    try:
        assert auto.profile.name == "Zylker" and auto.user.email == USER[1]
        assert auto.client.count("Leads") == 5
    finally:
        auto.client.close()


def test_a_revoked_sign_in_asks_to_sign_in_again(qtbot, dialogs, profiles, sandbox):
    first = dialogs(profiles)
    fill(first, sandbox)
    sign_in_with_code(qtbot, first, sandbox)
    sandbox.app.oauth.refresh_tokens.clear()  # revoked at Zoho meanwhile

    again = dialogs(profiles, auto_connect=True)
    assert again.busy
    wait_idle(qtbot, again)
    assert again.isVisible() and again.client is None
    assert "sign in again" in again.status.text() and not again.connect_button.isVisible()
    assert again.name_edit.text() == "Zylker"


def test_without_a_keyring_the_user_chooses_session_only(qtbot, dialogs, profiles, sandbox, _in_memory_keyring):
    keyring.set_keyring(fail.Keyring())  # tests/conftest.py puts its own backend back afterwards
    dialog = dialogs(profiles, secrets=open_secret_store)
    assert dialog.keyring_box.isVisible()
    assert "this session only" in dialog.keyring_text.text()
    assert not dialog.browser_button.isEnabled() and not dialog.code_button.isEnabled()

    fill(dialog, sandbox)
    dialog.session_only.setChecked(True)  # what was typed stays
    assert dialog.browser_button.isEnabled()
    assert dialog.name_edit.text() == "Zylker" and dialog.secret_edit.text() == CLIENT_SECRET
    sign_in_with_code(qtbot, dialog, sandbox)
    assert isinstance(dialog.secrets, SessionSecretStore)
    assert dialog.secrets.load("Zylker").client_secret == CLIENT_SECRET
    assert profiles.get("Zylker") is not None and _in_memory_keyring.entries == {}
