"""Where pasted cells go: a parsed grid mapped onto loaded records, as a :class:`PastePlan`.

Four ways in, all pure functions of their inputs:

- :func:`map_by_position`: the block lands at a start cell, row after row of the table's
  visible order, column after column of its fields.
- :func:`fill_selection`: one pasted cell fills every selected cell.
- :func:`map_by_header`: the first row names the columns (API name or label); data rows land
  on the table's rows from a start row.
- :func:`map_by_key`: the first row names the columns and one column is a key (``id`` or a
  unique field such as Email); each row finds its own record, in any order.

Nothing is invented and nothing is dropped silently: rows past the end of the table, rows
whose key matches no record or several, columns that name no field, columns past the last
field and read-only columns all come back in the plan, with a reason in plain words.
Headers and key values are compared as :mod:`gui.core.paste_keys` describes (its names are
re-exported here). Row and column numbers in the plan count from 0 in the pasted grid; messages count from 1,
as a person reads a spreadsheet.

Empty pasted cells: by position and in a selection fill they set the cell to empty, as in a
spreadsheet. With a header row (header and key modes, also used by ``zcrm-editor apply``)
they leave the field as it is unless ``empty="clear"``. A cell missing from a short (ragged)
row is never pasted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field as dc_field
from typing import Any, Literal

from gui.core.meta import FieldMeta
from gui.core.paste import Damage, damage_checker, may_be_damaged
from gui.core.paste_keys import (APPEND, ID_HEADERS, REMOVE, SET, HeaderNames, build_key_index,
                                 detect_header, normalize_key, normalize_text)

__all__ = [
    "APPEND", "ID_HEADERS", "ID_MISMATCH", "REMOVE", "SAME_RECORD_TWICE", "SET", "CellAssignment",
    "EmptyCells", "PastePlan", "PasteWarning", "RowIssue", "SkippedColumn", "build_key_index",
    "detect_header", "fill_selection", "map_by_header", "map_by_key", "map_by_position",
    "normalize_key", "normalize_text",
]

EmptyCells = Literal["keep", "clear"]

_APPEND_TYPES = frozenset({"multiselectpicklist"})
_REMOVE_TYPES = frozenset({"multiselectpicklist", "fileupload", "imageupload"})

# Kinds of PasteWarning raised by the mapping itself (damage kinds come from gui.core.paste).
SAME_RECORD_TWICE = "same_record_twice"
ID_MISMATCH = "id_mismatch"


@dataclass(slots=True)
class CellAssignment:
    """Pasted ``text`` for one field of one record; ``mode`` is "set", "append" or "remove".

    Treat as read-only. Not frozen on purpose: a frozen dataclass takes three times as long
    to build, which is most of the time of mapping a 10,000-row paste.
    """

    record_id: str
    api_name: str
    text: str
    source_row: int
    source_col: int
    mode: str = SET


@dataclass(frozen=True, slots=True)
class PasteWarning:
    """Something the user should look at; ``record_id``/``api_name`` are None for a whole row."""

    source_row: int
    source_col: int
    record_id: str | None
    api_name: str | None
    kind: str
    message: str
    severity: str = "warning"


@dataclass(frozen=True, slots=True)
class RowIssue:
    """A pasted row that went nowhere: unmatched (``record_ids`` empty) or ambiguous."""

    source_row: int
    reason: str
    key: str = ""
    record_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SkippedColumn:
    """A pasted column that names (or lands on) a field but cannot be pasted into it."""

    source_col: int
    api_name: str
    header: str
    reason: str


@dataclass(frozen=True)
class PastePlan:
    """Everything a paste would do, and everything it will not do, with reasons."""

    cells: list[CellAssignment] = dc_field(default_factory=list)
    unmatched_rows: list[RowIssue] = dc_field(default_factory=list)
    ambiguous_rows: list[RowIssue] = dc_field(default_factory=list)
    unknown_columns: list[tuple[int, str]] = dc_field(default_factory=list)
    skipped_readonly: list[SkippedColumn] = dc_field(default_factory=list)
    skipped_columns: list[SkippedColumn] = dc_field(default_factory=list)  # other reasons
    extra_columns: list[int] = dc_field(default_factory=list)  # past the last field (position)
    blank_rows: list[int] = dc_field(default_factory=list)  # rows with no text (key mode)
    warnings: list[PasteWarning] = dc_field(default_factory=list)
    error: str | None = None  # the paste cannot be mapped at all (e.g. no key column)

    @property
    def record_ids(self) -> list[str]:
        """The records the paste touches, in the order they are first touched."""
        return list(dict.fromkeys(c.record_id for c in self.cells))

    def summary(self) -> list[str]:
        """One plain-words line per kind of problem, for a dialog or a terminal."""
        lines = [self.error] if self.error else []
        if self.unmatched_rows:
            lines.append(f"{_count(len(self.unmatched_rows), 'row')} matched no record: "
                         + _rows(i.source_row for i in self.unmatched_rows) + ".")
        if self.ambiguous_rows:
            lines.append(f"{_count(len(self.ambiguous_rows), 'row')} matched several records and "
                         "were left out: " + _rows(i.source_row for i in self.ambiguous_rows) + ".")
        for col, header in self.unknown_columns:
            lines.append(f"Column {col + 1} (“{header}”) names no field of this table; it was left out.")
        for skipped in (*self.skipped_readonly, *self.skipped_columns):
            lines.append(f"Column {skipped.source_col + 1} ({skipped.header}): {skipped.reason}")
        if self.extra_columns:
            lines.append(f"{_count(len(self.extra_columns), 'column')} went past the last column "
                         "of the table and were left out.")
        warned = [w for w in self.warnings if w.severity == "warning"]
        if warned:
            lines.append(f"{_count(len(warned), 'cell')} may have been changed by the spreadsheet; "
                         "check the highlighted cells.")
        return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _rows(rows: Any, limit: int = 10) -> str:
    numbers = [str(r + 1) for r in rows]
    shown = ", ".join(numbers[:limit])
    return shown + (f" and {len(numbers) - limit} more" if len(numbers) > limit else "")


@dataclass(frozen=True, slots=True)
class _Column:
    source_col: int
    header: str
    field: FieldMeta | None
    mode: str
    is_id: bool = False


@dataclass
class _Builder:
    cells: list[CellAssignment] = dc_field(default_factory=list)
    unmatched: list[RowIssue] = dc_field(default_factory=list)
    ambiguous: list[RowIssue] = dc_field(default_factory=list)
    unknown: list[tuple[int, str]] = dc_field(default_factory=list)
    readonly: list[SkippedColumn] = dc_field(default_factory=list)
    skipped: list[SkippedColumn] = dc_field(default_factory=list)
    extra: list[int] = dc_field(default_factory=list)
    blank: list[int] = dc_field(default_factory=list)
    warnings: list[PasteWarning] = dc_field(default_factory=list)
    checkers: dict[str, Callable[[str], list[Damage]]] = dc_field(default_factory=dict)

    def assign(self, record_id: str, f: FieldMeta, text: str, row: int, col: int, mode: str = SET) -> None:
        self.cells.append(CellAssignment(record_id, f.api_name, text, row, col, mode))
        if not text:
            return
        check = self.checkers.get(f.api_name)
        if check is None:
            check = self.checkers[f.api_name] = damage_checker(f)
        for d in check(text):
            self.warnings.append(PasteWarning(row, col, record_id, f.api_name, d.kind, d.message, d.severity))

    def plan(self, error: str | None = None) -> PastePlan:
        return PastePlan(self.cells, self.unmatched, self.ambiguous, self.unknown, self.readonly,
                         self.skipped, self.extra, self.blank, self.warnings, error)


def _readonly_reason(f: FieldMeta) -> str:
    if f.data_type == "formula":
        return f"{f.label} is a formula field; Zoho CRM calculates it, so it was not pasted."
    if f.data_type == "autonumber":
        return f"{f.label} is numbered by Zoho CRM, so it was not pasted."
    return f"{f.label} is read-only, so it was not pasted."


def _plan_columns(header: list[str], fields: list[FieldMeta], b: _Builder) -> list[_Column]:
    """The usable columns of a header row; the others go to the builder's reports."""
    names = HeaderNames(fields)
    columns: list[_Column] = []
    taken: dict[tuple[str, str], int] = {}
    for col, text in enumerate(header):
        f, mode, ambiguous, is_id = names.resolve(text)
        shown = text.strip()
        if is_id:
            columns.append(_Column(col, shown, None, SET, is_id=True))
            continue
        if ambiguous:
            api = ", ".join(a.api_name for a in ambiguous)
            b.skipped.append(SkippedColumn(col, ambiguous[0].api_name, shown,
                                           f"several fields are labelled “{shown}” ({api}); "
                                           "use the API name as the column header."))
            continue
        if f is None:
            if shown:
                b.unknown.append((col, shown))
            continue
        if not f.editable:
            b.readonly.append(SkippedColumn(col, f.api_name, shown, _readonly_reason(f)))
            continue
        if mode == APPEND and f.data_type not in _APPEND_TYPES:
            b.skipped.append(SkippedColumn(col, f.api_name, shown, f"“+” adds values to a multi-select "
                                           f"field; {f.label} is not one, so the column was not pasted."))
            continue
        if mode == REMOVE and f.data_type not in _REMOVE_TYPES:
            b.skipped.append(SkippedColumn(col, f.api_name, shown, f"“-” removes values from a multi-select, "
                                           f"file or image field; {f.label} is none of these, so the "
                                           "column was not pasted."))
            continue
        if mode == SET:
            clash = [k for k in taken if k[0] == f.api_name]
        else:
            clash = [k for k in ((f.api_name, mode), (f.api_name, SET)) if k in taken]
        if clash:
            b.skipped.append(SkippedColumn(col, f.api_name, shown, f"{f.label} already has column "
                                           f"{taken[clash[0]] + 1}; this one was not pasted."))
            continue
        taken[(f.api_name, mode)] = col
        columns.append(_Column(col, shown, f, mode))
    return columns


