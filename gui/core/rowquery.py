"""What the record table asks of its rows: search text, sort keys, the quick filter, row state.

The table shows one row per record; these rules decide which rows a filter keeps, in which
order a column sorts them, and what the status column says. They are plain functions of the
change set so that a 100,000-row table can run them quickly and tests can run them without Qt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Container, Iterable

from .changeset import ChangeSet, block_reason
from .meta import FieldMeta

# Row states, in the order a person cares about them.
CLEAN, EDITED, INVALID, SENDING, UPDATED, FAILED, CONFLICT, BLOCKED = (
    "clean", "edited", "invalid", "sending", "updated", "failed", "conflict", "blocked")

_NUMERIC = frozenset({"integer", "bigint", "double", "decimal", "currency", "percent"})


def plain_text(value: Any) -> str:
    """A stored value as searchable text: names for lookups and owners, values joined for lists."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        name = value.get("name")
        if name is None:
            name = value.get("File_Name__s") or value.get("File_Name") or value.get("id")
        return "" if name is None else str(name)
    if isinstance(value, list):
        return "\n".join(plain_text(v) for v in value)
    return str(value)


def haystack(values: dict[str, Any], fields: Iterable[str]) -> str:
    """All of a record's searchable text in one casefolded string (one per row, built once)."""
    get = values.get
    return "\n".join([plain_text(get(api)) for api in fields]).casefold()


def sort_key(meta: FieldMeta, value: Any) -> tuple[int, Any]:
    """Empty values last; numbers by size; everything else by its casefolded text."""
    if value is None or value == "" or value == [] or value == {}:
        return (1, "")
    if meta.data_type in _NUMERIC and isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, (0, float(value), ""))
    if meta.data_type in ("fileupload", "imageupload") and isinstance(value, list):
        return (0, (0, float(len(value)), ""))
    return (0, (1, 0.0, plain_text(value).casefold()))


# -- the quick filter --------------------------------------------------------------------------
_TERM = re.compile(r'(?:"([^"]*)"|([^\s:"]+))(?::(?:"([^"]*)"|(\S*)))?')


@dataclass(frozen=True)
class FilterTerm:
    needle: str  # casefolded
    api_name: str | None = None  # None: any column


@dataclass(frozen=True)
class QuickFilter:
    terms: tuple[FilterTerm, ...] = ()
    problem: str | None = None  # e.g. a Field: that names no column; the term is then searched as text

    @property
    def empty(self) -> bool:
        return not self.terms


def parse_quick_filter(text: str, fields: Iterable[FieldMeta]) -> QuickFilter:
    """``web smith`` (all words anywhere), ``Lead_Source:web`` or ``"Lead Source":web`` (in one field).

    A field may be named by its API name or its label, in any case. Terms must all match.
    """
    by_name: dict[str, FieldMeta] = {}
    for meta in fields:
        by_name.setdefault(meta.label.casefold(), meta)
        by_name[meta.api_name.casefold()] = meta
    terms: list[FilterTerm] = []
    unknown: list[str] = []
    for match in _TERM.finditer(text):
        first = match.group(1) if match.group(1) is not None else match.group(2)
        has_colon = match.group(3) is not None or match.group(4) is not None
        if not has_colon:
            if first.strip():
                terms.append(FilterTerm(first.casefold()))
            continue
        value = match.group(3) if match.group(3) is not None else match.group(4)
        meta = by_name.get(first.casefold())
        if meta is None:
            unknown.append(first)
            whole = f"{first}:{value}".casefold()
            terms.append(FilterTerm(whole))
        elif value:
            terms.append(FilterTerm(value.casefold(), meta.api_name))
    problem = None
    if unknown:
        problem = "No column is called " + ", ".join(f"“{u}”" for u in unknown) + "; searched for the text instead."
    return QuickFilter(tuple(terms), problem)


def row_matches(flt: QuickFilter, hay: str, changes: ChangeSet, record_id: str) -> bool:
    """Whether a row passes the filter; ``hay`` is the row's :func:`haystack` (edits included)."""
    for term in flt.terms:
        if term.api_name is None:
            if term.needle not in hay:
                return False
        else:
            edit = changes.edit(record_id, term.api_name)
            text = edit.text if edit is not None and edit.invalid is not None and edit.text is not None \
                else plain_text(changes.effective(record_id, term.api_name))
            if term.needle not in text.casefold():
                return False
    return True


# -- row and cell state ------------------------------------------------------------------------
def readonly_reason(meta: FieldMeta) -> str | None:
    """Why a column cannot be typed into, or None when it can."""
    if meta.data_type == "formula":
        return f"{meta.label} is a formula field: Zoho CRM calculates it."
    if meta.data_type == "autonumber":
        return f"{meta.label} is numbered by Zoho CRM itself."
    if meta.read_only:
        return f"{meta.label} is read-only."
    return None


def row_state(changes: ChangeSet, record_id: str, updated: Container[str], conflicts: Container[str]) -> str:
    if record_id in changes.sending:
        return SENDING
    if changes.errors.get(record_id):
        return FAILED
    if record_id in conflicts:
        return CONFLICT
    edits = changes.record_edits(record_id)
    if any(e.invalid is not None for e in edits):
        return INVALID
    if edits:
        return EDITED
    record = changes.records.get(record_id)
    if record is not None and block_reason(record) is not None:
        return BLOCKED
    if record_id in updated:
        return UPDATED
    return CLEAN


STATE_WORDS = {
    CLEAN: "", EDITED: "edited", INVALID: "invalid", SENDING: "sending…", UPDATED: "updated",
    FAILED: "failed", CONFLICT: "conflict", BLOCKED: "blocked",
}
