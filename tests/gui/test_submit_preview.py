"""The submit preview over a module loaded from the sandbox: changes, plan, conflicts, triggers."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QDialog, QLabel

from gui.core.changeset import CellChange
from gui.core.conflicts import find_conflicts
from gui.core.fieldtypes import format_value
from gui.core.planner import MassUpdateCall, SubmitPlan, UpdateCall, plan_submit
from gui.widgets.submit_preview import EMPTY, SubmitPreviewDialog, summary_text


def free_rows(changes):
    return [rid for rid in changes.order if changes.records[rid].approved and not changes.records[rid].locked
            and changes.records[rid].editable]


def plan_for(changes, **kw):
    return plan_submit(changes.module, changes.pending(), changes.records, changes.fields, **kw)


def cell(model, row, column, role=Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, column), role)


def test_preview_lists_changes_plan_invalid_edits_and_conflicts(open_module, client, qtbot):
    session = open_module("Leads")
    model = session.model
    changes = model.changes
    free = free_rows(changes)[:40]
    model.apply_changes([CellChange(rid, "City", value=f"City {n}", text=f"City {n}") for n, rid in enumerate(free)],
                        "Paste")
    model.apply_changes([CellChange(free[0], "No_of_Employees", text="many", invalid="“many” is not a number")],
                        "Edit")
    # Two records change in Zoho after they were loaded.
    client.update("Leads", [{"id": free[3], "City": "Changed in Zoho"}, {"id": free[7], "City": "Also changed"}])
    current = client.fetch("Leads", free, ["City", "Modified_Time"])  # what the submit path reads again
    conflicts = find_conflicts(changes, current)
    assert len(conflicts) == 2
    plan = plan_for(changes)

    dialog = SubmitPreviewDialog(None, model, plan, conflicts, ("workflow",))
    qtbot.addWidget(dialog)
    dialog.show()
    summary = dialog.findChild(QLabel, "summary").text()
    assert summary == "40 records, 40 cells: 1 update, 0 mass updates, about 1 API credit"
    invalid = dialog.findChild(QLabel, "invalidNote").text()
    assert "1 edit will NOT be sent" in invalid and "not valid" in invalid

    rows = dialog.changes_model
    QAbstractItemModelTester(rows, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert rows.rowCount() == 40
    first = next(r for r in range(40) if rows.rows[r][0] == free[0])
    meta = changes.fields["City"]
    was = format_value(meta, changes.original(free[0], "City"), model.ctx.locale) or EMPTY
    assert [cell(rows, first, c) for c in range(4)] == [
        format_value(model.columns[0], changes.original(free[0], model.columns[0].api_name), model.ctx.locale),
        "City", was, "City 0"]
    assert free[0] in cell(rows, first, 0, Qt.ItemDataRole.ToolTipRole)

    table = dialog.conflicts_model
    QAbstractItemModelTester(table, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert table.rowCount() == 2
    by_record = {table.rows[r][0].record_id: r for r in range(2)}
    row = by_record[free[3]]
    assert cell(table, row, 1) == "City"
    assert cell(table, row, 3) == "Changed in Zoho"  # now in Zoho
    assert cell(table, row, 4) == "City 3"  # yours
    assert dialog.skip_conflicts  # the default
    note = dialog.findChild(QLabel, "sendingNote").text()
    assert "Will send 38 records" in note and "2 conflicting records" in note
    dialog._overwrite.click()
    assert not dialog.skip_conflicts
    assert "Will send all 40 records" in dialog.findChild(QLabel, "sendingNote").text()

    assert dialog.triggers == ("workflow",)
    dialog._trigger_boxes["approval"].click()
    dialog._trigger_boxes["workflow"].click()
    assert dialog.triggers == ("approval",)
    assert not dialog.skip_preview_small
    dialog._small.click()
    assert dialog.skip_preview_small
    assert dialog.submit_button.isDefault() and dialog.submit_button.isEnabled()
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_mass_updates_and_multiselect_appends_are_summarised(open_module, qtbot):
    model = open_module("Leads").model
    changes = model.changes
    free = free_rows(changes)
    model.apply_changes([CellChange(rid, "Lead_Status", value="Junk Lead") for rid in free[:30]], "Fill")
    model.apply_changes([CellChange(free[35], "Languages_Spoken", kind="append", value=["Hindi"]),
                         CellChange(free[36], "Description", value=None)], "Edit")
    # 60 demo rows never make a mass update worth it, so group the 30 like the planner does for 300.
    junk = [(rid, (changes.edit(rid, "Lead_Status"),)) for rid in free[:30] if changes.edit(rid, "Lead_Status")]
    rest = plan_for(changes, use_mass_update=False)
    others = tuple(UpdateCall(c.records, tuple(s for s in c.sent if s[0] not in dict(junk))) for c in rest.calls)
    plan = SubmitPlan("Leads", (MassUpdateCall({"Lead_Status": "Junk Lead"}, False, tuple(junk)),) + others, None)
    assert len(plan.mass_updates) == 1 and len(plan.updates) == 1
    dialog = SubmitPreviewDialog(None, model, plan, [], ("approval", "workflow", "blueprint"))
    qtbot.addWidget(dialog)
    records = plan.record_count
    assert dialog.findChild(QLabel, "summary").text() == \
        f"{records} records, {records} cells: 1 update, 1 mass update, about 2 API credits"
    assert dialog.findChild(QLabel, "invalidNote") is None
    assert dialog.findChild(QLabel, "sendingNote") is None or not dialog.findChild(QLabel, "sendingNote").isVisible()
    rows = dialog.changes_model
    append = next(r for r in range(rows.rowCount()) if rows.rows[r][1].kind == "append")
    assert "Hindi" in cell(rows, append, 3) and "adds Hindi" in cell(rows, append, 3, Qt.ItemDataRole.ToolTipRole)
    if changes.original(free[36], "Description") is not None:
        cleared = next(r for r in range(rows.rowCount()) if rows.rows[r][0] == free[36])
        assert cell(rows, cleared, 3) == EMPTY
        assert cell(rows, cleared, 3, Qt.ItemDataRole.ForegroundRole) is not None
    assert dialog.triggers == ("approval", "workflow", "blueprint")
    assert dialog.skip_conflicts and not dialog.skip_preview_small


def test_nothing_to_send_and_all_records_in_conflict(open_module, client, qtbot):
    model = open_module("Leads").model
    changes = model.changes
    empty = SubmitPreviewDialog(None, model, plan_for(changes), [], ())
    qtbot.addWidget(empty)
    assert empty.findChild(QLabel, "summary").text().startswith("Nothing to send")
    assert not empty.submit_button.isEnabled()
    assert empty.triggers == ()

    rid = free_rows(changes)[0]
    model.apply_changes([CellChange(rid, "City", value="Mine")], "Edit")
    client.update("Leads", [{"id": rid, "City": "Theirs"}])
    conflicts = find_conflicts(changes, client.fetch("Leads", [rid], ["City", "Modified_Time"]))
    dialog = SubmitPreviewDialog(None, model, plan_for(changes), conflicts, ("workflow",), skip_small=True,
                                 small_submit=5)
    qtbot.addWidget(dialog)
    assert "up to 5 records" in dialog._small.text() and dialog.skip_preview_small
    assert not dialog.submit_button.isEnabled()  # skipping the only record leaves nothing to send
    dialog._overwrite.click()
    assert dialog.submit_button.isEnabled()
    dialog.reject()
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_a_preview_of_twelve_thousand_cells_opens_quickly(open_module, qtbot):
    model = open_module("Leads").model
    changes = model.changes
    free = free_rows(changes)
    model.apply_changes([CellChange(rid, "City", value=f"C{n}") for n, rid in enumerate(free)], "Paste")
    edits = {e.record_id: e for e in changes.pending()}
    # A plan the size of a big paste: many calls over the loaded records (the view must not care).
    sent = tuple((rid, (edits[rid],)) for rid in free)
    calls = tuple(UpdateCall((), sent) for _ in range(12_000 // len(free) + 1))
    plan = SubmitPlan("Leads", calls, None)
    started = time.perf_counter()
    dialog = SubmitPreviewDialog(None, model, plan, [], ("workflow",))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.changes_view.scrollToBottom()
    elapsed = time.perf_counter() - started
    assert dialog.changes_model.rowCount() >= 12_000
    assert elapsed < 3.0
    assert summary_text(plan).startswith(f"{plan.record_count:,} records")


def test_small_submits_may_skip_the_preview_only_when_nothing_needs_a_word(open_module, client):
    from gui.widgets.submit_preview import may_skip_preview

    changes = open_module("Leads").model.changes
    free = free_rows(changes)
    changes.apply([CellChange(rid, "City", value="Small") for rid in free[:3]])
    plan = plan_for(changes)
    assert may_skip_preview(plan, [], 0, skip_small=True)
    assert not may_skip_preview(plan, [], 0, skip_small=False)
    assert not may_skip_preview(plan, [], 1, skip_small=True)  # an invalid edit would silently stay behind
    assert not may_skip_preview(plan, [], 0, skip_small=True, small_submit=2)
    client.update("Leads", [{"id": free[0], "City": "Theirs"}])
    conflicts = find_conflicts(changes, client.fetch("Leads", free[:3], ["City", "Modified_Time"]))
    assert conflicts and not may_skip_preview(plan, conflicts, 0, skip_small=True)
    assert not may_skip_preview(plan_for(type(changes)("Leads", changes.fields.values())), [], 0, True)