# --------------------------------------------------------------------------------------------
# The four modes


def map_by_position(grid: list[list[str]], start_row_index: int, start_field_index: int,
                    row_ids: list[str], fields: list[FieldMeta]) -> PastePlan:
    """The block pasted with its top-left cell at (``start_row_index``, ``start_field_index``).

    Rows past the end of the table go to ``unmatched_rows``; columns past the last field to
    ``extra_columns``; columns landing on read-only fields to ``skipped_readonly``.
    """
    if start_row_index < 0 or start_field_index < 0:
        raise ValueError("the start cell must not be negative")
    b = _Builder()
    width = max((len(r) for r in grid), default=0)
    targets: list[FieldMeta | None] = []
    for col in range(width):
        index = start_field_index + col
        if index >= len(fields):
            b.extra.append(col)
            targets.append(None)
            continue
        f = fields[index]
        if not f.editable:
            b.readonly.append(SkippedColumn(col, f.api_name, f.label, _readonly_reason(f)))
            targets.append(None)
            continue
        targets.append(f)
    names = [None if f is None else f.api_name for f in targets]
    cells = b.cells
    for r, row in enumerate(grid):  # the loop of a 100,000-cell paste: kept lean
        target = start_row_index + r
        if target >= len(row_ids):
            b.unmatched.append(RowIssue(r, "below the last row of the table; rows are not added by pasting."))
            continue
        record_id = row_ids[target]
        for col, text in enumerate(row):
            api_name = names[col]
            if api_name is not None:
                if may_be_damaged(text):
                    b.assign(record_id, targets[col], text, r, col)  # type: ignore[arg-type]
                else:
                    cells.append(CellAssignment(record_id, api_name, text, r, col, SET))
    return b.plan()


