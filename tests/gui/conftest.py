"""Fixtures for the editor's Qt tests: a demo sandbox on 127.0.0.1 and sessions loaded from it."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from gui.client.api import ZohoClient
from gui.core.fieldtypes import ParseContext
from gui.core.localized import LocaleSpec
from gui.demo import Demo, start_demo
from gui.qt.module_session import ModuleSession, default_columns

DEMO_RECORDS = 60


@pytest.fixture
def demo() -> Iterator[Demo]:
    running = start_demo(DEMO_RECORDS)
    yield running
    running.stop()


@pytest.fixture
def client(demo: Demo) -> Iterator[ZohoClient]:
    connected = demo.connect()
    yield connected
    connected.close()


@pytest.fixture
def open_module(client: ZohoClient, qtbot: Any) -> Iterator[Callable[..., ModuleSession]]:
    """Open a module and wait until every record is loaded."""
    sessions: list[ModuleSession] = []

    def open_(module: str = "Leads", columns: list[str] | None = None, journal: Any = None) -> ModuleSession:
        fields = client.fields(module)
        chosen = default_columns(module, fields) if columns is None else \
            [f for name in columns for f in fields if f.api_name == name]
        ctx = ParseContext(LocaleSpec.en_us(), tuple(client.users()))
        session = ModuleSession(client, module, fields, chosen, ctx, journal)
        sessions.append(session)
        with qtbot.waitSignal(session.loadFinished, timeout=20_000):
            session.load()
        return session

    yield open_
    for session in sessions:
        session.close()
