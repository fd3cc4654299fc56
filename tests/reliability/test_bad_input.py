"""Bad input through the whole paste path, not one function at a time: clipboard text →
``parse_clipboard`` → ``map_by_position`` → ``texts_to_changes`` → the change set.

* No text, however odd, crashes it or loses a cell: each pasted cell ends as an edit that
  keeps the text exactly (valid, or invalid with a message), as "no change" because the
  record already holds that value, or in the paste plan's report (below the last row, past
  the last column, read-only).
* Copy → paste is the identity: cells copied out of the table and pasted back change nothing,
  and pasted onto other records they carry the same values.
* A corpus of what Excel, Google Sheets and LibreOffice really put on the clipboard, with
  quotes, tabs, CRLF, 1 MB cells, right-to-left text and emoji.

The parser and field parsers alone are covered by tests/core (test_paste_parse.py,
test_fieldtypes_properties.py); this is the end-to-end version.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gui.core.cell_input import texts_to_changes
from gui.core.changeset import ChangeSet
from gui.core.fieldtypes import LocaleSpec, ParseContext, format_value
from gui.core.meta import FieldMeta, PicklistOption
from gui.core.paste import parse_clipboard, to_clipboard
from gui.core.paste_mapping import map_by_position
from gui.core.results import Record

STATUS = (PicklistOption("Not Contacted", "Not Contacted"), PicklistOption("Contacted", "Contacted"),
          PicklistOption("Junk Lead", "Junk Lead"))
LANGUAGES = tuple(PicklistOption(x, x) for x in ("English", "Hindi", "Français", "日本語", "العربية"))
FIELDS = [
    FieldMeta("Last_Name", "Last Name", "text", length=80, mandatory=True),
    FieldMeta("Description", "Description", "textarea", length=32000),
    FieldMeta("Full_Name", "Full Name", "text", read_only=True),
    FieldMeta("No_of_Employees", "Employees", "integer"),
    FieldMeta("Annual_Revenue", "Annual Revenue", "currency"),
    FieldMeta("Email", "Email", "email", unique=True),
    FieldMeta("Lead_Status", "Lead Status", "picklist", picklist=STATUS),
    FieldMeta("Languages", "Languages", "multiselectpicklist", picklist=LANGUAGES),
    FieldMeta("Follow_Up", "Follow-up", "date"),
    FieldMeta("Opt_Out", "Opt out", "boolean"),
]
BY_NAME = {f.api_name: f for f in FIELDS}
IDS = [str(5725767001000000001 + 3 * n) for n in range(6)]
CTX = ParseContext(LocaleSpec.en_us())


def records(values: list[dict[str, Any]] | None = None) -> list[Record]:
    base = {"Last_Name": "Okafor", "Description": "Line one\nline two", "Full_Name": "Amara Okafor",
            "No_of_Employees": 12, "Annual_Revenue": 1500.5, "Email": "amara@example.com",
            "Lead_Status": "Contacted", "Languages": ["English"], "Follow_Up": "2026-03-01", "Opt_Out": False}
    values = values or [{} for _ in IDS]
    return [Record(rid, {**base, **v}) for rid, v in zip(IDS, values)]


def paste(text: str, start_row: int, start_col: int, rows: list[Record] | None = None):
    """The whole paste path; returns (grid, plan, cell changes, change set)."""
    changes = ChangeSet("Leads", FIELDS)
    changes.add_records(rows or records())
    grid = parse_clipboard(text)
    plan = map_by_position(grid, start_row, start_col, IDS, FIELDS)
    cell_changes, notes = texts_to_changes(
        ((c.record_id, BY_NAME[c.api_name], c.text, c.mode, c.source_row, c.source_col) for c in plan.cells), CTX)
    outcome = changes.apply(cell_changes, "Paste")
    assert outcome.refused == []
    assert all(n.message for n in notes)
    return grid, plan, cell_changes, changes


def account_for_every_cell(text: str, start_row: int, start_col: int) -> dict[str, int]:
    """Where each pasted cell went; fails if one went nowhere or lost its text."""
    grid, plan, cell_changes, changes = paste(text, start_row, start_col)
    by_cell = {(c.source_row, c.source_col): c for c in plan.cells}
    by_key = {(c.record_id, c.api_name): c for c in cell_changes}
    unmatched = {i.source_row for i in plan.unmatched_rows}
    skipped = {s.source_col for s in plan.skipped_readonly} | set(plan.extra_columns)
    where = {"edit": 0, "invalid": 0, "same value": 0, "reported": 0}
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if r in unmatched or c in skipped:
                where["reported"] += 1
                continue
            assigned = by_cell[(r, c)]
            assert assigned.text == cell
            edit = changes.edit(assigned.record_id, assigned.api_name)
            change = by_key[(assigned.record_id, assigned.api_name)]
            if edit is None:  # only when the record already holds exactly this value
                assert change.invalid is None
                assert changes.equal(BY_NAME[assigned.api_name], change.value,
                                     changes.original(assigned.record_id, assigned.api_name))
                where["same value"] += 1
            else:
                assert edit.text == cell  # what was pasted is kept to the character
                where["invalid" if edit.invalid else "edit"] += 1
    assert sum(where.values()) == sum(len(row) for row in grid)
    return where


# -- properties --------------------------------------------------------------------------------
STRUCTURE = st.sampled_from(["\t", "\r\n", "\n", "\r", '"', '""', "\ufeff", " ", "=1+1", "#N/A", "1,5", "1.234,5",
                             "2026-02-30", "03/04/2026", "yes", "Contacted", "English; Hindi", "a@b.co", "😀",
                             "مرحبا", "\u200f", "\x00", "-", "+"])
CLIPBOARD = st.one_of(st.text(max_size=60), st.lists(STRUCTURE | st.text(max_size=4), max_size=50).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CLIPBOARD, st.integers(0, len(IDS)), st.integers(0, len(FIELDS)))
def test_no_clipboard_text_crashes_the_paste_or_loses_a_cell(text, start_row, start_col):
    account_for_every_cell(text, start_row, start_col)


TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
GENERATED = {
    "Last_Name": TEXT.map(str.strip).filter(bool),
    # A cell of blanks only reads as empty (by design), so a stored value is never only blanks.
    "Description": TEXT.map(lambda t: t.replace("\r\n", "\n")).filter(lambda t: t == "" or t.strip()),
    "No_of_Employees": st.integers(-(2**31), 2**31 - 1),
    "Annual_Revenue": st.decimals(-10**9, 10**9, places=2).map(float),
    "Lead_Status": st.sampled_from([o.actual for o in STATUS]),
    "Languages": st.lists(st.sampled_from([o.actual for o in LANGUAGES]), unique=True),
    "Follow_Up": st.dates().map(lambda d: d.isoformat()),
    "Opt_Out": st.booleans(),
}
VALUES = st.fixed_dictionaries(GENERATED)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(VALUES, min_size=len(IDS), max_size=len(IDS)))
def test_copy_then_paste_changes_nothing_and_carries_values_to_other_rows(values):
    rows = records(values)
    editable = [f for f in FIELDS if f.api_name in GENERATED]
    grid = [[format_value(f, r.values.get(f.api_name), CTX.locale) for f in FIELDS] for r in rows]
    text = to_clipboard(grid)
    _, _, _, same_place = paste(text, 0, 0, rows)
    assert len(same_place) == 0, same_place.edits()[:3]  # pasting what was copied changes nothing
    _, _, _, shifted = paste(to_clipboard(grid[:1]), 1, 0, rows)  # row 1's cells onto row 2
    for f in editable:
        assert shifted.equal(f, shifted.effective(IDS[1], f.api_name), rows[0].values[f.api_name]), f.api_name


# -- a corpus of real clipboard texts ------------------------------------------------------------------------
MB = "Ω" * 1_000_000
CORPUS = {
    "excel_windows_crlf_quoted_multiline":
        'Ada\t"Line 1\nLine ""two"""\t12\r\nGrace\tPlain\t1,200\r\n',
    "excel_error_cells_and_formulas": "#N/A\t=SUM(A1:A3)\t#VALUE!\r\n@home\t+44 20 7946 0958\t-\r\n",
    "google_sheets_lf_no_final_newline": "Müller\tno quotes here\t7\nGarcía\t\t8",
    "libreoffice_lf_trailing_tab_cells": 'Novak\t"tab\tinside"\t\t\t\t\nKim\t\t\t\t\t\n',
    "old_mac_cr": "Chen\tcr only\r\nSilva\tcr\r",
    "bom_then_cells": "\ufeffBerg\tStart",
    "unterminated_quote": 'Tanaka\t"never closed\tstill\r\nnext\r\n',
    "one_megabyte_cell": f"Huge\t{MB}\t3\r\n{MB}\tsmall\t4\r\n",
    "right_to_left": "\u200fحداد\tשלום עולם\t٣\r\nאבג\t\u202eevil\u202c\t5\r\n",
    "emoji_and_joiners": "👩\u200d👩\u200d👧 Family\t🇩🇪 Berlin 😀\t1\r\n\"😀\n😀\"\tok\t2\r\n",
    "nul_and_control_characters": "Nul\x00name\tbell\x07\t9\r\n",
    "ragged_and_empty_rows": "a\r\n\r\nb\tc\td\te\tf\tg\th\ti\tj\tk\tl\tm\r\n",
}


@pytest.mark.parametrize("name", CORPUS)
def test_a_corpus_of_real_clipboards_keeps_every_cell(name):
    where = account_for_every_cell(CORPUS[name], 0, 0)
    assert where["edit"] + where["invalid"] > 0


def test_a_one_megabyte_cell_is_refused_with_a_reason_and_kept_whole():
    _, _, _, changes = paste(CORPUS["one_megabyte_cell"], 0, 0)
    edit = changes.edit(IDS[0], "Description")  # a textarea takes 32,000 characters
    assert edit.text == MB and edit.invalid == "At most 32,000 characters (this has 1,000,000)"
    name = changes.edit(IDS[1], "Last_Name")
    assert name.text == MB and "At most 80 characters" in name.invalid
    assert changes.pending() and all(e.invalid is None for e in changes.pending())  # the rest is sendable
