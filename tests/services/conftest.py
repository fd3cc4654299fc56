"""Fixtures for the services tests: private temporary folders, an in-memory keyring that
can be told to fail, and a root logger put back as it was after each logging test."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import keyring
import keyring.core
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from gui.services.paths import AppPaths


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring backend. Set ``fail_with`` to make the next operations raise it."""

    priority = -1  # never chosen by keyring's own detection; tests set it explicitly

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.fail_with: BaseException | None = None

    def _maybe_fail(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    def get_password(self, service: str, username: str) -> str | None:
        self._maybe_fail()
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._maybe_fail()
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._maybe_fail()
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such entry")


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


@pytest.fixture
def clean_root_logger() -> Iterator[logging.Logger]:
    """The root logger, with its handlers and level restored (and ours closed) afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