def fill_selection(value: str, row_ids_selected: list[str], fields_selected: list[FieldMeta]) -> PastePlan:
    """One pasted cell copied into every selected cell (read-only fields are reported)."""
    b = _Builder()
    editable: list[FieldMeta] = []
    for col, f in enumerate(fields_selected):
        if f.editable:
            editable.append(f)
        else:
            b.readonly.append(SkippedColumn(col, f.api_name, f.label, _readonly_reason(f)))
    for record_id in row_ids_selected:
        for f in editable:
            b.assign(record_id, f, value, 0, 0)
    return b.plan()


def _row_cells(b: _Builder, row: list[str], r: int, record_id: str, columns: list[_Column],
               empty: EmptyCells) -> None:
    for c in columns:
        if c.field is None or c.source_col >= len(row):
            continue
        text = row[c.source_col]
        if not text and (empty == "keep" or c.mode != SET):
            continue
        b.assign(record_id, c.field, text, r, c.source_col, c.mode)


def map_by_header(grid: list[list[str]], fields: list[FieldMeta], row_ids: list[str],
                  start_row_index: int | None = None, *, empty: EmptyCells = "keep") -> PastePlan:
    """First row names the columns; data row ``i`` lands on ``row_ids[start + i]``.

    A column naming the record id is not pasted; when its id differs from the record the row
    lands on, the row gets an ``id_mismatch`` warning (the table is probably sorted differently
    from the spreadsheet: consider :func:`map_by_key`).
    """
    start = start_row_index or 0
    if start < 0:
        raise ValueError("the start row must not be negative")
    b = _Builder()
    if not grid:
        return b.plan()
    columns = _plan_columns(grid[0], fields, b)
    id_cols = [c.source_col for c in columns if c.is_id]
    for r in range(1, len(grid)):
        row = grid[r]
        target = start + r - 1
        if target >= len(row_ids):
            b.unmatched.append(RowIssue(r, "below the last row of the table; rows are not added by pasting."))
            continue
        record_id = row_ids[target]
        for col in id_cols:
            pasted = row[col].strip() if col < len(row) else ""
            if pasted and pasted != record_id:
                b.warnings.append(PasteWarning(r, col, record_id, None, ID_MISMATCH,
                                               f"Row {r + 1} has id {pasted} but lands on record {record_id}: "
                                               "the rows may be in another order. Paste by key to match "
                                               "rows by id."))
        _row_cells(b, row, r, record_id, columns, empty)
    return b.plan()


