"""The errors panel over real refusals from the sandbox, and the CSV exports."""

from __future__ import annotations

import csv
import threading
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from gui.client.submit import run_plan
from gui.core.changeset import CellChange
from gui.core.export import FORMULA_STARTS
from gui.core.outcomes import apply_results
from gui.core.planner import plan_submit
from gui.core.results import RecordError, RecordResult
from gui.core.wording import describe
from gui.qt.exports import ResultRow, export_errors_csv, export_results_csv, rows_from_results
from gui.widgets.errors_panel import CODE, FIELD, MESSAGE, OTHER, ROW, ErrorsPanel


def free_rows(changes):
    return [rid for rid in changes.order if changes.records[rid].approved and not changes.records[rid].locked
            and changes.records[rid].editable]


def submit(client, changes):
    """Send the pending edits; results arrive on worker threads and are applied here afterwards."""
    plan = plan_submit(changes.module, changes.pending(), changes.records, changes.fields)
    answered, lock = [], threading.Lock()

    def on_call(call, results):
        with lock:
            answered.append((call, results))

    run_plan(client, plan, on_call)
    for call, results in answered:
        apply_results(changes, call, results)
    return answered


def lines_by_code(panel):
    return {line.code: (n, line) for n, line in enumerate(panel.lines.lines)}


def click(qtbot, panel, row, column):
    view = panel.view
    rect = view.visualRect(panel.lines.index(row, column))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.fixture
def failed(open_module, client):
    """A Leads table after a real submit that Zoho refused in every way the sandbox can."""
    session = open_module("Leads")
    model = session.model
    changes = model.changes
    free = free_rows(changes)
    held = next(rid for rid in changes.order if not changes.records[rid].approved)
    locked = next(rid for rid in changes.order if changes.records[rid].locked and changes.records[rid].approved)
    # Rows that were fine when loaded and got held or locked since (the editor refuses known ones).
    changes.records[held] = replace(changes.records[held], approved=True)
    changes.records[locked] = replace(changes.records[locked], locked=False)
    model.apply_changes([CellChange(held, "City", value="Elsewhere"), CellChange(locked, "City", value="Lyon"),
                         CellChange(free[0], "Email", value=changes.original(free[1], "Email")),
                         CellChange(free[2], "Last_Name", value="x" * 81),
                         CellChange(free[3], "Last_Name", value=None),
                         CellChange(free[4], "City", value="Fine")], "Edits")
    answered = submit(client, changes)
    ids = dict(held=held, locked=locked, dup=free[0], other=free[1], long=free[2], empty=free[3], ok=free[4])
    return model, ids, answered


def test_each_refusal_is_one_worded_line_that_jumps_to_its_cell(failed, qtbot):
    model, ids, _ = failed
    changes = model.changes
    panel = ErrorsPanel(None)
    qtbot.addWidget(panel)
    panel.set_model(model)
    panel.show()
    QAbstractItemModelTester(panel.lines, QAbstractItemModelTester.FailureReportingMode.Fatal)
    lines = panel.lines
    by_record = {line.record_id: (n, line) for n, line in enumerate(lines.lines)}
    assert set(by_record) == {ids["held"], ids["locked"], ids["dup"], ids["long"], ids["empty"]}

    def label(api):
        return changes.fields[api].label

    expected = {"held": ("NOT_APPROVED", None), "locked": ("RECORD_LOCKED", None), "dup": ("DUPLICATE_DATA", "Email"),
                "long": ("INVALID_DATA", "Last_Name"), "empty": ("MANDATORY_NOT_FOUND", "Last_Name")}
    for key, (code, api) in expected.items():
        row, line = by_record[ids[key]]
        error = changes.error_for(ids[key], api)
        assert error is not None and error.code == code
        assert lines.data(lines.index(row, CODE)) == code
        assert lines.data(lines.index(row, MESSAGE)) == describe(error, label)
        assert lines.data(lines.index(row, FIELD)) == (label(api) if api else "whole record")
        name = model.changes.original(ids[key], model.columns[0].api_name)
        assert lines.data(lines.index(row, ROW)) == name
    assert "waiting for approval" in by_record[ids["held"]][1].message
    assert "locked" in by_record[ids["locked"]][1].message
    assert panel.summary.text().startswith("5 records failed")

    row, dup = by_record[ids["dup"]]
    assert dup.other_id == ids["other"]
    assert ids["other"] in dup.message
    assert lines.data(lines.index(row, OTHER)).startswith("Go to ")
    with qtbot.waitSignal(panel.jumpTo) as jumped:
        click(qtbot, panel, row, ROW)
    assert jumped.args == [ids["dup"], "Email"]
    with qtbot.waitSignal(panel.jumpTo) as jumped:
        click(qtbot, panel, row, OTHER)
    assert jumped.args == [ids["other"], None]
    held_row = by_record[ids["held"]][0]
    with qtbot.waitSignal(panel.jumpTo) as jumped:
        click(qtbot, panel, held_row, MESSAGE)
    assert jumped.args == [ids["held"], None]
    panel.view.setCurrentIndex(lines.index(by_record[ids["long"]][0], 0))
    with qtbot.waitSignal(panel.jumpTo) as jumped:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert jumped.args == [ids["long"], "Last_Name"]

    # Fixing a cell clears its error; the panel follows the model's edits by itself.
    model.apply_changes([CellChange(ids["long"], "Last_Name", value="Short")], "Fix")
    qtbot.waitUntil(lambda: ids["long"] not in {line.record_id for line in panel.lines.lines}, timeout=2000)


