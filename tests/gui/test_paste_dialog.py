"""The paste preview, driven as a user would: pick how rows match, read the warnings, Apply."""

from __future__ import annotations

import random
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from gui.core.changeset import block_reason
from gui.core.paste import to_clipboard
from gui.qt import roles
from gui.qt.paste_ops import apply_paste, parse_paste, plan_paste
from gui.qt.roles import Role
from gui.qt.table_model import RecordTableModel
from gui.widgets.paste_dialog import PasteDialog, should_preview

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def leads(open_module: Any) -> RecordTableModel:
    return open_module("Leads").model


def free_rows(model: RecordTableModel) -> list[int]:
    """Rows whose record can be edited."""
    return [r for r in range(model.rowCount())
            if block_reason(model.changes.records[model.record_id_at(r)]) is None]


def cell(model: RecordTableModel, row: int, api: str, role: int = DISPLAY) -> Any:
    return model.index(row, model.column_of(api)).data(role)


def open_dialog(qtbot: Any, model: RecordTableModel, grid: list[list[str]], row: int = 0,
                column: int = 1) -> PasteDialog:
    request = parse_paste(to_clipboard(grid), row, column, [row], [column])
    dialog = PasteDialog(None, model, request)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.checks_done, timeout=5_000)
    return dialog


def press_apply(qtbot: Any, dialog: PasteDialog) -> tuple[int, list[Any]]:
    assert dialog.apply_button.isEnabled()
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    return apply_paste(dialog.model, dialog.plan)


def issue_texts(dialog: PasteDialog) -> list[str]:
    return [dialog.issues_list.item(n).text() for n in range(dialog.issues_list.count())]


def test_plain_paste_applies_without_preview_and_with_it(qtbot: Any, leads: RecordTableModel) -> None:
    rows = free_rows(leads)
    start = next(r for r in rows if r + 1 in rows)
    phone = leads.column_of("Phone")
    text = "+1 555 0100\t+1 555 0101\r\n+1 555 0200\t+1 555 0201\r\n"
    request = parse_paste(text, start, phone, [start], [phone])
    plan = plan_paste(leads, request)
    assert not should_preview(leads, request, plan)  # small, clean: Ctrl+V applies at once
    dialog = PasteDialog(None, leads, request)
    qtbot.addWidget(dialog)
    assert dialog.position_radio.isChecked()
    assert not dialog.clear_empty_box.isEnabled()
    assert dialog.count_label.text() == "<b>4 cells in 2 records</b>"
    assert dialog.preview_table.rowCount() == 4
    done, notes = press_apply(qtbot, dialog)
    assert (done, notes) == (4, [])
    assert cell(leads, start, "Phone") == "+1 555 0100"
    assert cell(leads, start, "Mobile") == "+1 555 0101"
    assert cell(leads, start + 1, "Phone") == "+1 555 0200"
    assert cell(leads, start + 1, "Phone", Qt.ItemDataRole.BackgroundRole) == roles.EDITED


def test_cancel_changes_nothing(qtbot: Any, leads: RecordTableModel) -> None:
    dialog = open_dialog(qtbot, leads, [["Lead Status", "City"], ["Contacted", "Oslo"]])
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert len(leads.changes) == 0 and leads.undo_stack.count() == 0


def test_quoted_multi_line_cell_stays_one_cell(qtbot: Any, open_module: Any) -> None:
    model = open_module("Leads", columns=["Full_Name", "Description", "City"]).model
    row = free_rows(model)[0]
    text = '"line1\nline2"\tParis\r\n"say ""hi"""\tRome\r\n'
    column = model.column_of("Description")
    request = parse_paste(text, row, column, [row], [column])
    assert request.grid == [["line1\nline2", "Paris"], ['say "hi"', "Rome"]]
    dialog = PasteDialog(None, model, request)
    qtbot.addWidget(dialog)
    assert dialog.mode == "position"
    assert dialog.preview_table.item(0, 4).text() == "line1 ↵ line2"
    press_apply(qtbot, dialog)
    assert model.index(row, column).data(Role.EDIT).value == "line1\nline2"
    assert cell(model, row, "City") == "Paris"
    assert cell(model, row + 1, "Description") == 'say "hi"' or \
        block_reason(model.changes.records[model.record_id_at(row + 1)]) is not None


