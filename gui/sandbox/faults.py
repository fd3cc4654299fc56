"""Injected faults, for proving that clients lose nothing when the network misbehaves.

A share of ``/crm/`` calls (never the accounts server) fail in one of these ways:

* ``500``: an INTERNAL_ERROR reply; nothing applied.
* ``429``: a TOO_MANY_REQUESTS reply; nothing applied.
* ``reset``: the call is applied, then the connection is dropped without a reply.
* ``timeout``: the server stalls past any sane read time-out, then drops the connection;
  nothing applied.
* ``badjson``: the call is applied and the reply body is cut short (invalid JSON).

The seed makes the sequence of decisions repeatable.
"""

from __future__ import annotations

import random
import threading

KINDS = ("500", "429", "reset", "timeout", "badjson")
APPLIED_KINDS = ("reset", "badjson")  # kinds whose call still changes the data


class FaultPlan:
    def __init__(self, rate: float = 0.0, kinds: tuple[str, ...] = KINDS, seed: int = 0, stall_s: float = 90.0):
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown fault kind(s): {', '.join(unknown)}; known: {', '.join(KINDS)}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("the fault rate must be between 0 and 1")
        if rate > 0 and not kinds:
            raise ValueError("a fault rate needs at least one fault kind")
        self.rate = rate
        self.kinds = tuple(kinds)
        self.stall_s = stall_s
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.counts: dict[str, int] = {k: 0 for k in KINDS}

    def pick(self) -> str | None:
        """The fault for the next call, or None for a normal reply."""
        if self.rate <= 0:
            return None
        with self._lock:
            if self._rng.random() >= self.rate:
                return None
            kind = self._rng.choice(self.kinds)
            self.counts[kind] += 1
            return kind


def parse_kinds(text: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in text.split(",") if k.strip())
