"""“Set value for selected rows…”: one value staged for many records, blocked ones skipped."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from gui.core.changeset import APPEND, SET, block_reason
from gui.qt.roles import Role
from gui.qt.table_model import RecordTableModel
from gui.widgets.mass_update_dialog import MassUpdateDialog, mass_update_fields

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def leads(open_module: Any) -> RecordTableModel:
    return open_module("Leads").model


def blocked_ids(model: RecordTableModel, ids: list[str]) -> list[str]:
    return [rid for rid in ids if block_reason(model.changes.records[rid]) is not None]


def open_dialog(qtbot: Any, model: RecordTableModel, ids: list[str], field: str | None = None) -> MassUpdateDialog:
    dialog = MassUpdateDialog(None, model, ids, field)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def choose_field(dialog: MassUpdateDialog, api: str) -> None:
    dialog.field_combo.setCurrentIndex(dialog.field_combo.findData(api))


def test_only_mass_updatable_editable_fields_are_offered(qtbot: Any, leads: RecordTableModel) -> None:
    dialog = open_dialog(qtbot, leads, leads.shown_ids()[:3])
    offered = {dialog.field_combo.itemData(n) for n in range(dialog.field_combo.count())}
    assert {"Lead_Status", "City", "Interests", "Email_Opt_Out", "Owner"} <= offered
    # Email is unique (no mass update); Full_Name is read-only; Lead_Number is an autonumber.
    assert not offered & {"Email", "Full_Name", "Lead_Number", "Revenue_per_Employee", "Documents", "Photos"}
    assert [m.api_name for m in mass_update_fields(leads)] == [dialog.field_combo.itemData(n)
                                                               for n in range(dialog.field_combo.count())]


def test_picklist_value_for_many_rows_skips_blocked_ones(qtbot: Any, leads: RecordTableModel) -> None:
    ids = leads.shown_ids()[:20]
    blocked = blocked_ids(leads, ids)
    assert len(blocked) >= 3 and len(ids) - len(blocked) >= 10
    dialog = open_dialog(qtbot, leads, ids)
    choose_field(dialog, "Lead_Status")
    assert dialog.choice_combo.isVisible() and not dialog.value_edit.isVisible()
    assert not dialog.ok_button.isEnabled()  # nothing chosen yet
    assert dialog.error_label.text() == "Choose a value."
    dialog.choice_combo.setCurrentIndex(dialog.choice_combo.findText("Pre-Qualified"))
    assert dialog.ok_button.isEnabled()
    free = len(ids) - len(blocked)
    assert dialog.count_label.text().startswith(f"Sets Lead Status on {free} of the 20 selected records.")
    assert dialog.skipped_label.text().startswith(f"{len(blocked)} of the selected records can't be edited")
    skipped = [dialog.skipped_list.item(n).text() for n in range(dialog.skipped_list.count())]
    assert len(skipped) == len(blocked)
    for rid, line in zip(blocked, skipped):
        name = leads.changes.original(rid, "Full_Name")
        assert line.startswith(f"{name} — ") and block_reason(leads.changes.records[rid]) in line
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.staged == free
    for rid in ids:
        index = leads.index(leads.row_of(rid), leads.column_of("Lead_Status"))
        if rid in blocked:
            assert index.data(Role.EDIT) is None
        else:
            assert index.data(DISPLAY) == "Pre-Qualified"
            edit = index.data(Role.EDIT)
            assert edit is None or (edit.kind == SET and edit.value == "Pre-Qualified")
    assert leads.undo_stack.count() == 1
    assert leads.undo_stack.undoText() == f"Set Lead Status for {free} rows"
    leads.undo_stack.undo()
    assert len(leads.changes) == 0


def test_multiselect_append_adds_to_each_record(qtbot: Any, leads: RecordTableModel) -> None:
    ids = leads.shown_ids()[:12]
    free = [rid for rid in ids if rid not in blocked_ids(leads, ids)]
    before = {rid: list(leads.changes.original(rid, "Interests") or []) for rid in free}
    dialog = open_dialog(qtbot, leads, ids, field="Interests")
    assert dialog.multi_box.isVisible()
    dialog.append_radio.click()
    assert dialog.error_label.text() == "Give at least one value to add."
    assert not dialog.ok_button.isEnabled()
    items = {dialog.multi_list.item(n).text(): dialog.multi_list.item(n) for n in range(dialog.multi_list.count())}
    items["Security"].setCheckState(Qt.CheckState.Checked)
    items["Training"].setCheckState(Qt.CheckState.Checked)
    assert dialog.ok_button.isEnabled()
    assert dialog.count_label.text().startswith(f"Adds to Interests on {len(free)} of the 12 selected records.")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    for rid in free:
        after = leads.changes.effective(rid, "Interests")
        assert after == before[rid] + [v for v in ("Security", "Training") if v not in before[rid]]
        edit = leads.changes.edit(rid, "Interests")
        if edit is not None:
            assert edit.kind == APPEND and edit.value == ["Security", "Training"]
            display = leads.index(leads.row_of(rid), leads.column_of("Interests")).data(DISPLAY)
            assert "+ Security; Training" in display
    assert leads.undo_stack.undoText() == f"Add to Interests for {len(free)} rows"


def test_invalid_value_shows_why_and_disables_ok(qtbot: Any, leads: RecordTableModel) -> None:
    dialog = open_dialog(qtbot, leads, leads.shown_ids()[:4], field="No_of_Employees")
    assert dialog.value_edit.isVisible()
    dialog.value_edit.setFocus()
    qtbot.keyClicks(dialog.value_edit, "lots")
    assert not dialog.ok_button.isEnabled()
    assert dialog.error_label.isVisible() and "lots" in dialog.error_label.text()
    dialog.value_edit.clear()
    qtbot.keyClicks(dialog.value_edit, "250")
    assert dialog.ok_button.isEnabled() and not dialog.error_label.isVisible()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    free = [rid for rid in leads.shown_ids()[:4] if rid not in blocked_ids(leads, leads.shown_ids()[:4])]
    assert all(leads.changes.effective(rid, "No_of_Employees") == 250 for rid in free)
    assert not leads.changes.invalid()  # one value for many rows: never staged invalid


def test_boolean_and_owner_use_choices(qtbot: Any, leads: RecordTableModel) -> None:
    ids = leads.shown_ids()[:6]
    dialog = open_dialog(qtbot, leads, ids, field="Email_Opt_Out")
    assert [dialog.choice_combo.itemText(n) for n in range(dialog.choice_combo.count())] == ["Yes", "No"]
    dialog.choice_combo.setCurrentIndex(0)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    free = [rid for rid in ids if rid not in blocked_ids(leads, ids)]
    assert all(leads.changes.effective(rid, "Email_Opt_Out") is True for rid in free)
    dialog = open_dialog(qtbot, leads, ids, field="Owner")
    active = [u for u in leads.ctx.users if u.active]
    assert dialog.choice_combo.count() == len(active) + 1  # and "(empty)": Owner is not mandatory here
    user = active[0]
    dialog.choice_combo.setCurrentIndex(dialog.choice_combo.findText(f"{user.full_name} <{user.email}>"))
    assert dialog.ok_button.isEnabled()
    dialog.accept()
    assert all(leads.changes.effective(rid, "Owner")["id"] == user.user_id for rid in free)
    assert any(leads.changes.edit(rid, "Owner") is not None for rid in free)


def test_mandatory_field_cannot_be_emptied(qtbot: Any, leads: RecordTableModel) -> None:
    dialog = open_dialog(qtbot, leads, leads.shown_ids()[:3], field="Last_Name")
    assert not dialog.ok_button.isEnabled()
    assert "required" in dialog.error_label.text()


def test_all_blocked_selection_cannot_be_set(qtbot: Any, leads: RecordTableModel) -> None:
    blocked = blocked_ids(leads, leads.shown_ids())[:3]
    dialog = open_dialog(qtbot, leads, blocked, field="City")
    qtbot.keyClicks(dialog.value_edit, "Oslo")
    assert not dialog.ok_button.isEnabled()
    assert dialog.error_label.text() == "None of the selected records can be edited."
    assert dialog.skipped_list.count() == 3
