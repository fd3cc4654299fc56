"""Mapping a pasted grid onto loaded records: by position, selection fill, header row and key."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from gui.core.meta import FieldMeta
from gui.core.paste import LEADING_ZERO, parse_clipboard
from gui.core.paste_mapping import (APPEND, ID_MISMATCH, REMOVE, SAME_RECORD_TWICE, SET, CellAssignment,
                                    PastePlan, build_key_index, detect_header, fill_selection,
                                    map_by_header, map_by_key, map_by_position, normalize_key)

EMAIL = FieldMeta("Email", "Email", "email", unique=True, mass_update=False)
LAST = FieldMeta("Last_Name", "Last Name", "text", mandatory=True)
FULL = FieldMeta("Full_Name", "Full Name", "text", read_only=True)
PHONE = FieldMeta("Phone", "Phone", "phone")
ZIP = FieldMeta("Zip_Code", "Zip Code", "text")
STATUS = FieldMeta("Lead_Status", "Lead Status", "picklist")
INTERESTS = FieldMeta("Interests", "Interests", "multiselectpicklist", custom=True)
PHOTOS = FieldMeta("Photos", "Photos", "imageupload", custom=True)
NUMBER = FieldMeta("Lead_Number", "Lead Number", "autonumber", custom=True)
REVENUE = FieldMeta("Revenue_per_Employee", "Revenue per Employee", "formula", read_only=True)
EMPLOYEES = FieldMeta("No_of_Employees", "No. of Employees", "integer")

FIELDS = [EMAIL, LAST, FULL, PHONE, ZIP, STATUS, INTERESTS, PHOTOS, NUMBER, REVENUE, EMPLOYEES]
IDS = ["1001", "1002", "1003", "1004"]
EMAILS = {"1001": "ada@example.com", "1002": "Alan@Example.com ", "1003": "grace@example.com", "1004": None}


def cells(plan: PastePlan) -> set[tuple[str, str, str]]:
    return {(c.record_id, c.api_name, c.text) for c in plan.cells}


# --------------------------------------------------------------------------------------------
# By position


def test_block_lands_at_the_start_cell() -> None:
    grid = parse_clipboard("Lovelace\tx\r\nTuring\ty\r\n")
    plan = map_by_position(grid, 1, 1, IDS, [EMAIL, LAST, STATUS])
    assert plan.cells == [CellAssignment("1002", "Last_Name", "Lovelace", 0, 0),
                          CellAssignment("1002", "Lead_Status", "x", 0, 1),
                          CellAssignment("1003", "Last_Name", "Turing", 1, 0),
                          CellAssignment("1003", "Lead_Status", "y", 1, 1)]
    assert plan.unmatched_rows == [] and plan.extra_columns == [] and plan.summary() == []


def test_rows_past_the_end_are_reported_not_invented() -> None:
    grid = [["a"], ["b"], ["c"]]
    plan = map_by_position(grid, 2, 0, IDS, [LAST])
    assert cells(plan) == {("1003", "Last_Name", "a"), ("1004", "Last_Name", "b")}
    [row] = plan.unmatched_rows
    assert row.source_row == 2 and "below the last row" in row.reason
    assert "1 row matched no record: 3." in plan.summary()


def test_columns_past_the_last_field_are_reported() -> None:
    plan = map_by_position([["a", "b", "c"]], 0, 1, IDS, [EMAIL, LAST])
    assert cells(plan) == {("1001", "Last_Name", "a")}
    assert plan.extra_columns == [1, 2]


def test_read_only_columns_are_skipped_with_a_report_and_do_not_shift_the_rest() -> None:
    fields = [LAST, FULL, PHONE, REVENUE, NUMBER]
    plan = map_by_position([["Lovelace", "Ada Lovelace", "020", "9", "L-1"]] * 2, 0, 0, IDS, fields)
    assert {(c.api_name, c.text) for c in plan.cells} == {("Last_Name", "Lovelace"), ("Phone", "020")}
    assert [(s.source_col, s.api_name) for s in plan.skipped_readonly] == [
        (1, "Full_Name"), (3, "Revenue_per_Employee"), (4, "Lead_Number")]
    assert "read-only" in plan.skipped_readonly[0].reason
    assert "formula" in plan.skipped_readonly[1].reason
    assert any("Full Name is read-only" in line for line in plan.summary())


def test_empty_cells_clear_and_missing_cells_of_short_rows_are_not_pasted() -> None:
    plan = map_by_position([["a", ""], ["b"]], 0, 0, IDS, [LAST, STATUS])
    assert cells(plan) == {("1001", "Last_Name", "a"), ("1001", "Lead_Status", ""), ("1002", "Last_Name", "b")}


def test_damage_warnings_point_at_the_record_and_field() -> None:
    plan = map_by_position([["2108"]], 3, 0, IDS, [ZIP])
    [warning] = plan.warnings
    assert (warning.record_id, warning.api_name, warning.kind) == ("1004", "Zip_Code", LEADING_ZERO)
    assert (warning.source_row, warning.source_col) == (0, 0)
    assert any("changed by the spreadsheet" in line for line in plan.summary())


def test_negative_start_is_refused() -> None:
    with pytest.raises(ValueError):
        map_by_position([["a"]], -1, 0, IDS, [LAST])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["", "x", "2108"]), min_size=1, max_size=7), max_size=7),
       st.integers(0, 5), st.integers(0, 12))
def test_every_pasted_cell_is_assigned_or_reported(grid: list[list[str]], row: int, col: int) -> None:
    plan = map_by_position(grid, row, col, IDS, FIELDS)
    skipped = {s.source_col for s in plan.skipped_readonly} | set(plan.extra_columns)
    unmatched = {r.source_row for r in plan.unmatched_rows}
    expected = {(r, c) for r, cells_ in enumerate(grid) for c in range(len(cells_))
                if r not in unmatched and c not in skipped}
    assert [(a.source_row, a.source_col) for a in plan.cells] == sorted(expected)
    assert unmatched == {r for r in range(len(grid)) if row + r >= len(IDS)}
    for a in plan.cells:
        assert a.record_id == IDS[row + a.source_row]
        assert a.api_name == FIELDS[col + a.source_col].api_name
        assert a.text == grid[a.source_row][a.source_col]


# --------------------------------------------------------------------------------------------
# Filling a selection


def test_one_cell_fills_the_selection() -> None:
    plan = fill_selection("Contacted", ["1001", "1003"], [STATUS, FULL, LAST])
    assert cells(plan) == {(rid, api, "Contacted") for rid in ("1001", "1003") for api in ("Lead_Status", "Last_Name")}
    assert [s.api_name for s in plan.skipped_readonly] == ["Full_Name"]


def test_fill_selection_warns_per_cell() -> None:
    plan = fill_selection("#N/A", ["1001", "1002"], [LAST])
    assert [(w.record_id, w.kind) for w in plan.warnings] == [("1001", "error_cell"), ("1002", "error_cell")]


# --------------------------------------------------------------------------------------------
# By header


def test_header_names_columns_by_api_name_or_label_in_any_order() -> None:
    grid = [[" lead status ", "LAST_NAME", "Phone"], ["Contacted", "Lovelace", "020 7946 0958"],
            ["Junk Lead", "Turing", ""]]
    plan = map_by_header(grid, FIELDS, IDS)
    assert cells(plan) == {("1001", "Lead_Status", "Contacted"), ("1001", "Last_Name", "Lovelace"),
                           ("1001", "Phone", "020 7946 0958"), ("1002", "Lead_Status", "Junk Lead"),
                           ("1002", "Last_Name", "Turing")}
    assert {c.source_row for c in plan.cells} == {1, 2}


def test_empty_cells_keep_the_value_unless_asked_to_clear() -> None:
    grid = [["Phone"], [""]]
    assert map_by_header(grid, FIELDS, IDS).cells == []
    assert cells(map_by_header(grid, FIELDS, IDS, empty="clear")) == {("1001", "Phone", "")}


def test_header_start_row_and_rows_past_the_end() -> None:
    grid = [["Last Name"], ["a"], ["b"], ["c"]]
    plan = map_by_header(grid, FIELDS, IDS, start_row_index=2)
    assert cells(plan) == {("1003", "Last_Name", "a"), ("1004", "Last_Name", "b")}
    assert [r.source_row for r in plan.unmatched_rows] == [3]


def test_unknown_and_read_only_columns_are_reported() -> None:
    grid = [["Last Name", "Shoe size", "Full Name", "", "Lead Number"], ["a", "44", "Ada L", "zzz", "7"]]
    plan = map_by_header(grid, FIELDS, IDS)
    assert cells(plan) == {("1001", "Last_Name", "a")}
    assert plan.unknown_columns == [(1, "Shoe size")]
    assert [(s.source_col, s.api_name) for s in plan.skipped_readonly] == [(2, "Full_Name"), (4, "Lead_Number")]
    assert any("“Shoe size”" in line for line in plan.summary())


def test_plus_and_minus_prefixes_append_and_remove() -> None:
    grid = [["+Interests", "-interests", "- Photos", "Last_Name"], ["Security;Training", "Automation", "*", "x"]]
    plan = map_by_header(grid, FIELDS, IDS)
    modes = {(c.api_name, c.mode, c.text) for c in plan.cells}
    assert modes == {("Interests", APPEND, "Security;Training"), ("Interests", REMOVE, "Automation"),
                     ("Photos", REMOVE, "*"), ("Last_Name", SET, "x")}
    assert plan.skipped_columns == [] and plan.unknown_columns == []


def test_prefixes_on_fields_that_do_not_take_them_are_refused() -> None:
    grid = [["+Last_Name", "-Phone", "+Photos"], ["a", "b", "c"]]
    plan = map_by_header(grid, FIELDS, IDS)
    assert plan.cells == []
    reasons = [s.reason for s in plan.skipped_columns]
    assert "multi-select" in reasons[0] and "Last Name is not one" in reasons[0]
    assert "Phone is none of these" in reasons[1]
    assert "Photos is not one" in reasons[2]


def test_the_same_field_twice_is_refused_but_append_and_remove_go_together() -> None:
    grid = [["Interests", "+Interests", "Last_Name", "Last Name"], ["A", "B", "x", "y"]]
    plan = map_by_header(grid, FIELDS, IDS)
    assert cells(plan) == {("1001", "Interests", "A"), ("1001", "Last_Name", "x")}
    assert [(s.source_col, s.reason) for s in plan.skipped_columns] == [
        (1, "Interests already has column 1; this one was not pasted."),
        (3, "Last Name already has column 3; this one was not pasted.")]


def test_an_ambiguous_label_asks_for_the_api_name() -> None:
    title_a = FieldMeta("Designation", "Title", "text")
    title_b = FieldMeta("Title_2", "Title", "text", custom=True)
    plan = map_by_header([["Title", "Designation"], ["x", "y"]], [title_a, title_b], IDS)
    assert cells(plan) == {("1001", "Designation", "y")}
    assert "use the API name" in plan.skipped_columns[0].reason


def test_an_id_column_that_disagrees_with_the_row_warns() -> None:
    grid = [["Record Id", "Last_Name"], ["1001", "a"], ["1003", "b"]]
    plan = map_by_header(grid, FIELDS, IDS)
    assert cells(plan) == {("1001", "Last_Name", "a"), ("1002", "Last_Name", "b")}
    [warning] = plan.warnings
    assert (warning.kind, warning.source_row, warning.record_id) == (ID_MISMATCH, 2, "1002")
    assert "Paste by key" in warning.message


# --------------------------------------------------------------------------------------------
# By key


def email_index() -> dict[str, list[str]]:
    return build_key_index(EMAILS, EMAIL)


def test_rows_find_their_record_by_email_in_any_order() -> None:
    grid = parse_clipboard("Lead Status\tEmail\tLast Name\r\nContacted\tGRACE@example.com\tHopper\r\n"
                           "Junk Lead\t  alan@example.COM \tTuring\r\n")
    plan = map_by_key(grid, FIELDS, EMAIL, email_index())
    assert cells(plan) == {("1003", "Lead_Status", "Contacted"), ("1003", "Last_Name", "Hopper"),
                           ("1002", "Lead_Status", "Junk Lead"), ("1002", "Last_Name", "Turing")}
    assert plan.record_ids == ["1003", "1002"]
    assert "Email" not in {c.api_name for c in plan.cells}  # the key is for matching


def test_unmatched_empty_key_and_blank_rows_are_reported() -> None:
    grid = [["Email", "Last_Name"], ["nobody@example.com", "x"], ["", "y"], ["", ""], ["ada@example.com", "L"]]
    plan = map_by_key(grid, FIELDS, "Email", email_index())
    assert cells(plan) == {("1001", "Last_Name", "L")}
    assert [(r.source_row, r.key) for r in plan.unmatched_rows] == [(1, "nobody@example.com"), (2, "")]
    assert "no record has Email “nobody@example.com”" in plan.unmatched_rows[0].reason
    assert "Email cell is empty" in plan.unmatched_rows[1].reason
    assert plan.blank_rows == [3]


def test_a_key_shared_by_several_records_is_ambiguous_and_left_out() -> None:
    index = build_key_index({**EMAILS, "1004": "ADA@example.com"}, EMAIL)
    plan = map_by_key([["Email", "Last_Name"], ["ada@example.com", "x"]], FIELDS, EMAIL, index)
    assert plan.cells == []
    [row] = plan.ambiguous_rows
    assert row.record_ids == ("1001", "1004") and row.source_row == 1
    assert "2 records have Email" in row.reason
    assert any("matched several records" in line for line in plan.summary())


def test_key_by_record_id() -> None:
    index = build_key_index({i: i for i in IDS}, "id")
    grid = [["Last_Name", "Record Id", "+Interests"], ["b", " 1004 ", "Security"], ["a", "9999", "x"]]
    plan = map_by_key(grid, FIELDS, "id", index)
    assert {(c.record_id, c.api_name, c.mode) for c in plan.cells} == {("1004", "Last_Name", SET),
                                                                        ("1004", "Interests", APPEND)}
    assert [r.source_row for r in plan.unmatched_rows] == [2]


def test_missing_key_column_is_an_error_in_plain_words() -> None:
    plan = map_by_key([["Last_Name"], ["x"]], FIELDS, EMAIL, email_index())
    assert plan.cells == []
    assert plan.error == "The first row has no “Email” column, which is needed to find each row's record."
    assert map_by_key([["x"]], FIELDS, "Shoe_Size", {}).error == "The key “Shoe_Size” is not a field of this table."


def test_a_read_only_key_is_fine_and_a_hidden_key_column_is_found() -> None:
    index = build_key_index({"1001": "L-1", "1002": "L-2"}, NUMBER)
    plan = map_by_key([["Lead Number", "Last_Name"], ["l-2", "x"]], [LAST], NUMBER, index)
    assert cells(plan) == {("1002", "Last_Name", "x")}
    assert plan.skipped_readonly == []


def test_the_same_record_twice_takes_the_later_row() -> None:
    grid = [["Email", "Last_Name", "Zip_Code", "+Interests"],
            ["ada@example.com", "first", "2108", "A"], ["grace@example.com", "g", "", ""],
            ["Ada@Example.com", "second", "", "B"]]
    plan = map_by_key(grid, FIELDS, EMAIL, email_index())
    assert {(c.record_id, c.api_name, c.text) for c in plan.cells if c.record_id == "1001"} == {
        ("1001", "Last_Name", "second"), ("1001", "Zip_Code", "2108"),
        ("1001", "Interests", "A"), ("1001", "Interests", "B")}
    assert [w.kind for w in plan.warnings] == [LEADING_ZERO, SAME_RECORD_TWICE]
    with_clear = map_by_key(grid, FIELDS, EMAIL, email_index(), empty="clear")
    assert ("1001", "Zip_Code", "") in cells(with_clear)
    assert [w.kind for w in with_clear.warnings] == [SAME_RECORD_TWICE]  # the overwritten cell's warning goes too


def test_build_key_index_normalizes() -> None:
    index = build_key_index(EMAILS, EMAIL)
    assert index == {"ada@example.com": ["1001"], "alan@example.com": ["1002"], "grace@example.com": ["1003"]}
    numbers = build_key_index({"1": 42, "2": "42.0", "3": None, "4": "x"}, EMPLOYEES)
    assert numbers["42"] == ["1", "2"] and "x" in numbers
    assert normalize_key({"id": "77", "name": "Acme"}, FieldMeta("Account_Name", "Account", "lookup")) == "77"
    assert normalize_key(["a"], EMAIL) == "" and normalize_key(" Éa\u0301 ", EMAIL) == "éá"


# --------------------------------------------------------------------------------------------
# Header detection


def test_detect_header() -> None:
    assert detect_header([["Email", "Last Name", "+Interests", ""]], FIELDS)
    assert detect_header([["id", "Lead_Status", "notes"]], FIELDS)
    assert not detect_header([["ada@example.com", "Lovelace", "Contacted"]], FIELDS)
    assert not detect_header([["Email", "x", "y"]], FIELDS)
    assert not detect_header([], FIELDS)
    assert not detect_header([["", " "]], FIELDS)


def test_excel_paste_with_header_end_to_end() -> None:
    text = "\ufeffEmail\tPhone\tZip Code\r\nada@example.com\t1.23E+11\t2108\r\nnobody@x.io\t1\t2\r\n"
    grid = parse_clipboard(text)
    assert detect_header(grid, FIELDS)
    plan = map_by_key(grid, FIELDS, EMAIL, email_index())
    assert cells(plan) == {("1001", "Phone", "1.23E+11"), ("1001", "Zip_Code", "2108")}
    assert [w.kind for w in plan.warnings] == ["scientific_notation", "leading_zero"]
    assert [r.source_row for r in plan.unmatched_rows] == [2]
