"""The journal's format (pure: no I/O): its tables, its entries as text, and what it reports.

``gui/services/journal.py`` keeps these in SQLite; the tables are described here (``SCHEMA``,
versioned by ``SCHEMA_VERSION``) so that the whole on-disk shape is read in one place.

Every entry is one JSON object that carries ``"format": FORMAT_VERSION``. A reader refuses
an entry of another format with :class:`JournalFormatError`, whose message says what to do,
instead of guessing (a pending edit read wrongly would be sent wrongly).

Values are Zoho's wire values (what a record holds in JSON), so they need no conversion.
An :class:`Edit`'s ``version`` is not written: it only orders edits within one running
change set, and :meth:`ChangeSet.restore_pending` gives restored edits new versions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, NamedTuple

from .changeset import KINDS, Edit, resulting_value
from .results import RecordError, RecordResult

FORMAT_VERSION = 1
RAW_LIMIT = 4000  # characters of a nonsensical reply kept with its error (the log has the rest)
# The journal's tables (SQLite); gui/services/journal.py reads and writes them.
SCHEMA_VERSION = 1  # of the tables below (PRAGMA user_version)

SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL,
    module TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    UNIQUE (profile, module)
);
CREATE TABLE pending_edits (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    record_id TEXT NOT NULL,
    api_name TEXT NOT NULL,
    payload TEXT NOT NULL,              -- the Edit, in the journal format
    saved REAL NOT NULL,
    UNIQUE (session_id, record_id, api_name)
);
CREATE TABLE submits (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    started REAL NOT NULL,
    finished REAL,
    state TEXT NOT NULL DEFAULT 'running'
        CHECK (state IN ('running', 'finished', 'cancelled', 'interrupted')),
    trigger TEXT,                       -- JSON list of triggers, or NULL: Zoho runs every trigger
    summary TEXT NOT NULL,
    calls INTEGER NOT NULL,
    records INTEGER NOT NULL,
    updated INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX submits_by_session ON submits (session_id, started);
CREATE TABLE submit_calls (
    submit_id INTEGER NOT NULL REFERENCES submits (id) ON DELETE CASCADE,
    call_index INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('update', 'mass_update')),
    records INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('planned', 'sent', 'answered')),
    sent REAL,
    answered REAL,
    PRIMARY KEY (submit_id, call_index)
);
CREATE TABLE submit_results (
    submit_id INTEGER NOT NULL REFERENCES submits (id) ON DELETE CASCADE,
    record_id TEXT NOT NULL,
    call_index INTEGER NOT NULL,
    edits TEXT NOT NULL,                -- JSON list of the edits sent
    old_values TEXT NOT NULL,           -- the touched fields before the submit (History, "undo this submit")
    new_values TEXT NOT NULL,           -- and after it
    ok INTEGER,                         -- NULL until the call is answered
    code TEXT,
    message TEXT,
    api_name TEXT,
    result TEXT,                        -- the RecordResult, in the journal format
    answered REAL,
    PRIMARY KEY (submit_id, record_id)
);
"""


class JournalFormatError(ValueError):
    """A journal entry could not be written or read. The message is fit to show the user."""


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_quote: Callable[[str], str] = json.encoder.encode_basestring  # C-accelerated; what the encoder uses


def _dumps(obj: Any, what: str) -> str:
    try:
        return _ENCODER.encode(obj)
    except (TypeError, ValueError) as err:
        raise JournalFormatError(f"{what} holds a value that cannot be saved in the journal ({err}).") from err


def _loads(text: str | bytes, what: str) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except (TypeError, ValueError) as err:
        raise JournalFormatError(f"A saved {what} is not readable JSON ({err}).") from err
    if not isinstance(obj, dict):
        raise JournalFormatError(f"A saved {what} is not a JSON object.")
    _check_format(obj, what)
    return obj


def _check_format(obj: dict[str, Any], what: str) -> None:
    version = obj.get("format")
    if version != FORMAT_VERSION:
        raise JournalFormatError(
            f"A saved {what} has journal format {version!r}, but this version of zcrm-editor reads only "
            f"format {FORMAT_VERSION}. Open the journal with the zcrm-editor version that wrote it "
            "(or a newer one); nothing in it has been changed or dropped.")


