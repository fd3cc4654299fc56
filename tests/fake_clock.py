"""A clock the tests move by hand, shared by a sandbox and a client when expiry matters:
expiry is tested without sleeping."""

from __future__ import annotations

from datetime import datetime, timezone

START = 1_772_355_600.0  # 2026-03-01T09:00:00Z: later than any demo Modified_Time


class FakeClock:
    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def stamp(self) -> str:
        """The current time the way the sandbox writes Modified_Time (UTC, +00:00)."""
        return datetime.fromtimestamp(self.now, tz=timezone.utc).replace(microsecond=0).isoformat()
