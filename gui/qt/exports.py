"""Writing a submit's errors and results to CSV files that spreadsheets open safely.

Every cell goes through :func:`gui.core.export.safe_cell`, so a value such as ``=HYPERLINK(…)``
typed into Zoho is shown as text, never run as a formula. Files are written as UTF-8 with a
byte-order mark (Excel needs it to read accents) and replaced atomically: a failed export
never leaves half a file where a good one was.

Nothing here imports Qt: the functions take the table model only for its change set, its
columns and its locale (anything with those attributes works).
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol, Sequence

from ..core.changeset import ChangeSet
from ..core.export import safe_cell
from ..core.fieldtypes import ParseContext, format_value
from ..core.meta import FieldMeta
from ..core.outcomes import OUTCOME_UNKNOWN, results_by_record
from ..core.planner import Call
from ..core.results import RecordError, RecordResult
from ..core.wording import describe

CONFLICT_CODE = "CONFLICT"  # the code shown for records held back because Zoho changed them
ERROR_HEADER = ("Record id", "Record", "Field", "Field API name", "Code", "Message", "Zoho's message",
                "Other record id")
RESULT_HEADER = ("Record id", "Record", "Result", "Field", "Field API name", "Code", "Message")
# The "Result" of a record in the results export: what the table and the errors panel say of it.
UPDATED, FAILED = "updated", "failed"
UNKNOWN = "unknown — may have been applied"  # the answer was lost and the record could not be read back


class RecordsModel(Protocol):
    """What these helpers read from a RecordTableModel."""

    changes: ChangeSet
    columns: list[FieldMeta]
    ctx: ParseContext
    conflicts: dict[str, str]


@dataclass(frozen=True)
class ResultRow:
    """One record's outcome in a submit, as the submit controller keeps it for the results export."""

    record_id: str
    ok: bool
    code: str | None
    api_name: str | None
    message: str

    @property
    def result(self) -> str:
        """updated, failed, or unknown (the change may have been applied or not)."""
        return UPDATED if self.ok else UNKNOWN if self.code == OUTCOME_UNKNOWN else FAILED


def field_label(changes: ChangeSet, api_name: str | None) -> str:
    if not api_name:
        return "whole record"
    meta = changes.fields.get(api_name)
    return meta.label if meta is not None else api_name


def record_name(model: RecordsModel, record_id: str) -> str:
    """The record's name as the table shows it (its first field column), or "" when unknown."""
    if not model.columns:
        return ""
    meta = model.columns[0]
    return format_value(meta, model.changes.original(record_id, meta.api_name), model.ctx.locale)


def other_record_id(error: RecordError) -> str | None:
    """The record a DUPLICATE_DATA error says already holds the value."""
    if error.code != "DUPLICATE_DATA":
        return None
    details = error.details or {}
    duplicate = details.get("duplicate_record")
    other = details.get("id") or (duplicate.get("id") if isinstance(duplicate, dict) else None)
    return None if other in (None, "") else str(other)


def rows_from_results(call: Call, results: list[RecordResult],
                      label: Callable[[str], str] = lambda api_name: api_name) -> list[ResultRow]:
    """One ResultRow per record of ``call`` (for the submit controller to keep)."""
    rows = []
    for record_id, _sent, result in results_by_record(call, results):
        error = result.error
        if error is None:
            rows.append(ResultRow(record_id, True, None, None, "Updated"))
        else:
            rows.append(ResultRow(record_id, False, error.code, error.api_name, describe(error, label)))
    return rows


def error_rows(model: RecordsModel) -> list[tuple[str, ...]]:
    """The errors panel's content, one line per record and field, in the table's load order."""
    changes = model.changes

    def label(api_name: str) -> str:
        return field_label(changes, api_name)

    rows: list[tuple[str, ...]] = []
    for record_id in changes.order:
        name = record_name(model, record_id)
        for api_name, error in (changes.errors.get(record_id) or {}).items():
            rows.append((record_id, name, field_label(changes, api_name), api_name or "", error.code,
                         describe(error, label), error.message, other_record_id(error) or ""))
        if record_id in model.conflicts and not changes.errors.get(record_id):
            rows.append((record_id, name, "whole record", "", CONFLICT_CODE, model.conflicts[record_id], "", ""))
    return rows


def export_errors_csv(path: str | os.PathLike[str], model: RecordsModel) -> int:
    """Write every error (and held-back conflict) of the model; returns how many lines were written."""
    rows = error_rows(model)
    _write_csv(Path(path), ERROR_HEADER, rows)
    return len(rows)


def export_results_csv(path: str | os.PathLike[str], rows: Sequence[ResultRow],
                       model: RecordsModel | None = None) -> int:
    """Write one line per record of a submit; with ``model``, record names and field labels are added."""
    out = []
    for row in rows:
        name = record_name(model, row.record_id) if model is not None else ""
        field = (field_label(model.changes, row.api_name) if model is not None else row.api_name or "") \
            if row.api_name else ""
        out.append((row.record_id, name, row.result, field, row.api_name or "", row.code or "", row.message))
    _write_csv(Path(path), RESULT_HEADER, out)
    return len(out)


def _write_csv(path: Path, header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> None:
    """Write to a temporary file next to ``path``, then move it into place (OSError on failure)."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([safe_cell(cell) for cell in header])
            for row in rows:
                writer.writerow([safe_cell(cell) for cell in row])
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