def map_by_key(grid: list[list[str]], fields: list[FieldMeta], key_field: FieldMeta | str,
               key_index: dict[str, list[str]], *, empty: EmptyCells = "keep") -> PastePlan:
    """First row names the columns; each row finds its record by the key column's value.

    ``key_field`` is ``"id"``, a field, or a field's API name or label; ``key_index`` comes from
    :func:`build_key_index`. A record matched by several rows takes the later row's values
    (with a ``same_record_twice`` warning); "append" and "remove" cells of both rows apply.
    """
    b = _Builder()
    if not grid:
        return b.plan()
    key: FieldMeta | str
    if isinstance(key_field, str) and normalize_text(key_field) in ID_HEADERS | {"id"}:
        key = "id"
    elif isinstance(key_field, str):
        found, _, _, _ = HeaderNames(fields).resolve(key_field)
        if found is None:
            return b.plan(f"The key “{key_field}” is not a field of this table.")
        key = found
    else:
        key = key_field
    if isinstance(key, FieldMeta) and key not in fields:
        fields = [*fields, key]  # a key column need not be shown in the table
    columns = _plan_columns(grid[0], fields, b)
    key_name = key.label if isinstance(key, FieldMeta) else "id"
    names = HeaderNames(fields)
    key_cols: list[int] = []
    for col, text in enumerate(grid[0]):
        found, mode, _, is_id = names.resolve(text)
        if mode == SET and ((key == "id" and (is_id or (found is not None and found.api_name == "id")))
                            or (isinstance(key, FieldMeta) and found == key)):
            key_cols.append(col)
    if not key_cols:
        return b.plan(f"The first row has no “{key_name}” column, which is needed to find each row's record.")
    key_col = key_cols[0]
    # The key column is for matching, not pasting (so a read-only key such as an autonumber is fine).
    b.readonly = [s for s in b.readonly if s.source_col != key_col]
    data_columns = [c for c in columns if c.source_col != key_col]
    first_row_of: dict[str, int] = {}
    repeated = False
    for r in range(1, len(grid)):
        row = grid[r]
        if not any(cell.strip() for cell in row):
            b.blank.append(r)
            continue
        raw = row[key_col].strip() if key_col < len(row) else ""
        norm = normalize_key(raw, key)
        if not norm:
            b.unmatched.append(RowIssue(r, f"the {key_name} cell is empty, so the row matches no record."))
            continue
        ids = key_index.get(norm, [])
        if not ids:
            b.unmatched.append(RowIssue(r, f"no record has {key_name} “{raw}”.", raw))
            continue
        if len(ids) > 1:
            b.ambiguous.append(RowIssue(r, f"{len(ids)} records have {key_name} “{raw}”; the row was "
                                        "left out rather than guess.", raw, tuple(ids)))
            continue
        record_id = ids[0]
        if record_id in first_row_of:
            repeated = True
            b.warnings.append(PasteWarning(r, key_col, record_id, None, SAME_RECORD_TWICE,
                                           f"Rows {first_row_of[record_id] + 1} and {r + 1} are both for "
                                           f"{key_name} “{raw}”; the values of row {r + 1} are used."))
        else:
            first_row_of[record_id] = r
        _row_cells(b, row, r, record_id, data_columns, empty)
    if repeated:
        _keep_last_values(b)
    return b.plan()


def _keep_last_values(b: _Builder) -> None:
    """Drop "set" cells overwritten by a later row for the same record, and their warnings."""
    latest: dict[tuple[str, str], int] = {}
    for i, cell in enumerate(b.cells):
        if cell.mode == SET:
            latest[(cell.record_id, cell.api_name)] = i
    kept = [c for i, c in enumerate(b.cells) if c.mode != SET or latest[(c.record_id, c.api_name)] == i]
    dropped = {(c.source_row, c.source_col) for c in b.cells} - {(c.source_row, c.source_col) for c in kept}
    b.cells = kept
    b.warnings = [w for w in b.warnings if w.api_name is None or (w.source_row, w.source_col) not in dropped]
