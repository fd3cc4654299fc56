"""Conflicts: records changed on the server since they were loaded.

Before a submit, the edited records are read again; those whose ``Modified_Time`` moved are
held back and shown with, per edited field, what was loaded, what the user typed and what
the server holds now — unless the user chooses to overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .changeset import ChangeSet, Edit, resulting_value
from .results import Record


@dataclass(frozen=True)
class FieldConflict:
    api_name: str
    loaded: Any
    yours: Any
    now: Any


@dataclass(frozen=True)
class Conflict:
    record_id: str
    loaded_time: str | None
    server_time: str | None  # None: the record no longer exists
    fields: tuple[FieldConflict, ...]

    @property
    def deleted(self) -> bool:
        return self.server_time is None


def find_conflicts(changes: ChangeSet, current: Iterable[Record], edits: Iterable[Edit] | None = None) -> list[Conflict]:
    """Compare the records as loaded with ``current`` (the same records read again)."""
    now = {r.record_id: r for r in current}
    by_record: dict[str, list[Edit]] = {}
    for edit in edits if edits is not None else changes.pending():
        by_record.setdefault(edit.record_id, []).append(edit)
    found = []
    for record_id, record_edits in by_record.items():
        loaded = changes.records.get(record_id)
        if loaded is None:
            continue
        loaded_time = loaded.values.get("Modified_Time")
        server = now.get(record_id)
        server_time = server.values.get("Modified_Time") if server is not None else None
        if server is not None and server_time == loaded_time:
            continue
        fields = tuple(FieldConflict(e.api_name, loaded.values.get(e.api_name),
                                     resulting_value(e, loaded.values.get(e.api_name)),
                                     server.values.get(e.api_name) if server is not None else None)
                       for e in record_edits)
        found.append(Conflict(record_id, loaded_time, server_time, fields))
    return found


def without_conflicts(edits: Iterable[Edit], conflicts: Iterable[Conflict]) -> list[Edit]:
    held = {c.record_id for c in conflicts}
    return [e for e in edits if e.record_id not in held]