def test_a_duplicate_of_a_record_not_loaded_says_so(failed, qtbot):
    model, ids, _ = failed
    error = RecordError("DUPLICATE_DATA", "duplicate data", "Email", details={"duplicate_record": {"id": "999"}})
    model.changes.fail(ids["ok"], ["Email"], error)
    panel = ErrorsPanel(None)
    qtbot.addWidget(panel)
    panel.set_model(model)
    panel.show()
    row, line = next((n, x) for n, x in enumerate(panel.lines.lines) if x.record_id == ids["ok"])
    assert line.other_id == "999" and "not loaded" in panel.lines.data(panel.lines.index(row, OTHER))
    with qtbot.assertNotEmitted(panel.jumpTo), qtbot.waitSignal(panel.message) as said:
        click(qtbot, panel, row, OTHER)
    assert "999" in said.args[0]


def test_call_errors_are_grouped_and_unfold(open_module, client, demo, qtbot):
    model = open_module("Leads").model
    changes = model.changes
    free = free_rows(changes)[:6]
    model.apply_changes([CellChange(rid, "City", value=f"Town {n}") for n, rid in enumerate(free)], "Paste")
    demo.sandbox.app.oauth.revoke(demo.sandbox.config.refresh_token)  # the sign-in is gone
    submit(client, changes)
    assert all(changes.error_for(rid, None).top_level for rid in free)
    changes.fail(free[0], ["Photos"], RecordError("LIMIT_EXCEEDED", "too many images", "Photos",
                                                  details={"limit": 10}))
    panel = ErrorsPanel(None)
    qtbot.addWidget(panel)
    panel.set_model(model)
    panel.show()
    lines = panel.lines
    assert lines.rowCount() == 2
    group = lines.lines[0]
    assert group.group and len(group.members) == 5 and group.code == "SIGN_IN_REQUIRED"
    assert lines.data(lines.index(0, ROW)) == "▸ 5 records"
    assert "sign-in has expired" in lines.data(lines.index(0, MESSAGE))
    limit = lines.lines[1]
    assert limit.code == "LIMIT_EXCEEDED" and limit.field == "Photos" and "at most 10" in limit.message
    with qtbot.assertNotEmitted(panel.jumpTo):
        click(qtbot, panel, 0, ROW)
    assert lines.rowCount() == 7 and lines.data(lines.index(0, ROW)) == "▾ 5 records"
    child = lines.lines[3]
    assert child.child
    with qtbot.waitSignal(panel.jumpTo) as jumped:
        click(qtbot, panel, 3, ROW)
    assert jumped.args == [child.record_id, None]
    panel.refresh()  # a refresh keeps the group unfolded
    assert lines.rowCount() == 7
    click(qtbot, panel, 0, ROW)
    assert lines.rowCount() == 2