def test_header_paste_maps_columns_by_name(qtbot: Any, leads: RecordTableModel) -> None:
    start = free_rows(leads)[0]
    grid = [["City", "lead status", "Favourite colour", "Lead Number"],
            ["Oslo", "Contacted", "blue", "LD-9"], ["Bergen", "Junk Lead", "red", "LD-8"]]
    request = parse_paste(to_clipboard(grid), start, 1, [start], [1])
    assert should_preview(leads, request, plan_paste(leads, request))
    dialog = PasteDialog(None, leads, request)
    qtbot.addWidget(dialog)
    assert dialog.header_radio.isChecked()
    assert dialog.clear_empty_box.isEnabled()
    mapping = {dialog.mapping_table.item(n, 0).text(): dialog.mapping_table.item(n, 1).text()
               for n in range(dialog.mapping_table.rowCount())}
    assert mapping["City"] == "City" and mapping["lead status"] == "Lead Status"
    assert mapping["Favourite colour"].startswith("Not pasted: no field is called")
    assert "numbered by Zoho CRM" in mapping["Lead Number"]
    assert any("Favourite colour" in line for line in issue_texts(dialog))
    press_apply(qtbot, dialog)
    assert cell(leads, start, "City") == "Oslo"
    assert cell(leads, start, "Lead_Status") == "Contacted"
    second = leads.changes.records[leads.record_id_at(start + 1)]
    if block_reason(second) is None:
        assert cell(leads, start + 1, "City") == "Bergen"


def test_empty_cells_clear_only_when_asked(qtbot: Any, leads: RecordTableModel) -> None:
    start = free_rows(leads)[0]
    dialog = open_dialog(qtbot, leads, [["City", "State"], ["Oslo", ""]], row=start)
    assert dialog.header_radio.isChecked()
    assert "1 cell in 1 record" in dialog.count_label.text()
    dialog.clear_empty_box.click()
    assert "2 cells in 1 record" in dialog.count_label.text()
    press_apply(qtbot, dialog)
    assert cell(leads, start, "State") == ""
    assert cell(leads, start, "State", Role.EDIT) is not None


def shuffled_key_grid(model: RecordTableModel, key: str, count: int = 12) -> tuple[list[list[str]], dict[str, str]]:
    """A header + rows for ``count`` editable records in shuffled order, with a city per record."""
    ids = [model.record_id_at(r) for r in free_rows(model)][:count]
    rnd = random.Random(7)
    rnd.shuffle(ids)
    cities = {rid: f"Town {n}" for n, rid in enumerate(ids)}
    header = ["Record Id" if key == "id" else "Email", "City"]
    rows = [[rid if key == "id" else str(model.changes.original(rid, "Email")).upper(), cities[rid]] for rid in ids]
    return [header, *rows], cities


def test_keyed_paste_by_id_lands_on_the_right_records(qtbot: Any, leads: RecordTableModel) -> None:
    leads.sort(leads.column_of("City"), Qt.SortOrder.DescendingOrder)  # the table's order is not the sheet's
    grid, cities = shuffled_key_grid(leads, "id")
    dialog = open_dialog(qtbot, leads, grid)
    assert dialog.key_radio.isChecked() and dialog.key_field == "id"
    assert dialog.key_combo.isEnabled()
    assert f"{len(cities)} cells in {len(cities)} records" in dialog.count_label.text()
    press_apply(qtbot, dialog)
    for rid, city in cities.items():
        assert cell(leads, leads.row_of(rid), "City") == city


def test_keyed_paste_by_email_chosen_by_the_user(qtbot: Any, leads: RecordTableModel) -> None:
    grid, cities = shuffled_key_grid(leads, "email")
    dialog = open_dialog(qtbot, leads, grid)
    dialog.position_radio.click()  # the user looks at the other readings first
    assert dialog.mode == "position" and not dialog.key_combo.isEnabled()
    dialog.header_radio.click()
    assert dialog.mapping_table.item(0, 1).text() == "Email"  # by header, Email would be overwritten
    dialog.key_radio.click()
    dialog.key_combo.setCurrentIndex(dialog.key_combo.findData("Email"))
    assert dialog.mode == "key" and dialog.key_field == "Email"
    qtbot.waitUntil(lambda: dialog.checks_done, timeout=5_000)
    mapping = dialog.mapping_table.item(0, 1).text()
    assert mapping.startswith("Used to find each row's record")
    press_apply(qtbot, dialog)
    for rid, city in cities.items():
        assert cell(leads, leads.row_of(rid), "City") == city
    assert leads.undo_stack.count() == 1


def test_unmatched_keys_are_reported(qtbot: Any, leads: RecordTableModel) -> None:
    grid, _ = shuffled_key_grid(leads, "email", 3)
    grid.append(["nobody@nowhere.example", "Lima"])
    dialog = open_dialog(qtbot, leads, grid)
    assert dialog.key_field == "Email"
    assert any("matched no record: 5" in t for t in issue_texts(dialog))


