"""Signing in against the sandbox over real HTTP: the Self Client grant code, the browser
flow driven headless through the sandbox's consent page, sign-out, and where the secrets
go (the keyring, or explicitly this session only)."""

from __future__ import annotations

import json
import threading
import time

import keyring
import pytest
import requests
from keyring.backends import fail

from gui.client.errors import Cancelled, SignInError, SignInRequired
from gui.client.signin import SignIn
from gui.client.transport import CancelToken
from gui.services.paths import AppPaths
from gui.services.profiles import ProfileStore
from gui.services.secrets import (SERVICE, KeyringSecretStore, NoKeyringError, SessionSecretStore,
                                  open_secret_store)

from .conftest import profile_for
from .helpers import CLIENT_SECRET, DEMO_REFRESH_TOKEN, HeadlessBrowser, every_file_text, query_of, with_query

CURRENT_USER = ("Patricia Boyle", "patricia.boyle@zylker-demo.com")


def issued_refresh_tokens(sandbox) -> set[str]:
    return set(sandbox.app.oauth.refresh_tokens) - {DEMO_REFRESH_TOKEN}


def keyring_entry(ring, profile_name: str = "sandbox") -> dict:
    return json.loads(ring.entries[(SERVICE, profile_name)])


# -- grant code (Self Client) --------------------------------------------------------------
def test_grant_code_sign_in_keeps_the_refresh_token_only_in_the_keyring(
        sandbox, keyring_store, _in_memory_keyring, sign_in_with_code, tmp_path):
    connected, user, code = sign_in_with_code(sandbox, keyring_store)

    assert (user.full_name, user.email) == CURRENT_USER
    [refresh] = issued_refresh_tokens(sandbox)
    assert list(_in_memory_keyring.entries) == [(SERVICE, "sandbox")]
    assert keyring_entry(_in_memory_keyring) == {"client_secret": CLIENT_SECRET, "refresh_token": refresh}
    [access] = sandbox.app.oauth.access_tokens  # the one access token, kept in memory only
    assert access not in _in_memory_keyring.entries[(SERVICE, "sandbox")]
    assert code not in _in_memory_keyring.entries[(SERVICE, "sandbox")]

    # The profile is saved with its settings and without any secret.
    paths = AppPaths.under(tmp_path / "app")
    ProfileStore(paths).save(connected.profile)
    assert ProfileStore(paths).get("sandbox") == connected.profile
    on_disk = every_file_text(tmp_path)
    assert "demo-client" in on_disk
    for secret in (refresh, access, CLIENT_SECRET, code):
        assert secret not in on_disk

    # The client is signed in, and the token came from the grant (no extra refresh).
    assert "Leads" in [m.api_name for m in connected.client.modules()]
    assert connected.tokens.refreshes == 0


def test_a_stored_sign_in_opens_again_and_sign_out_forgets_it(sandbox, keyring_store, _in_memory_keyring,
                                                             sign_in_with_code, clients):
    connected, _, _ = sign_in_with_code(sandbox, keyring_store)
    [refresh] = issued_refresh_tokens(sandbox)

    later = SignIn(KeyringSecretStore())  # as on the next start of the app
    reopened = later.open(connected.profile)
    clients.append(reopened)
    assert reopened.current_user().email == CURRENT_USER[1]
    assert reopened.transport.tokens.refreshes == 1  # a fresh access token from the stored refresh token

    later.sign_out(connected.profile)
    assert (SERVICE, "sandbox") not in _in_memory_keyring.entries
    assert refresh not in sandbox.app.oauth.refresh_tokens  # revoked at Zoho
    with pytest.raises(SignInRequired) as caught:
        later.open(connected.profile)
    assert "Sign in" in caught.value.message


def test_a_wrong_grant_code_is_refused_readably(sandbox, keyring_store, _in_memory_keyring):
    profile = profile_for(sandbox)
    with pytest.raises(SignInError) as caught:
        SignIn(keyring_store).with_grant_code(profile, CLIENT_SECRET, "1000.0123456789abcdef.0123456789abcdef")
    assert caught.value.code == "INVALID_CODE"
    assert "grant code is wrong" in caught.value.message
    assert "1000.0123456789abcdef" not in str(caught.value)
    assert _in_memory_keyring.entries == {}


def test_a_grant_code_works_once(sandbox, keyring_store, sign_in_with_code):
    connected, _, code = sign_in_with_code(sandbox, keyring_store)
    with pytest.raises(SignInError) as caught:
        SignIn(keyring_store).with_grant_code(connected.profile, CLIENT_SECRET, code)
    assert caught.value.code == "INVALID_CODE"


def test_a_wrong_client_secret_is_refused(sandbox, keyring_store, _in_memory_keyring):
    profile = profile_for(sandbox)
    code = sandbox.app.oauth.issue_grant_code(profile.scopes)
    with pytest.raises(SignInError) as caught:
        SignIn(keyring_store).with_grant_code(profile, "not-the-secret", code)
    assert caught.value.code == "INVALID_CLIENT"
    assert "client id and secret" in caught.value.message
    assert "not-the-secret" not in str(caught.value)
    assert _in_memory_keyring.entries == {}


