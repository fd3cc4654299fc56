"""History: submits recorded in a journal, the History window, and "Undo this submit"."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from gui.client.submit import run_plan
from gui.core.changeset import APPEND, CellChange
from gui.core.conflicts import find_conflicts
from gui.core.fieldtypes import format_value
from gui.core.outcomes import apply_results
from gui.core.planner import plan_submit
from gui.qt.history_ops import UndoPlan, undo_changes
from gui.services.journal import Journal
from gui.widgets.history_window import HistoryWindow

PROFILE = "Demo sandbox"


@pytest.fixture
def journal(tmp_path):
    with Journal(tmp_path / "j.sqlite3") as opened:
        yield opened


def free_rows(changes):
    return [rid for rid in changes.order if changes.records[rid].approved and not changes.records[rid].locked
            and changes.records[rid].editable]


def submit(client, session, changes, trigger=("workflow",)):
    """What the submit worker does: journal each call as it goes and comes back; apply results here."""
    plan = plan_submit(changes.module, changes.pending(), changes.records, changes.fields, trigger=trigger)
    submit_id = session.begin_submit(plan)
    index = {id(call): n for n, call in enumerate(plan.calls)}
    answered, lock = [], threading.Lock()

    def on_call(call, results):
        session.call_answered(submit_id, index[id(call)], call, results)
        with lock:
            answered.append((call, results))

    run_plan(client, plan, on_call, on_sending=lambda call: session.call_sent(submit_id, index[id(call)]))
    for call, results in answered:
        apply_results(changes, call, results)
    session.finish_submit(submit_id, cancelled=False)
    return submit_id


@pytest.fixture
def submitted(open_module, client, journal):
    """Leads after one submit: three records updated (city, status, languages), one refused."""
    jsession = journal.session(PROFILE, "Leads")
    session = open_module("Leads", journal=jsession)
    model = session.model
    changes = model.changes
    free = free_rows(changes)
    before = {rid: dict(changes.records[rid].values) for rid in free[:4]}
    new_language = next(x for x in ("Korean", "Arabic", "Dutch", "Hindi") if x not in
                        (before[free[2]]["Languages_Spoken"] or []))
    model.apply_changes([CellChange(free[0], "City", value="Reykjavik"),
                         CellChange(free[0], "Lead_Status", value="Contacted"),
                         CellChange(free[1], "City", value="Tromsø"),
                         CellChange(free[2], "Languages_Spoken", kind=APPEND, value=[new_language]),
                         CellChange(free[3], "Email", value=changes.original(free[4], "Email"))], "Edits")
    submit_id = submit(client, jsession, changes)
    assert changes.original(free[0], "City") == "Reykjavik" and changes.error_for(free[3], "Email") is not None
    return model, jsession, submit_id, free, before


def test_undo_stages_the_old_values_of_updated_records(submitted, journal, client):
    model, jsession, submit_id, free, before = submitted
    changes = model.changes
    plan = undo_changes(journal, submit_id, model)
    assert isinstance(plan, UndoPlan) and plan.label == f"Undo submit #{submit_id}"
    assert plan.records == 3 and plan.not_updated == 1 and plan.not_loaded == 0 and plan.changed_since == 0
    staged = {(c.record_id, c.api_name): c for c in plan.changes}
    assert set(staged) == {(free[0], "City"), (free[0], "Lead_Status"), (free[1], "City"),
                           (free[2], "Languages_Spoken")}
    for (rid, api), change in staged.items():
        assert change.kind == "set" and change.value == before[rid][api]
        assert change.text == format_value(changes.fields[api], before[rid][api], model.ctx.locale)
    assert "3 records" in plan.summary() and "1 record(s) the submit did not update" in plan.summary()

    assert model.apply_changes(plan.changes, plan.label) == 4
    assert model.undo_stack.undoText() == plan.label
    assert changes.effective(free[0], "City") == before[free[0]]["City"]
    assert changes.effective(free[2], "Languages_Spoken") == before[free[2]]["Languages_Spoken"]
    model.revert_rows([free[3]])  # leave the refused e-mail out of the undo submit
    # The usual conflict check runs over them before sending: nobody else touched these records.
    edited = sorted({c.record_id for c in plan.changes})
    assert find_conflicts(changes, client.fetch("Leads", edited, ["City", "Modified_Time"])) == []
    second = submit(client, jsession, changes)
    assert changes.original(free[1], "City") == before[free[1]]["City"]
    assert [h.submit_id for h in journal.history(PROFILE, "Leads")] == [second, submit_id]


def test_undo_leaves_alone_what_changed_since_or_is_not_loaded(submitted, journal):
    model, _jsession, submit_id, free, _before = submitted
    changes = model.changes
    # Someone set free[1]'s city again after the submit (seen on a reload) and free[0] left the table.
    record = changes.records[free[1]]
    changes.records[free[1]] = replace(record, values={**record.values, "City": "Bergen"})
    model.remove_records([free[0]])
    plan = undo_changes(journal, submit_id, model)
    assert [(c.record_id, c.api_name) for c in plan.changes] == [(free[2], "Languages_Spoken")]
    assert plan.not_loaded == 1 and plan.changed_since == 1 and plan.not_updated == 1
    assert "1 record(s) not loaded" in plan.summary() and "changed again" in plan.summary()


def test_history_window_lists_submits_and_asks_to_undo(submitted, journal, client, qtbot):
    model, jsession, first, free, before = submitted
    changes = model.changes
    model.apply_changes([CellChange(free[5], "Email", value=changes.original(free[6], "Email"))], "Dup")
    model.revert_rows([free[3]])
    failing = submit(client, jsession, changes, trigger=())  # only refusals: nothing to undo
    window = HistoryWindow(None, journal, PROFILE, "Leads", model=model)
    qtbot.addWidget(window)
    window.show()
    submits = window.submits
    QAbstractItemModelTester(submits, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert [e.submit_id for e in window.entries] == [failing, first]  # newest first
    assert [submits.data(submits.index(1, c)) for c in range(1, 6)] == ["Leads", "4", "3", "1", "finished"]
    assert "Triggers: workflow" in submits.data(submits.index(1, 0), Qt.ItemDataRole.ToolTipRole)
    assert "no automations" in submits.data(submits.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert window.selected_submit() == failing and not window.undo_button.isEnabled()
    assert submits.data(submits.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None

    window.submits_view.selectRow(1)
    assert window.selected_submit() == first and window.undo_button.isEnabled()
    records = window.records
    QAbstractItemModelTester(records, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert records.rowCount() == 5  # one line per field sent
    lines = {(records.data(records.index(r, 0)), records.data(records.index(r, 1))): r
             for r in range(records.rowCount())}
    name = format_value(model.columns[0], changes.original(free[1], model.columns[0].api_name), model.ctx.locale)
    row = lines[(name, "City")]
    assert records.data(records.index(row, 2)) == before[free[1]]["City"]
    assert records.data(records.index(row, 3)) == "Tromsø"
    assert records.data(records.index(row, 4)) == "updated"
    refused = next(r for r in range(records.rowCount()) if records.data(records.index(r, 4)) != "updated")
    assert records.data(records.index(refused, 4)) == "failed: DUPLICATE_DATA"
    assert "already has this Email" in records.data(records.index(refused, 4), Qt.ItemDataRole.ToolTipRole)
    assert f"#{first}" in window.detail.text()

    with qtbot.waitSignal(window.undoRequested) as asked:
        qtbot.mouseClick(window.undo_button, Qt.MouseButton.LeftButton)
    assert asked.args == [first]
    window.refresh()
    assert window.selected_submit() == first  # the selection survives a refresh


def test_history_without_a_model_shows_raw_values_of_every_module(submitted, journal, qtbot):
    _model, _jsession, first, free, _before = submitted
    window = HistoryWindow(None, journal, PROFILE, None)
    qtbot.addWidget(window)
    assert "Leads" not in window.windowTitle().split("—")[-1] or window.module is None
    assert [e.submit_id for e in window.entries] == [first]
    rows = {window.records.data(window.records.index(r, 0)) for r in range(window.records.rowCount())}
    assert free[0] in rows  # record ids when names are not known
    empty = HistoryWindow(None, journal, "nobody", None)
    qtbot.addWidget(empty)
    assert not empty.entries and not empty.undo_button.isEnabled() and empty.detail.text() == "No submits yet."
