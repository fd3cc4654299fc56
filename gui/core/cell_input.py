"""Typed or pasted text becomes cell changes: one step shared by the table, paste and
``zcrm-editor apply``. Text that cannot be read becomes an invalid edit that keeps the text
and says why, so nothing typed is lost and nothing wrong is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from .changeset import APPEND, DELETE_FILES, REMOVE, SET, CellChange
from .fieldtypes import CellError, ParseContext, Parsed, parse_cell, parser_for
from .meta import FieldMeta

ID_LIST = re.compile(r"[\s;,]+")


@dataclass(frozen=True)
class CellNote:
    """Something to tell the user about one cell: a warning, or why it is invalid."""

    record_id: str
    api_name: str
    message: str
    invalid: bool
    source_row: int | None = None
    source_col: int | None = None


def text_to_change(record_id: str, meta: FieldMeta, text: str, ctx: ParseContext,
                   mode: str = SET) -> tuple[CellChange, str | None]:
    """The change for one cell, and a warning worth showing (None when there is none)."""
    try:
        if mode == REMOVE and meta.data_type in ("fileupload", "imageupload"):
            ids = [part for part in ID_LIST.split(text.strip()) if part]
            if not ids:
                raise CellError("Give the ids of the attachments to delete, or * for all of them.")
            value = None if ids == ["*"] else ids
            return CellChange(record_id, meta.api_name, DELETE_FILES, value, text), None
        if mode in (APPEND, REMOVE):
            if meta.data_type != "multiselectpicklist":
                raise CellError(f"{meta.label} is not a multi-select field; only multi-select values can be "
                                "added or removed.")
            parsed = parse_cell(meta, text, ctx)
            if not parsed.value:
                raise CellError("Give at least one value to " + ("add." if mode == APPEND else "remove."))
            return CellChange(record_id, meta.api_name, mode, parsed.value, text), parsed.warning
        parsed = parse_cell(meta, text, ctx)
        return CellChange(record_id, meta.api_name, SET, parsed.value, text), parsed.warning
    except CellError as err:
        kind = {APPEND: APPEND, REMOVE: REMOVE}.get(mode, SET)
        if mode == REMOVE and meta.data_type in ("fileupload", "imageupload"):
            kind = DELETE_FILES
        return CellChange(record_id, meta.api_name, kind, None, text, invalid=err.message), None


def texts_to_changes(cells: Iterable[tuple[str, FieldMeta, str, str, int | None, int | None]],
                     ctx: ParseContext) -> tuple[list[CellChange], list[CellNote]]:
    """Many cells: (record id, field, text, mode, source row, source column) each."""
    changes: list[CellChange] = []
    notes: list[CellNote] = []
    parsers: dict[str, Callable[[str], Parsed]] = {}  # one per field: a 100,000-cell paste decides once
    for record_id, meta, text, mode, row, col in cells:
        if mode == SET and meta.data_type not in ("fileupload", "imageupload"):
            parse = parsers.get(meta.api_name)
            if parse is None:
                parse = parsers[meta.api_name] = parser_for(meta, ctx)
            try:
                parsed = parse(text)
            except CellError as err:
                change, warning = CellChange(record_id, meta.api_name, SET, None, text, err.message), None
            else:
                change, warning = CellChange(record_id, meta.api_name, SET, parsed.value, text), parsed.warning
        else:
            change, warning = text_to_change(record_id, meta, text, ctx, mode)
        changes.append(change)
        if change.invalid is not None:
            notes.append(CellNote(record_id, meta.api_name, change.invalid, True, row, col))
        elif warning:
            notes.append(CellNote(record_id, meta.api_name, warning, False, row, col))
    return changes, notes