# -- browser (loopback redirect, PKCE) -----------------------------------------------------
def test_browser_sign_in_through_the_consent_page(sandbox, keyring_store, _in_memory_keyring, clients):
    challenges = []

    def look(redirect: str) -> str:  # what the accounts server stored with the code it issued
        challenges.append(sandbox.app.oauth.codes[query_of(redirect)["code"]].challenge)
        return redirect

    browser = HeadlessBrowser(tamper=look)
    profile = profile_for(sandbox)
    client, user = SignIn(keyring_store).with_browser(profile, CLIENT_SECRET, browser, timeout=10)
    clients.append(client)

    assert (user.full_name, user.email) == CURRENT_USER
    asked = query_of(browser.authorize_url)
    assert asked["code_challenge_method"] == "S256"
    assert len(asked["code_challenge"]) == 43  # base64url of a SHA-256 digest, unpadded
    assert asked["state"] and asked["client_id"] == "demo-client"
    assert asked["response_type"] == "code" and asked["access_type"] == "offline"
    assert asked["redirect_uri"].startswith("http://127.0.0.1:")
    assert challenges == [asked["code_challenge"]]  # the code was bound to our challenge…
    # …and the exchange passed the sandbox's S256 check, so our verifier matched it.
    assert browser.landing.status_code == 200 and "Signed in" in browser.landing.text
    assert query_of(browser.redirect)["code"] not in browser.landing.text
    [refresh] = issued_refresh_tokens(sandbox)
    assert keyring_entry(_in_memory_keyring)["refresh_token"] == refresh
    assert client.count("Leads") == 60


def test_a_reply_with_another_state_is_not_accepted(sandbox, keyring_store, _in_memory_keyring):
    browser = HeadlessBrowser(tamper=lambda url: with_query(url, state="forged-state"))
    with pytest.raises(SignInError) as caught:
        SignIn(keyring_store).with_browser(profile_for(sandbox), CLIENT_SECRET, browser, timeout=10)
    assert caught.value.code == "STATE_MISMATCH"
    assert "Start the sign-in again" in caught.value.message
    assert browser.landing.status_code == 400
    assert query_of(browser.redirect)["code"] in sandbox.app.oauth.codes  # never exchanged
    assert issued_refresh_tokens(sandbox) == set()
    assert _in_memory_keyring.entries == {}


def test_declining_in_the_browser(sandbox, keyring_store, _in_memory_keyring):
    browser = HeadlessBrowser(decision="deny")
    with pytest.raises(SignInError) as caught:
        SignIn(keyring_store).with_browser(profile_for(sandbox), CLIENT_SECRET, browser, timeout=10)
    assert caught.value.code == "ACCESS_DENIED"
    assert caught.value.message == "Access was declined in the browser."
    assert "declined" in browser.landing.text
    assert _in_memory_keyring.entries == {}


def test_browser_sign_in_times_out(sandbox, keyring_store):
    seen = []
    started = time.monotonic()
    with pytest.raises(SignInError) as caught:
        SignIn(keyring_store).with_browser(profile_for(sandbox), CLIENT_SECRET, seen.append, timeout=0.5)
    assert caught.value.code == "TIMEOUT"
    assert "did not finish in time" in caught.value.message
    assert 0.5 <= time.monotonic() - started < 5
    with pytest.raises(requests.ConnectionError):  # the listener is gone
        requests.get(query_of(seen[0])["redirect_uri"], timeout=2)


def test_browser_sign_in_can_be_cancelled(sandbox, keyring_store, _in_memory_keyring):
    cancel = CancelToken()
    seen = []

    def open_browser(url: str) -> None:  # the user gives up while the browser is open
        seen.append(url)
        threading.Timer(0.2, cancel.cancel).start()

    started = time.monotonic()
    with pytest.raises(Cancelled):
        SignIn(keyring_store).with_browser(profile_for(sandbox), CLIENT_SECRET, open_browser, cancel=cancel,
                                           timeout=30)
    assert time.monotonic() - started < 5
    with pytest.raises(requests.ConnectionError):
        requests.get(query_of(seen[0])["redirect_uri"], timeout=2)
    assert _in_memory_keyring.entries == {}


# -- no keyring ------------------------------------------------------------------------------
def test_no_keyring_backend_says_what_to_install_and_never_falls_back():
    keyring.set_keyring(fail.Keyring())  # the suite's fixture puts its own backend back afterwards
    with pytest.raises(NoKeyringError) as caught:
        KeyringSecretStore()
    message = str(caught.value)
    assert "No keyring backend is available" in message
    assert "gnome-keyring" in caught.value.advice.lower() or "keychain" in caught.value.advice.lower() \
        or "credential locker" in caught.value.advice.lower()
    assert caught.value.advice in message
    assert "this session only" in message
    with pytest.raises(NoKeyringError):
        open_secret_store(session_only=False)


def test_session_only_secrets_are_an_explicit_choice_and_work(sandbox, sign_in_with_code, tmp_path):
    keyring.set_keyring(fail.Keyring())
    store = open_secret_store(session_only=True)
    assert isinstance(store, SessionSecretStore)
    assert store.persistent is False
    assert "forgotten when the app exits" in store.note

    connected, user, _ = sign_in_with_code(sandbox, store)
    assert user.email == CURRENT_USER[1]
    [refresh] = issued_refresh_tokens(sandbox)
    assert store.load("sandbox").refresh_token == refresh
    assert list(tmp_path.rglob("*")) == []  # nothing written anywhere we can see

    reopened = SignIn(store).open(connected.profile)
    try:
        assert reopened.current_user().email == CURRENT_USER[1]
    finally:
        reopened.close()
    store.forget_all()
    with pytest.raises(SignInRequired):
        SignIn(store).open(connected.profile)
