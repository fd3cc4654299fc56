"""Fixtures for the client tests: in-process sandboxes on 127.0.0.1 (real HTTP), profiles
that point at them, secret stores, and signed-in clients that are closed after each test.

The keyring is the in-memory backend that ``tests/conftest.py`` installs for every test.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from gui.client.api import ZohoClient
from gui.client.signin import SignIn
from gui.core.profile import Profile, SecretStore, StoredSecrets
from gui.sandbox import SandboxServer
from gui.services.secrets import KeyringSecretStore, SessionSecretStore

from .helpers import CLIENT_ID, CLIENT_SECRET, DEMO_REFRESH_TOKEN, FakeClock

_names = itertools.count(1)


@dataclass
class Connected:
    """A signed-in client and what it was made from."""

    client: ZohoClient
    signin: SignIn
    profile: Profile
    secrets: SecretStore
    sandbox: SandboxServer

    @property
    def tokens(self) -> Any:
        return self.client.transport.tokens


def profile_for(sandbox: SandboxServer, name: str = "sandbox", concurrency: int | None = None) -> Profile:
    return Profile(name, "custom", CLIENT_ID, api_base=sandbox.api_url, accounts_base=sandbox.accounts_url,
                   concurrency=concurrency)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def reaper() -> Iterator[Callable[[SandboxServer], None]]:
    """Stops servers in the background so that teardown does not wait for each one."""
    threads: list[threading.Thread] = []

    def reap(srv: SandboxServer) -> None:
        thread = threading.Thread(target=srv.stop, daemon=True)
        thread.start()
        threads.append(thread)

    yield reap
    for thread in threads:
        thread.join(timeout=10)


def start_sandbox(log_dir: Path, **overrides: Any) -> SandboxServer:
    overrides.setdefault("records", 60)
    overrides.setdefault("port", 0)
    overrides.setdefault("log_file", log_dir / f"sandbox-{next(_names)}.log")
    return SandboxServer(**overrides).start()


@pytest.fixture
def make_sandbox(clock: FakeClock, tmp_path_factory: pytest.TempPathFactory,
                 reaper: Callable[[SandboxServer], None]) -> Iterator[Callable[..., SandboxServer]]:
    """Start sandboxes for one test (default: 60 records a module, the test's fake clock,
    a request log outside the test's tmp_path); all stop at teardown."""
    started: list[SandboxServer] = []
    log_dir = tmp_path_factory.mktemp("sandbox-logs")

    def make(**overrides: Any) -> SandboxServer:
        overrides.setdefault("clock", clock)
        srv = start_sandbox(log_dir, **overrides)
        started.append(srv)
        return srv

    yield make
    for srv in started:
        reaper(srv)


@pytest.fixture
def sandbox(make_sandbox: Callable[..., SandboxServer]) -> SandboxServer:
    return make_sandbox()


@pytest.fixture
def keyring_store(_in_memory_keyring: Any) -> KeyringSecretStore:
    """The real keyring store, over the suite's in-memory keyring backend."""
    return KeyringSecretStore()


@pytest.fixture
def clients() -> Iterator[list[ZohoClient]]:
    made: list[ZohoClient] = []
    yield made
    for client in made:
        client.close()


@pytest.fixture
def connect(clients: list[ZohoClient]) -> Callable[..., Connected]:
    """A client on the sandbox's standing refresh token, opened through SignIn.open (no
    /crm/ call is made, so it also works against a sandbox that fails every API call)."""

    def make(sandbox: SandboxServer, concurrency: int | None = None, secrets: SecretStore | None = None,
             name: str = "sandbox", **signin_args: Any) -> Connected:
        store = secrets if secrets is not None else SessionSecretStore()
        profile = profile_for(sandbox, name, concurrency)
        store.save(profile.name, StoredSecrets(CLIENT_SECRET, DEMO_REFRESH_TOKEN))
        signin = SignIn(store, **signin_args)
        client = signin.open(profile)
        clients.append(client)
        return Connected(client, signin, profile, store, sandbox)

    return make


@pytest.fixture
def sign_in_with_code(clients: list[ZohoClient]) -> Callable[..., tuple[Connected, Any, str]]:
    """The Self Client path: a grant code issued by the sandbox, pasted into SignIn."""

    def make(sandbox: SandboxServer, secrets: SecretStore, concurrency: int | None = None,
             name: str = "sandbox", **signin_args: Any) -> tuple[Connected, Any, str]:
        profile = profile_for(sandbox, name, concurrency)
        code = sandbox.app.oauth.issue_grant_code(profile.scopes)
        signin = SignIn(secrets, **signin_args)
        client, user = signin.with_grant_code(profile, CLIENT_SECRET, code)
        clients.append(client)
        return Connected(client, signin, profile, secrets, sandbox), user, code

    return make

