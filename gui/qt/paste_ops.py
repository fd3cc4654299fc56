"""Copy and paste between the record table and spreadsheets (TSV on the clipboard).

The rules live in the core (:mod:`gui.core.paste`, :mod:`gui.core.paste_mapping`,
:mod:`gui.core.cell_input`); this module feeds them the table's rows and columns and applies
the result to the model as one undo step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import Qt

from ..core.bulk import collector_paused
from ..core.cell_input import CellNote, texts_to_changes
from ..core.paste import parse_clipboard, to_clipboard
from ..core.paste_mapping import (PastePlan, build_key_index, detect_header, fill_selection, map_by_header,
                                  map_by_key, map_by_position)
from .table_model import RecordTableModel

PasteMode = Literal["position", "header", "key"]


def copy_text(model: RecordTableModel, rows: list[int], columns: list[int], with_header: bool = False) -> str:
    """The cells of ``rows`` × ``columns`` as TSV, in the form a spreadsheet pastes back unchanged."""
    grid: list[list[str]] = []
    if with_header:
        grid.append([str(model.headerData(c, Qt.Orientation.Horizontal) or "").rstrip(" *") for c in columns])
    for row in rows:
        grid.append([str(model.index(row, c).data(Qt.ItemDataRole.EditRole) or "") if c > 0
                     else str(model.index(row, c).data() or "") for c in columns])
    return to_clipboard(grid)


@dataclass
class PasteRequest:
    """Where a paste lands: the current cell and the selected block (rows and columns of the view)."""

    grid: list[list[str]]
    anchor_row: int
    anchor_column: int
    selected_rows: list[int]
    selected_columns: list[int]

    @property
    def single_value(self) -> bool:
        return len(self.grid) == 1 and len(self.grid[0]) == 1


def parse_paste(text: str, anchor_row: int, anchor_column: int, selected_rows: list[int],
                selected_columns: list[int]) -> PasteRequest:
    return PasteRequest(parse_clipboard(text), anchor_row, anchor_column, sorted(set(selected_rows)),
                        sorted(set(selected_columns)))


def looks_like_header(model: RecordTableModel, request: PasteRequest) -> bool:
    return len(request.grid) > 1 and detect_header(request.grid, model.columns)


@collector_paused()
def plan_paste(model: RecordTableModel, request: PasteRequest, mode: PasteMode = "position",
               key_field: str = "id", clear_empty: bool = False) -> PastePlan:
    """What the paste would do; nothing is changed yet."""
    shown = model.shown_ids()
    fields = model.columns
    empty = "clear" if clear_empty else "keep"
    if mode == "key":
        all_fields = list(model.changes.fields.values())
        if key_field == "id":
            index = {rid: [rid] for rid in model.changes.order}
        else:
            index = build_key_index({rid: model.changes.original(rid, key_field) for rid in model.changes.order},
                                    model.changes.fields[key_field])
        return map_by_key(request.grid, all_fields, key_field if key_field == "id" else model.changes.fields[key_field],
                          index, empty=empty)
    if mode == "header":
        return map_by_header(request.grid, list(model.changes.fields.values()), shown, request.anchor_row,
                             empty=empty)
    many_cells = len(request.selected_rows) * len(request.selected_columns) > 1
    if request.single_value and many_cells:
        rows = [shown[r] for r in request.selected_rows if 0 <= r < len(shown)]
        columns = [model.field_at(c) for c in request.selected_columns]
        return fill_selection(request.grid[0][0], rows, [f for f in columns if f is not None])
    start_field = max(request.anchor_column - 1, 0)  # column 0 is the status column
    return map_by_position(request.grid, request.anchor_row, start_field, shown, fields)


@collector_paused()
def apply_paste(model: RecordTableModel, plan: PastePlan, label: str = "Paste") -> tuple[int, list[CellNote]]:
    """Apply a plan as one undo step; returns the cells changed and the notes (invalid cells, warnings)."""
    fields = model.changes.fields
    changes, notes = texts_to_changes(
        ((c.record_id, fields[c.api_name], c.text, c.mode, c.source_row, c.source_col) for c in plan.cells),
        model.ctx)
    done = model.apply_changes(changes, label)
    return done, notes
