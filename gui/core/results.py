"""Outcomes of calls that change records, one per record, in the order they were sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordError:
    code: str  # Zoho's code (INVALID_DATA, NOT_APPROVED, …) or ours for transport problems
    message: str  # the server's message, as sent
    api_name: str | None = None  # the field the error names, if any
    json_path: str | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False)
    top_level: bool = False  # the whole call failed; every record of it carries this error
    raw: str | None = field(default=None, compare=False)  # the reply, kept for the log when it made no sense


@dataclass(frozen=True)
class RecordResult:
    record_id: str | None
    error: RecordError | None = None
    modified_time: str | None = None  # the server's new Modified_Time on success
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Record:
    """One record as loaded: its id, field values in Zoho's JSON form, and what blocks edits."""

    record_id: str
    values: dict[str, Any]
    approved: bool = True
    locked: bool = False
    editable: bool = True