def test_damage_warnings_and_invalid_values_are_shown_and_marked(qtbot: Any, leads: RecordTableModel) -> None:
    start = free_rows(leads)[0]
    grid = [["Phone", "Zip Code", "Follow-up Date", "No. of Employees", "Mobile"],
            ["1.23E+15", "2108", "03/04/2025", "lots", "1234"],
            ["+1 555 0100", "02108", "2025-04-03", "12", "+49 30 1234567"]]
    request = parse_paste(to_clipboard(grid), start, 1, [start], [1])
    dialog = PasteDialog(None, leads, request)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.header_radio.isChecked()
    qtbot.waitUntil(lambda: dialog.checks_done, timeout=5_000)
    texts = issue_texts(dialog)
    assert any(t.startswith("Row 2, column 1 (Phone)") and "scientific notation" in t for t in texts)
    assert any(t.startswith("Row 2, column 2 (Zip Code)") and "02108" in t for t in texts)
    assert any(t.startswith("Row 2, column 3 (Follow-up Date)") and "day first" in t for t in texts)
    assert any(t.startswith("Row 2, column 5 (Mobile)") and "Leading zero" in t for t in texts)
    assert any(t.startswith("Row 2, column 4 (No. of Employees)") for t in texts)  # invalid, listed
    assert any("4 cells may have been changed by the spreadsheet" in t for t in texts)
    assert "1 cell can't be read" in dialog.check_label.text()
    assert len(dialog.invalid_cells) == 1
    phone = dialog.preview_table.item(0, 4)
    assert phone.background().color() == roles.CONFLICT and "scientific notation" in phone.toolTip()
    employees = dialog.preview_table.item(3, 4)
    assert employees.background().color() == roles.INVALID and "Not a valid value" in employees.toolTip()
    _, notes = press_apply(qtbot, dialog)
    assert [n.api_name for n in notes if n.invalid] == ["No_of_Employees"]
    index = leads.index(start, leads.column_of("No_of_Employees"))
    assert index.data(Role.EDIT).invalid is not None
    assert index.data(DISPLAY) == "lots"
    assert index.data(Qt.ItemDataRole.BackgroundRole) == roles.INVALID


def test_one_damaged_cell_needs_the_preview(leads: RecordTableModel) -> None:
    row = free_rows(leads)[0]
    phone = leads.column_of("Phone")
    request = parse_paste("1.23E+15\r\n", row, phone, [row], [phone])
    assert should_preview(leads, request, plan_paste(leads, request))
    request = parse_paste("+1 555 0100\r\n", row, phone, [row], [phone])
    assert not should_preview(leads, request, plan_paste(leads, request))


def test_big_or_blocked_pastes_need_the_preview(leads: RecordTableModel) -> None:
    rows = list(range(leads.rowCount()))
    city = leads.column_of("City")
    columns = [leads.column_of(api) for api in ("Company", "Designation", "City", "State")]
    request = parse_paste("Oslo", 0, city, rows, columns)
    plan = plan_paste(leads, request)
    assert len(plan.cells) > 200 and should_preview(leads, request, plan)
    blocked = next(r for r in rows if r not in free_rows(leads))
    request = parse_paste("Oslo", blocked, city, [blocked], [city])
    assert should_preview(leads, request, plan_paste(leads, request))


def test_blocked_records_are_counted_and_left_out(qtbot: Any, leads: RecordTableModel) -> None:
    grid = [["City"]] + [[f"Town {n}"] for n in range(leads.rowCount())]
    dialog = open_dialog(qtbot, leads, grid)
    blocked = leads.rowCount() - len(free_rows(leads))
    assert any(f"{blocked} records can't be edited" in t for t in issue_texts(dialog))
    assert f"{len(free_rows(leads))} cells in {len(free_rows(leads))} records" in dialog.count_label.text()
    done, _ = press_apply(qtbot, dialog)
    assert done == len(free_rows(leads))


def test_paste_is_undone_in_one_step(qtbot: Any, leads: RecordTableModel) -> None:
    start = free_rows(leads)[0]
    before = [cell(leads, start + n, "City") for n in range(4)]
    grid = [["City", "Lead Status"]] + [[f"Town {n}", "Contacted"] for n in range(4)]
    dialog = open_dialog(qtbot, leads, grid, row=start)
    done, _ = press_apply(qtbot, dialog)
    assert done > 0 and len(leads.changes) > 0
    assert leads.undo_stack.count() == 1 and leads.undo_stack.undoText() == "Paste"
    leads.undo_stack.undo()
    assert len(leads.changes) == 0
    assert [cell(leads, start + n, "City") for n in range(4)] == before
    leads.undo_stack.redo()
    assert cell(leads, start, "City") == "Town 0"


def test_large_paste_stays_responsive(qtbot: Any, leads: RecordTableModel) -> None:
    grid = [["Record Id", "City", "State", "Country"]]
    ids = leads.shown_ids()
    grid += [[ids[n % len(ids)], f"Town {n}", "CA", "USA"] for n in range(3000)]
    dialog = open_dialog(qtbot, leads, grid)
    assert dialog.key_radio.isChecked()
    assert dialog.preview_table.rowCount() == 50
    assert dialog.issues_list.count() <= 210
