"""The one check every "submit under trouble" scenario ends with, whoever did the submit.

A scenario says what it asked for (:class:`Intent`: for each record, the values it should
end with and the values it had before), a *submitter* sends it (``zcrm-editor apply``, the
client's ``run_plan`` as the GUI worker drives it, later the GUI itself) and says what it
reports for each record (:class:`Reported`), and :func:`check_outcome` compares both with
the server's records:

* every record is reported: ``updated`` (or ``unchanged``: the server had it already),
  ``failed`` with a message a person can read, or ``unknown`` (the answer was lost and
  could not be checked, said in so many words);
* ``updated``/``unchanged`` records hold every intended value on the server; ``failed``
  records hold every value they had before; ``unknown`` ones hold one or the other whole.

A record that breaks a rule is *lost*; the check fails unless no record is lost. It
returns the counts, and :func:`record` keeps them for the table that ``conftest.py`` prints
at the end of the run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping

UPDATED, UNCHANGED, FAILED, UNKNOWN = "updated", "unchanged", "failed", "unknown"
HELD = (UPDATED, UNCHANGED)


@dataclass(frozen=True)
class Intent:
    """What a scenario asks the server to end up with."""

    module: str
    after: dict[str, dict[str, Any]]  # record id -> field -> value wanted
    before: dict[str, dict[str, Any]]  # record id -> field -> value it had

    @property
    def edits(self) -> int:
        return sum(len(values) for values in self.after.values())


@dataclass
class Reported:
    """What a submitter says happened to each record."""

    status: dict[str, str] = field(default_factory=dict)  # record id -> updated/unchanged/failed/unknown
    code: dict[str, str] = field(default_factory=dict)
    message: dict[str, str] = field(default_factory=dict)
    sent: int = 0  # records the submit tried to send


@dataclass(frozen=True)
class Tally:
    scenario: str
    edits: int
    sent: int
    updated: int
    failed: int
    unknown: int
    lost: int
    note: str = ""


TALLIES: list[Tally] = []  # filled by record(), printed by conftest.pytest_terminal_summary


def record(tally: Tally) -> Tally:
    TALLIES.append(tally)
    return tally


def clear_message(message: str) -> bool:
    """A sentence for a person: not empty, not a bare code, not a stack trace."""
    text = message.strip()
    return (len(text) >= 20 and " " in text and text[0].isupper() and text.endswith((".", ")"))
            and "Traceback" not in text and "Exception" not in text)


def check_outcome(scenario: str, intent: Intent, reported: Reported,
                  server: Mapping[str, Mapping[str, Any]], note: str = "") -> Tally:
    """Compare the report with the server (``server``: record id -> its values now); see the module doc."""
    problems: list[str] = []
    for record_id, wanted in intent.after.items():
        status = reported.status.get(record_id)
        now = server.get(record_id) or {}
        holds_new = all(now.get(api) == value for api, value in wanted.items())
        holds_old = all(now.get(api) == intent.before[record_id].get(api) for api in wanted)
        message = reported.message.get(record_id, "")
        if status is None:
            problems.append(f"{record_id}: not in the report")
        elif status in HELD and not holds_new:
            problems.append(f"{record_id}: reported {status} but the server has "
                            f"{ {api: now.get(api) for api in wanted} }")
        elif status == FAILED and not holds_old:
            problems.append(f"{record_id}: reported failed ({reported.code.get(record_id)}) but the server "
                            f"changed it to { {api: now.get(api) for api in wanted} }")
        elif status == FAILED and not clear_message(message):
            problems.append(f"{record_id}: failed without a clear message: {message!r}")
        elif status == UNKNOWN and not (holds_new or holds_old):
            problems.append(f"{record_id}: outcome unknown, and the server holds part of the change")
        elif status == UNKNOWN and "may have" not in message:
            problems.append(f"{record_id}: outcome unknown but the message does not say so: {message!r}")
        elif status not in HELD + (FAILED, UNKNOWN):
            problems.append(f"{record_id}: reported {status!r}")
    counts = Counter(reported.status.get(rid) for rid in intent.after)
    tally = record(Tally(scenario, intent.edits, reported.sent, counts[UPDATED] + counts[UNCHANGED],
                         counts[FAILED], counts[UNKNOWN], len(problems), note))
    assert not problems, f"{scenario}: {len(problems)} record(s) lost, e.g.\n" + "\n".join(problems[:10])
    return tally


def table(tallies: list[Tally]) -> list[str]:
    """The scenario table, as lines of text."""
    head = ("scenario", "edits", "sent", "updated", "failed", "unknown", "lost", "notes")
    rows = [head] + [(t.scenario, f"{t.edits:,}", f"{t.sent:,}", f"{t.updated:,}", f"{t.failed:,}",
                      f"{t.unknown:,}", f"{t.lost:,}", t.note) for t in tallies]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:-1], widths[1:-1])] + [row[-1]]
        lines.append(" | ".join(cells).rstrip())
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return lines