def _required(obj: dict[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise JournalFormatError(f"A saved {what} has no valid {key!r} (found {value!r}).")
    return value


def _optional(obj: dict[str, Any], key: str, what: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise JournalFormatError(f"A saved {what} has an invalid {key!r} (found {value!r}).")
    return value


# -- what the journal reports ------------------------------------------------------
class SessionPending(NamedTuple):
    """A session holding pending edits: (profile, module, how many edits)."""

    profile: str
    module: str
    edits: int


@dataclass(frozen=True)
class RestoreReport:
    restored: int  # edits back in the change set
    already_saved: int  # the server already holds them; gone from the journal too
    not_loaded: int  # their record or field is not loaded; they stay in the journal


@dataclass(frozen=True)
class SubmitProgress:
    """A submit that never finished (the app was closed, crashed or killed while sending)."""

    submit_id: int
    started: datetime
    summary: str
    confirmed: tuple[str, ...]  # records the server confirmed
    failed: tuple[str, ...]  # records the server refused
    unanswered: tuple[str, ...]  # sent, no answer arrived: the server may or may not have them
    unsent: tuple[str, ...]


@dataclass(frozen=True)
class SubmitEntry:
    submit_id: int
    profile: str
    module: str
    started: datetime
    finished: datetime | None
    state: str  # running, finished, cancelled, interrupted
    trigger: tuple[str, ...] | None
    summary: str
    calls: int
    records: int
    updated: int
    failed: int


@dataclass(frozen=True)
class RecordHistory:
    record_id: str
    call_index: int
    edits: tuple[Edit, ...]
    old_values: dict[str, Any]
    new_values: dict[str, Any]
    result: RecordResult | None  # None: no answer (yet)


# -- edits ------------------------------------------------------------------------------
def edit_to_dict(edit: Edit) -> dict[str, Any]:
    return {"format": FORMAT_VERSION, "record_id": edit.record_id, "api_name": edit.api_name,
            "kind": edit.kind, "value": edit.value, "text": edit.text, "invalid": edit.invalid}


def edit_to_json(edit: Edit) -> str:
    """The edit as one line of JSON; the same edit always gives the same text."""
    rid, api, kind, value, text, invalid = edit.record_id, edit.api_name, edit.kind, edit.value, edit.text, edit.invalid
    if type(rid) is str and type(api) is str and type(kind) is str and (value is None or type(value) is str) \
            and (text is None or type(text) is str) and (invalid is None or type(invalid) is str):
        # The common case, written directly: a 10,000-cell paste is saved in one go from the GUI
        # thread. It gives exactly the text of the general case below (a test checks it).
        return (f'{{"format":{FORMAT_VERSION},"record_id":{_quote(rid)},"api_name":{_quote(api)},'
                f'"kind":{_quote(kind)},"value":{"null" if value is None else _quote(value)},'
                f'"text":{"null" if text is None else _quote(text)},'
                f'"invalid":{"null" if invalid is None else _quote(invalid)}}}')
    return _dumps(edit_to_dict(edit), f"The edit of {api} in record {rid}")


def edit_from_json(text: str | bytes) -> Edit:
    return edit_from_dict(_loads(text, "edit"))


def edit_from_dict(obj: Any) -> Edit:
    if not isinstance(obj, dict):
        raise JournalFormatError("A saved edit is not a JSON object.")
    _check_format(obj, "edit")
    kind = _required(obj, "kind", "edit")
    if kind not in KINDS:
        raise JournalFormatError(f"A saved edit has an unknown kind {kind!r} (known: {', '.join(KINDS)}).")
    return Edit(_required(obj, "record_id", "edit"), _required(obj, "api_name", "edit"), kind, obj.get("value"),
                _optional(obj, "text", "edit"), _optional(obj, "invalid", "edit"))


# -- results ----------------------------------------------------------------------------
def error_to_dict(error: RecordError) -> dict[str, Any]:
    raw = error.raw if error.raw is None or len(error.raw) <= RAW_LIMIT else error.raw[:RAW_LIMIT] + "…"
    return {"format": FORMAT_VERSION, "code": error.code, "message": error.message, "api_name": error.api_name,
            "json_path": error.json_path, "details": error.details, "top_level": error.top_level, "raw": raw}


def error_from_dict(obj: dict[str, Any]) -> RecordError:
    _check_format(obj, "error")
    details = obj.get("details") or {}
    if not isinstance(details, dict):
        raise JournalFormatError("A saved error has details that are not a JSON object.")
    return RecordError(_required(obj, "code", "error"), _required(obj, "message", "error"),
                       _optional(obj, "api_name", "error"), _optional(obj, "json_path", "error"), details,
                       bool(obj.get("top_level")), _optional(obj, "raw", "error"))


def error_to_json(error: RecordError) -> str:
    return _dumps(error_to_dict(error), f"The error {error.code}")


def error_from_json(text: str | bytes) -> RecordError:
    return error_from_dict(_loads(text, "error"))


def result_to_json(result: RecordResult) -> str:
    obj = {"format": FORMAT_VERSION, "record_id": result.record_id, "modified_time": result.modified_time,
           "details": result.details, "error": None if result.error is None else error_to_dict(result.error)}
    return _dumps(obj, f"The result for record {result.record_id}")


def result_from_json(text: str | bytes) -> RecordResult:
    obj = _loads(text, "result")
    details = obj.get("details") or {}
    if not isinstance(details, dict):
        raise JournalFormatError("A saved result has details that are not a JSON object.")
    error = obj.get("error")
    if error is not None and not isinstance(error, dict):
        raise JournalFormatError("A saved result has an error that is not a JSON object.")
    return RecordResult(_optional(obj, "record_id", "result"), None if error is None else error_from_dict(error),
                        _optional(obj, "modified_time", "result"), details)


# -- values for History -----------------------------------------------------------------
def values_to_json(values: dict[str, Any]) -> str:
    """Old or new field values of one record; an odd value is written as its text, never refused."""
    return json.dumps({"format": FORMAT_VERSION, "values": values}, ensure_ascii=False,
                      separators=(",", ":"), default=str)


def values_from_json(text: str | bytes) -> dict[str, Any]:
    values = _loads(text, "list of values").get("values")
    if not isinstance(values, dict):
        raise JournalFormatError("A saved list of values is not a JSON object.")
    return values


def old_and_new(edits: tuple[Edit, ...], original: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields a record's edits touch: their values before, and after the edits apply."""
    old = {e.api_name: original.get(e.api_name) for e in edits}
    new = {e.api_name: resulting_value(e, old[e.api_name]) for e in edits}
    return old, new
