"""Secrets in the keyring (an in-memory backend here), the no-keyring error, session store."""

from __future__ import annotations

import json
import sys

import keyring
import keyring.errors
import pytest
from keyring.backends import chainer, fail, null

from gui.core.profile import StoredSecrets
from gui.services.secrets import (
    SERVICE, KeyringSecretStore, NoKeyringError, SecretsError, SessionSecretStore,
    backend_description, install_advice, open_secret_store,
)

from .conftest import MemoryKeyring

SECRETS = StoredSecrets(client_secret="cs-0123456789abcdef", refresh_token="1000.aaaa1111bbbb.cccc2222dddd")


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's plain-text file backend."""


def test_the_suite_never_uses_the_real_keyring(memory_keyring):
    assert keyring.get_keyring() is memory_keyring


def test_round_trip_in_one_entry_per_profile(memory_keyring):
    store = KeyringSecretStore()
    store.save("Work EU", SECRETS)
    store.save("sandbox", StoredSecrets(client_secret="other"))
    assert store.load("Work EU") == SECRETS
    assert store.load("sandbox") == StoredSecrets(client_secret="other", refresh_token=None)
    assert set(memory_keyring.entries) == {(SERVICE, "Work EU"), (SERVICE, "sandbox")}
    assert SERVICE == "zcrm-editor"
    assert json.loads(memory_keyring.entries[(SERVICE, "Work EU")]) == {
        "client_secret": SECRETS.client_secret, "refresh_token": SECRETS.refresh_token}


def test_missing_entries_and_delete(memory_keyring):
    store = open_secret_store(session_only=False)
    assert isinstance(store, KeyringSecretStore) and store.persistent
    assert store.load("nobody") is None
    store.delete("nobody")  # nothing to delete is not an error
    store.save("p", SECRETS)
    store.delete("p")
    assert store.load("p") is None and memory_keyring.entries == {}


@pytest.mark.parametrize("ring", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_no_usable_backend_says_what_to_install(ring):
    keyring.set_keyring(ring)
    with pytest.raises(NoKeyringError) as caught:
        open_secret_store(session_only=False)
    message = str(caught.value)
    assert caught.value.advice == install_advice()
    assert caught.value.advice in message
    assert "this session only" in message
    if sys.platform.startswith("linux"):
        assert "GNOME Keyring" in message and "KWallet" in message and "secretstorage" in message
    assert isinstance(caught.value, SecretsError)


def test_a_chainer_without_backends_is_no_keyring(monkeypatch):
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    with pytest.raises(NoKeyringError, match="No keyring backend is available"):
        KeyringSecretStore(chainer.ChainerBackend())
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [MemoryKeyring()])
    assert KeyringSecretStore(chainer.ChainerBackend()).load("x") is None


def test_a_plain_text_backend_is_refused():
    with pytest.raises(NoKeyringError, match="plain or weakly protected file"):
        KeyringSecretStore(PlaintextKeyring())
    assert backend_description(PlaintextKeyring())[1] is False


def test_install_advice_per_platform():
    assert "Keychain" in install_advice("darwin")
    assert "Credential Locker" in install_advice("win32")
    linux = install_advice("linux")
    assert "GNOME Keyring" in linux and "KWallet" in linux and "secretstorage" in linux
    assert "dbus" in linux.lower()


def test_backend_description(memory_keyring):
    name, secure = backend_description()
    assert name.endswith("MemoryKeyring") and secure is True
    assert backend_description(fail.Keyring()) == ("keyring.backends.fail.Keyring", False)


@pytest.mark.parametrize("error", [keyring.errors.NoKeyringError("gone"), keyring.errors.InitError("no dbus")])
def test_keyring_failing_on_use_is_no_keyring(memory_keyring, error):
    store = KeyringSecretStore()
    memory_keyring.fail_with = error
    with pytest.raises(NoKeyringError, match="install|Keychain|Credential Locker"):
        store.load("p")


def test_a_locked_keyring(memory_keyring):
    store = KeyringSecretStore()
    memory_keyring.fail_with = keyring.errors.KeyringLocked("locked")
    with pytest.raises(SecretsError, match="keyring is locked"):
        store.save("p", SECRETS)


def test_errors_are_wrapped_without_the_secret(memory_keyring):
    store = KeyringSecretStore()
    memory_keyring.fail_with = keyring.errors.PasswordSetError(
        f"backend choked on {SECRETS.client_secret} / {SECRETS.refresh_token}")
    with pytest.raises(SecretsError) as caught:
        store.save("Work EU", SECRETS)
    message = str(caught.value)
    assert "save" in message and "'Work EU'" in message and "PasswordSetError" in message
    assert SECRETS.client_secret not in message and SECRETS.refresh_token not in message
    memory_keyring.fail_with = OSError("D-Bus went away")
    with pytest.raises(SecretsError, match="Could not read .* D-Bus went away"):
        store.load("Work EU")
    with pytest.raises(SecretsError):
        store.delete("Work EU")


def test_an_unreadable_entry(memory_keyring):
    memory_keyring.entries[(SERVICE, "p")] = "not json sekrit"
    with pytest.raises(SecretsError, match="not in the expected format") as caught:
        KeyringSecretStore().load("p")
    assert "sekrit" not in str(caught.value)
    memory_keyring.entries[(SERVICE, "p")] = json.dumps({"refresh_token": "x"})
    with pytest.raises(SecretsError):
        KeyringSecretStore().load("p")


def test_session_store_keeps_secrets_in_memory_only(memory_keyring):
    keyring.set_keyring(fail.Keyring())  # works without any keyring at all
    store = open_secret_store(session_only=True)
    assert isinstance(store, SessionSecretStore) and not store.persistent
    assert "forgotten when the app exits" in store.note
    store.save("p", SECRETS)
    assert store.load("p") == SECRETS
    store.delete("p")
    store.delete("p")
    assert store.load("p") is None
    store.save("q", SECRETS)
    store.forget_all()
    assert store.load("q") is None
    assert memory_keyring.entries == {}