def test_only_failed_drives_the_table_filter(failed, qtbot):
    model, ids, _ = failed
    model.conflicts[ids["ok"]] = "Changed in Zoho since you loaded it; your edits were held back."
    panel = ErrorsPanel(None)
    qtbot.addWidget(panel)
    panel.set_model(model)
    panel.onlyFailedToggled.connect(model.set_only_errors)
    assert any(line.code == "CONFLICT" for line in panel.lines.lines)
    assert "1 held back" in panel.summary.text()
    with qtbot.waitSignal(panel.onlyFailedToggled) as toggled:
        panel.only_failed.click()
    assert toggled.args == [True]
    assert model.rowCount() == 6
    with qtbot.assertNotEmitted(panel.onlyFailedToggled):
        panel.set_only_failed(False)
    assert not panel.only_failed.isChecked()


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_exports_neutralise_formulas(failed, tmp_path, qtbot):
    model, ids, answered = failed
    changes = model.changes
    name_field = model.columns[0].api_name
    record = changes.records[ids["held"]]
    changes.records[ids["held"]] = replace(record, values={**record.values, name_field: "=HYPERLINK(\"x\")"})
    changes.fail(ids["ok"], ["City"], RecordError("INVALID_DATA", "+cmd|' /C calc'!A0", "City"))
    path = tmp_path / "errors.csv"
    assert export_errors_csv(path, model) == 6
    rows = read_csv(path)
    assert rows[0][:6] == ["Record id", "Record", "Field", "Field API name", "Code", "Message"]
    assert not any(cell.startswith(FORMULA_STARTS) for row in rows for cell in row)
    assert ["'=HYPERLINK(\"x\")", "NOT_APPROVED"] == [rows[1 + [r[0] for r in rows[1:]].index(ids["held"])][i]
                                                     for i in (1, 4)]
    dup = next(r for r in rows if r[4] == "DUPLICATE_DATA")
    assert dup[7] == ids["other"] and dup[2] == "Email"
    assert any(r[6] == "'+cmd|' /C calc'!A0" for r in rows)

    results = [row for call, res in answered for row in rows_from_results(call, res)]
    assert {r.ok for r in results} == {True, False} and any(r.code == "DUPLICATE_DATA" for r in results)
    nasty = [ResultRow("1", False, "X", None, start + "1+1") for start in FORMULA_STARTS]
    out = tmp_path / "results.csv"
    assert export_results_csv(out, results + nasty, model) == len(results) + len(nasty)
    written = read_csv(out)
    assert written[0] == ["Record id", "Record", "Result", "Field", "Field API name", "Code", "Message"]
    assert [r[6] for r in written[-len(nasty):]] == ["'" + s + "1+1" for s in FORMULA_STARTS]
    assert not any(cell.startswith(FORMULA_STARTS) for row in written for cell in row)
    ok = next(r for r in written if r[0] == ids["ok"])
    assert ok[2] == "updated"


def test_export_buttons_write_the_files(failed, tmp_path, qtbot, monkeypatch):
    model, _ids, answered = failed
    panel = ErrorsPanel(None)
    qtbot.addWidget(panel)
    panel.set_model(model)
    assert panel.export_errors.isEnabled() and not panel.export_results.isEnabled()
    panel.set_results([row for call, res in answered for row in rows_from_results(call, res)])
    assert panel.export_results.isEnabled()
    target = tmp_path / "out.csv"
    monkeypatch.setattr(panel, "ask_path", lambda title, name: str(target))
    with qtbot.waitSignal(panel.message) as said:
        panel.export_errors.click()
    assert "5 error lines" in said.args[0] and len(read_csv(target)) == 6
    with qtbot.waitSignal(panel.message) as said:
        panel.export_results.click()
    assert "6 records" in said.args[0] and len(read_csv(target)) == 7
    panel.set_model(None)
    assert not panel.export_errors.isEnabled() and panel.lines.rowCount() == 0


def test_results_rows_come_from_a_calls_answer():
    from gui.core.changeset import Edit
    from gui.core.planner import UpdateCall

    call = UpdateCall(({"id": "1"}, {"id": "2"}), (("1", (Edit("1", "City"),)), ("2", (Edit("2", "Email"),))))
    rows = rows_from_results(call, [RecordResult("1"), RecordResult("2", RecordError("DUPLICATE_DATA", "dup", "Email",
                                                                                   details={"id": "7"}))],
                             lambda api: {"Email": "E-mail"}[api])
    assert rows[0] == ResultRow("1", True, None, None, "Updated")
    assert rows[1].ok is False and rows[1].code == "DUPLICATE_DATA" and rows[1].api_name == "Email"
    assert "E-mail" in rows[1].message and "7" in rows[1].message
