"""Fixtures for the sandbox tests: in-process servers on 127.0.0.1 driven by a fake clock.

Everything talks to the sandbox over real HTTP with ``requests``; nothing reaches into a
server except to start/stop it, to move its clock, and where a test needs a grant code
with a chosen scope (``app.oauth.issue_grant_code``).
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator

import pytest

from gui.sandbox import SandboxServer

from .helpers import Api, FakeClock


# -- fixtures -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def module_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def server(module_clock: FakeClock, reaper: Callable[[SandboxServer], None]) -> Iterator[SandboxServer]:
    """A read-only server shared by one test module (60 records per module)."""
    srv = SandboxServer(records=60, port=0, clock=module_clock).start()
    yield srv
    reaper(srv)


@pytest.fixture(scope="module")
def api(server: SandboxServer) -> Api:
    return Api(server)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def reaper() -> Iterator[Callable[[SandboxServer], None]]:
    """Stops servers in the background: ``stop()`` waits up to 0.5 s for the stdlib
    server's poll loop, which would otherwise add half a second to every test."""
    threads: list[threading.Thread] = []

    def reap(srv: SandboxServer) -> None:
        thread = threading.Thread(target=srv.stop, daemon=True)
        thread.start()
        threads.append(thread)

    yield reap
    for thread in threads:
        thread.join(timeout=10)


@pytest.fixture
def make_server(clock: FakeClock, reaper: Callable[[SandboxServer], None]) -> Iterator[Callable[..., SandboxServer]]:
    """Start extra servers (default: 60 records, the test's fake clock); all stop at teardown."""
    started: list[SandboxServer] = []

    def make(**overrides: Any) -> SandboxServer:
        overrides.setdefault("records", 60)
        overrides.setdefault("port", 0)
        overrides.setdefault("clock", clock)
        srv = SandboxServer(**overrides).start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        reaper(srv)


@pytest.fixture
def fresh(make_server: Callable[..., SandboxServer]) -> SandboxServer:
    """A server of the test's own, for tests that change data."""
    return make_server()


@pytest.fixture
def fresh_api(fresh: SandboxServer) -> Api:
    return Api(fresh)
