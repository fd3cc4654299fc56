"""The OS keyring's stand-in for tests: entries kept in a dict of this process."""

from __future__ import annotations

import keyring.errors
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
