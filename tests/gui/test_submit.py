"""Submitting from the editor: live results on the right cells, cancel, retry, sign-in loss."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt

from gui.core.changeset import CellChange
from gui.qt import roles
from gui.qt.roles import Role
from gui.qt.submit_session import SubmitController


def _submit(qtbot, controller, skip_conflicts=True, trigger=None, record_ids=None):
    with qtbot.waitSignal(controller.prepared, timeout=20_000) as prepared:
        controller.prepare(record_ids)
    prep = prepared.args[0]
    plan = prep.plan(controller.session.module, controller.session, skip_conflicts, trigger)
    with qtbot.waitSignal(controller.finished, timeout=30_000) as finished:
        controller.start(plan, prep.conflicts)
    return finished.args[0]


def _unblock(session, rid):
    """Pretend the table did not know the record is blocked, so the server is the one to refuse."""
    session.changes.records[rid] = replace(session.changes.records[rid], approved=True, locked=False, editable=True)


def test_mixed_submit_leaves_exactly_the_right_cells_clean_and_red(open_module, qtbot):
    session = open_module("Leads")
    model = session.model
    changes = session.changes
    ids = list(changes.order)
    blocked = [rid for rid in ids if not changes.records[rid].approved]
    locked = [rid for rid in ids if changes.records[rid].locked]
    normal = [rid for rid in ids if rid not in blocked and rid not in locked and changes.records[rid].editable]
    not_approved, locked_one = blocked[0], locked[0]
    for rid in (not_approved, locked_one):
        _unblock(session, rid)
    good = normal[:5]
    dup_a, dup_b = normal[5], normal[6]
    bad_lookup = normal[7]
    edits = [CellChange(rid, "Designation", value=f"Chief {n}", text=f"Chief {n}") for n, rid in enumerate(good)]
    edits += [CellChange(not_approved, "Designation", value="Boss", text="Boss"),
              CellChange(locked_one, "Designation", value="Boss", text="Boss"),
              CellChange(dup_a, "Email", value=changes.original(dup_b, "Email"), text="dup")]
    model.apply_changes(edits, "Test edits")
    email_col = model.column_of("Email")
    model.setData(model.index(model.row_of(bad_lookup), model.column_of("Annual_Revenue")), "lots")
    assert model.data(model.index(model.row_of(bad_lookup), model.column_of("Annual_Revenue")), Role.EDIT).invalid

    controller = SubmitController(session)
    outcome = _submit(qtbot, controller)

    assert outcome.updated == 5 and outcome.failed == 3
    for rid in good:
        assert changes.record_edits(rid) == []
        assert model.data(model.index(model.row_of(rid), 0)) == "updated"
        assert changes.original(rid, "Designation").startswith("Chief")
    for rid, code in ((not_approved, "NOT_APPROVED"), (locked_one, "RECORD_LOCKED")):
        row = model.row_of(rid)
        assert model.data(model.index(row, 0)) == "failed"
        title = model.index(row, model.column_of("Designation"))
        assert model.data(title, Role.EDIT) is not None  # the edit is kept
        assert model.data(title, Qt.ItemDataRole.BackgroundRole) == roles.FAILED
        assert code in model.data(title, Qt.ItemDataRole.ToolTipRole)
    dup = model.index(model.row_of(dup_a), email_col)
    assert model.data(dup, Role.ERROR).code == "DUPLICATE_DATA"
    assert model.data(dup, Qt.ItemDataRole.BackgroundRole) == roles.FAILED
    assert "already has this" in model.data(dup, Qt.ItemDataRole.ToolTipRole)
    # The invalid cell was never sent and is still marked invalid.
    revenue = model.index(model.row_of(bad_lookup), model.column_of("Annual_Revenue"))
    assert model.data(revenue, Qt.ItemDataRole.BackgroundRole) == roles.INVALID
    assert {line.record_id for line in controller.results if not line.ok} == {not_approved, locked_one, dup_a}


def test_retry_failed_sends_only_the_failed_records(open_module, qtbot, demo):
    session = open_module("Leads")
    model, changes = session.model, session.changes
    normal = [rid for rid in changes.order if changes.records[rid].approved and not changes.records[rid].locked
              and changes.records[rid].editable]
    dup_a, dup_b = normal[0], normal[1]
    model.apply_changes([CellChange(dup_a, "Email", value=changes.original(dup_b, "Email"), text="x"),
                         CellChange(normal[2], "Designation", value="Ok", text="Ok")], "edits")
    controller = SubmitController(session)
    first = _submit(qtbot, controller)
    assert (first.updated, first.failed) == (1, 1)
    # The user fixes the failed cell, then retries only the failed records.
    model.setData(model.index(model.row_of(dup_a), model.column_of("Email")), "unique.one@example.com")
    model.setData(model.index(model.row_of(normal[3]), model.column_of("Designation")), "Not retried")
    second = _submit(qtbot, controller, record_ids=set(first.failed_ids))
    assert (second.updated, second.failed) == (1, 0)
    assert changes.original(dup_a, "Email") == "unique.one@example.com"
    assert changes.edit(normal[3], "Designation") is not None  # not part of the retry


def test_cancel_keeps_unsent_edits_pending(client, qtbot, demo, open_module):
    session = open_module("Leads")
    demo.sandbox.app.config = replace(demo.sandbox.app.config, latency_ms=100)  # calls take a while from now on
    model, changes = session.model, session.changes
    editable = [rid for rid in changes.order if changes.records[rid].approved and not changes.records[rid].locked
                and changes.records[rid].editable]
    model.apply_changes([CellChange(rid, "Designation", value=f"T{n}", text=f"T{n}") for n, rid in enumerate(editable)],
                        "edits")
    controller = SubmitController(session)
    with qtbot.waitSignal(controller.prepared, timeout=20_000) as prepared:
        controller.prepare()
    plan = prepared.args[0].plan("Leads", session, True, None)
    # One record per call, so that cancel finds calls still waiting.
    from gui.core.planner import SubmitPlan, UpdateCall
    plan = SubmitPlan(plan.module, tuple(UpdateCall((body,), (sent,)) for call in plan.calls
                                         for body, sent in zip(call.records, call.sent)), None)
    with qtbot.waitSignal(controller.finished, timeout=30_000) as finished:
        controller.start(plan)
        qtbot.waitUntil(lambda: controller._answered >= 1, timeout=10_000)
        controller.cancel()
    outcome = finished.args[0]
    assert outcome.cancelled
    assert outcome.not_sent > 0
    pending = {e.record_id for e in changes.pending()}
    assert len(pending) == outcome.not_sent + outcome.failed
    assert not changes.sending
    assert all(not changes.errors.get(rid) for rid in pending)  # unsent rows are pending, not red

