"""The change set: pending edits, dirtiness, undo/redo, refusals, and results."""

from __future__ import annotations

import pytest

from gui.core.changeset import APPEND, DELETE_FILES, REMOVE, CellChange, ChangeSet
from gui.core.meta import FieldMeta
from gui.core.results import Record, RecordError

FIELDS = [
    FieldMeta("Last_Name", "Last Name", "text", mandatory=True),
    FieldMeta("Lead_Status", "Lead Status", "picklist"),
    FieldMeta("No_of_Employees", "Employees", "integer"),
    FieldMeta("Languages", "Languages", "multiselectpicklist"),
    FieldMeta("Photos", "Photos", "imageupload", mass_update=False),
    FieldMeta("Full_Name", "Full Name", "text", read_only=True),
]


def make(n: int = 5) -> ChangeSet:
    changes = ChangeSet("Leads", FIELDS)
    changes.add_records(Record(str(1000 + i), {
        "Last_Name": f"Name{i}", "Lead_Status": "Contacted", "No_of_Employees": 10,
        "Languages": ["English", "French"], "Photos": [{"id": "p1"}, {"id": "p2"}],
        "Full_Name": f"A Name{i}", "Modified_Time": "2026-01-01T00:00:00+00:00"}) for i in range(n))
    return changes


def test_an_edit_is_pending_until_undone_and_back_with_redo():
    changes = make()
    changes.apply([CellChange("1000", "Last_Name", value="Smith")], "Type")
    assert changes.effective("1000", "Last_Name") == "Smith"
    assert changes.undo_label() == "Type"
    changes.undo()
    assert changes.edit("1000", "Last_Name") is None
    assert changes.effective("1000", "Last_Name") == "Name0"
    changes.redo()
    assert changes.effective("1000", "Last_Name") == "Smith"


def test_setting_the_loaded_value_again_is_not_dirty():
    changes = make()
    changes.apply([CellChange("1000", "No_of_Employees", value=10.0)])
    changes.apply([CellChange("1001", "Languages", value=["English", "French"])])
    changes.apply([CellChange("1002", "Languages", kind=APPEND, value=["French"])])
    assert len(changes) == 0


def test_a_paste_is_one_undo_step():
    changes = make()
    paste = [CellChange(str(1000 + i), "Lead_Status", value="Junk Lead") for i in range(5)]
    changes.apply(paste, "Paste")
    assert len(changes) == 5
    changes.undo()
    assert len(changes) == 0
    assert not changes.can_undo and changes.can_redo


def test_invalid_text_is_kept_and_never_pending():
    changes = make()
    changes.apply([CellChange("1000", "No_of_Employees", text="ten", invalid="“ten” is not a whole number")])
    edit = changes.edit("1000", "No_of_Employees")
    assert edit is not None and edit.text == "ten" and edit.invalid
    assert changes.pending() == [] and changes.invalid() == [edit]


def test_read_only_fields_and_blocked_rows_refuse_edits_with_a_reason():
    changes = make()
    changes.add_records([Record("2000", {"Last_Name": "Held"}, approved=False),
                         Record("2001", {"Last_Name": "Locked"}, locked=True)])
    outcome = changes.apply([CellChange("1000", "Full_Name", value="x"), CellChange("2000", "Last_Name", value="y"),
                             CellChange("2001", "Last_Name", value="z"), CellChange("9999", "Last_Name", value="q")])
    reasons = dict(outcome.refused)
    assert "read-only" in reasons[("1000", "Full_Name")]
    assert "waiting for approval" in reasons[("2000", "Last_Name")]
    assert "locked" in reasons[("2001", "Last_Name")]
    assert "not loaded" in reasons[("9999", "Last_Name")]
    assert len(changes) == 0 and not changes.can_undo


def test_multiselect_remove_and_file_delete_compute_what_stays():
    changes = make()
    changes.apply([CellChange("1000", "Languages", kind=REMOVE, value=["French"]),
                   CellChange("1000", "Photos", kind=DELETE_FILES, value=["p1"])])
    assert changes.effective("1000", "Languages") == ["English"]
    assert changes.effective("1000", "Photos") == [{"id": "p2"}]


def test_revert_row_and_all():
    changes = make()
    changes.apply([CellChange("1000", "Last_Name", value="A"), CellChange("1000", "Lead_Status", value="Junk Lead"),
                   CellChange("1001", "Last_Name", value="B")])
    changes.revert_rows(["1000"])
    assert changes.edited_records() == {"1001"}
    changes.revert_all()
    assert len(changes) == 0
    changes.undo()
    assert changes.edited_records() == {"1001"}


def test_confirm_makes_the_sent_value_the_new_baseline_and_keeps_later_edits():
    changes = make()
    changes.apply([CellChange("1000", "Last_Name", value="Sent"), CellChange("1000", "Lead_Status", value="Junk Lead")])
    sent = [e for e in changes.pending() if e.record_id == "1000"]
    changes.apply([CellChange("1000", "Lead_Status", value="Lost Lead")])  # typed while the submit ran
    changes.confirm("1000", sent, "2026-02-02T10:00:00+00:00")
    assert changes.original("1000", "Last_Name") == "Sent"
    assert changes.edit("1000", "Last_Name") is None
    assert changes.edit("1000", "Lead_Status").value == "Lost Lead"
    assert changes.original("1000", "Lead_Status") == "Junk Lead"
    assert changes.original("1000", "Modified_Time") == "2026-02-02T10:00:00+00:00"


def test_a_failure_lands_on_the_named_field_or_on_the_row():
    changes = make()
    changes.apply([CellChange("1000", "Last_Name", value="")])
    changes.fail("1000", ["Last_Name"], RecordError("MANDATORY_NOT_FOUND", "required", api_name="Last_Name"))
    assert changes.error_for("1000", "Last_Name").code == "MANDATORY_NOT_FOUND"
    changes.fail("1000", ["Last_Name"], RecordError("NOT_APPROVED", "not approved"))
    assert changes.error_for("1000", None).code == "NOT_APPROVED"
    assert changes.error_for("1000", "Last_Name") is None
    assert changes.edit("1000", "Last_Name") is not None  # nothing typed is lost


def test_reloading_keeps_pending_edits():
    changes = make()
    changes.apply([CellChange("1003", "Last_Name", value="Mine")])
    changes.add_records([Record("1003", {"Last_Name": "Theirs"})])
    assert changes.effective("1003", "Last_Name") == "Mine"


@pytest.mark.parametrize("kind", [APPEND, REMOVE])
def test_multiselect_modes_are_refused_on_other_fields(kind):
    changes = make()
    outcome = changes.apply([CellChange("1000", "Last_Name", kind=kind, value=["x"])])
    assert outcome.refused


def test_a_reload_that_shows_the_change_landed_clears_the_records_error():
    changes = make(2)
    changes.apply([CellChange("1000", "Last_Name", value="Smith"), CellChange("1001", "Last_Name", value="Jones")])
    lost = RecordError("OUTCOME_UNKNOWN", "the answer was lost", "Last_Name")
    changes.fail("1000", ["Last_Name"], lost)
    changes.fail("1001", ["Last_Name"], lost)
    # Zoho has 1000's change (the answer was lost on the way back), not 1001's.
    changes.add_records([Record("1000", {**changes.records["1000"].values, "Last_Name": "Smith"}),
                         Record("1001", dict(changes.records["1001"].values))])
    assert changes.edit("1000", "Last_Name") is None and "1000" not in changes.errors
    assert changes.edit("1001", "Last_Name") is not None and changes.errors["1001"]
