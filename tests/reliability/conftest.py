"""Fixtures of the reliability suite, and the scenario table printed at the end of a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from gui.sandbox import SandboxServer

from .org import apply_env, org_template, start_org
from .scenarios import TALLIES, table


@pytest.fixture(scope="session")
def template() -> str:
    """3,200 demo Leads, built once for the whole suite (each test serves its own copy)."""
    return org_template()


@pytest.fixture
def org(template: str) -> Iterator[Callable[..., SandboxServer]]:
    """Start sandboxes on a fresh copy of the template; all are stopped at teardown."""
    started: list[SandboxServer] = []

    def start(**options: Any) -> SandboxServer:
        server = start_org(template, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's folders (ZCRM_EDITOR_HOME) and apply's credentials, for this test only."""
    folder = tmp_path / "home"
    for name, value in apply_env(folder).items():
        monkeypatch.setenv(name, value)
    return folder


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TALLIES:
        return
    terminalreporter.section("reliability scenarios (lost must be 0)")
    for line in table(TALLIES):
        terminalreporter.write_line(line)
