"""Fixtures for the whole test suite."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.core
import keyring.errors
import pytest
from keyring.backend import KeyringBackend


class InMemoryKeyring(KeyringBackend):
    """A keyring kept in a dict, so that no test ever reads or writes the real OS keyring."""

    priority = -1  # keyring's own backend detection never picks it

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such entry")


@pytest.fixture(autouse=True)
def _in_memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryKeyring]:
    """Every test runs with an in-memory keyring; subprocesses get keyring's fail backend."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    saved = keyring.core._keyring_backend
    ring = InMemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.core._keyring_backend = saved
