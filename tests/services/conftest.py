"""Fixtures for the services tests: private temporary folders, an in-memory keyring that
can be told to fail, and a root logger put back as it was after each logging test."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.core
import pytest
from memory_keyring import InMemoryKeyring

from gui.services.paths import AppPaths


class MemoryKeyring(InMemoryKeyring):
    """The in-memory keyring; set ``fail_with`` to make the next operations raise it."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_with: BaseException | None = None

    def _maybe_fail(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    def get_password(self, service: str, username: str) -> str | None:
        self._maybe_fail()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._maybe_fail()
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._maybe_fail()
        super().delete_password(service, username)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The keyring backend of every services test (the real OS keyring is never used)."""
    saved = keyring.core._keyring_backend
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.core._keyring_backend = saved


@pytest.fixture
def paths(tmp_path) -> AppPaths:
    """App folders under a fresh temporary folder (not created yet)."""
    return AppPaths.under(tmp_path / "app")

