"""Fixtures for the whole test suite."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import keyring
import keyring.core
import pytest
from memory_keyring import InMemoryKeyring


@pytest.fixture(autouse=True)
def _in_memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryKeyring]:
    """Every test runs with an in-memory keyring; subprocesses get keyring's fail backend."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    saved = keyring.core._keyring_backend
    ring = InMemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.core._keyring_backend = saved


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
