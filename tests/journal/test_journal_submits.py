"""Submit progress in the journal: calls planned → sent → answered, results, and history."""

from __future__ import annotations

import threading

import pytest
from journal_helpers import expected_rows, offline_changes, rows_in

from gui.core.changeset import CellChange
from gui.core.outcomes import apply_results
from gui.core.planner import MassUpdateCall, UpdateCall, plan_submit
from gui.core.results import RecordError, RecordResult
from gui.services.journal import Journal

T = "2026-03-01T12:00:00+00:00"


@pytest.fixture
def journal(tmp_path):
    ticks = iter(range(1_700_000_000, 1_800_000_000))
    with Journal(tmp_path / "journal.sqlite3", clock=lambda: float(next(ticks))) as journal:
        yield journal


def staged(journal, n=250):
    changes = offline_changes(n)
    session = journal.session("p", "Leads")
    session.attach(changes)
    ids = changes.order
    changes.apply([CellChange(rid, "Lead_Status", value="Junk Lead") for rid in ids[:150]]
                  + [CellChange(rid, "City", value=f"City {rid}") for rid in ids[150:]]
                  + [CellChange(ids[0], "No_of_Employees", text="lots", invalid="not a number")])
    plan = plan_submit("Leads", changes.pending(), changes.records, changes.fields, trigger=["workflow"])
    return changes, session, plan


def answer(call, failing=()):
    return [RecordResult(rid, RecordError("NOT_APPROVED", "record not approved") if rid in failing else None, T)
            for rid in call.record_ids]


def test_a_submit_is_recorded_call_by_call_and_confirmed_edits_leave_the_journal(journal):
    changes, session, plan = staged(journal)
    mass, update = plan.calls
    assert isinstance(mass, MassUpdateCall) and isinstance(update, UpdateCall)
    submit_id = session.begin_submit(plan)
    [progress] = session.unfinished_submits()
    assert progress.submit_id == submit_id and len(progress.unsent) == 250 and not progress.unanswered
    assert [(h.state, h.trigger, h.records, h.calls) for h in journal.history()] == [("running", ("workflow",), 250, 2)]

    session.call_sent(submit_id, 1)
    in_flight = update.record_ids[0]
    changes.apply([CellChange(in_flight, "City", value="changed while sending")])
    session.call_answered(submit_id, 1, update, answer(update, failing={update.record_ids[1]}))
    # Before the window applies the results: confirmed edits are already gone from the file,
    # except the one changed while the call was in flight and the refused record's.
    left = {k for k in rows_in(journal.path) if k[1] == "City"}
    assert left == {(in_flight, "City"), (update.record_ids[1], "City")}
    apply_results(changes, update, answer(update, failing={update.record_ids[1]}))
    assert rows_in(journal.path) == expected_rows(changes)
    assert changes.edit(in_flight, "City").value == "changed while sending"

    [progress] = session.unfinished_submits()
    assert set(progress.confirmed) == set(update.record_ids) - {update.record_ids[1]}
    assert progress.failed == (update.record_ids[1],)
    assert not progress.unanswered and set(progress.unsent) == set(mass.record_ids)
    session.call_sent(submit_id, 0)
    assert set(session.unfinished_submits()[0].unanswered) == set(mass.record_ids)

    session.finish_submit(submit_id, cancelled=True)  # the mass update's answer never came: cancelled
    assert session.unfinished_submits() == []
    [entry] = journal.history("p", "Leads")
    assert (entry.state, entry.updated, entry.failed) == ("cancelled", 99, 1)
    assert entry.finished is not None and entry.finished > entry.started
    assert "250 record(s) in 2 call(s)" in entry.summary
    assert journal.history("someone else") == []


def test_history_keeps_old_and_new_values_and_each_answer(journal):
    changes, session, plan = staged(journal)
    mass, update = plan.calls
    first = mass.record_ids[0]
    submit_id = session.begin_submit(plan)
    for index, call in enumerate(plan.calls):
        session.call_sent(submit_id, index)
        session.call_answered(submit_id, index, call, answer(call, failing={first}))
        apply_results(changes, call, answer(call, failing={first}))
    session.finish_submit(submit_id, cancelled=False)
    records = {h.record_id: h for h in journal.submit_records(submit_id)}
    assert len(records) == 250
    done = records[update.record_ids[0]]
    assert done.old_values == {"City": "Pune"} and done.new_values == {"City": f"City {update.record_ids[0]}"}
    assert done.result is not None and done.result.ok and done.result.modified_time == T
    assert [e.api_name for e in done.edits] == ["City"]
    refused = records[first]
    assert refused.old_values == {"Lead_Status": "Contacted"} and refused.new_values == {"Lead_Status": "Junk Lead"}
    assert refused.result is not None and refused.result.error == RecordError("NOT_APPROVED", "record not approved")
    assert journal.history()[0].state == "finished"
    assert set(rows_in(journal.path)) == {(first, "Lead_Status"), (changes.order[0], "No_of_Employees")}


def test_an_interrupted_submit_can_be_closed_and_shows_as_interrupted(journal):
    _, session, plan = staged(journal)
    submit_id = session.begin_submit(plan)
    session.abandon_submit(submit_id)
    session.finish_submit(submit_id, cancelled=False)  # too late: it stays interrupted
    assert session.unfinished_submits() == [] and journal.history()[0].state == "interrupted"


def test_a_plan_of_another_module_is_refused(journal):
    _, session, plan = staged(journal)
    other = journal.session("p", "Contacts")
    with pytest.raises(ValueError, match="Contacts"):
        other.begin_submit(plan)


def test_results_from_many_worker_threads_while_the_user_keeps_editing(journal):
    changes = offline_changes(1000)
    session = journal.session("p", "Leads")
    session.attach(changes)
    ids = changes.order
    changes.apply([CellChange(rid, "City", value=f"C{rid}") for rid in ids[:900]])
    plan = plan_submit("Leads", changes.pending(), changes.records, changes.fields)
    assert len(plan.calls) == 9
    submit_id = session.begin_submit(plan)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(index, call):
        try:
            session.call_sent(submit_id, index)
            results = answer(call)
            session.call_answered(submit_id, index, call, results)
            with lock:
                apply_results(changes, call, results)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(plan.calls)]
    for t in threads:
        t.start()
    for rid in ids[900:]:
        with lock:
            changes.apply([CellChange(rid, "Last_Name", value="typed meanwhile")])
    for t in threads:
        t.join()
    assert errors == []
    session.finish_submit(submit_id, cancelled=False)
    assert rows_in(journal.path) == expected_rows(changes)
    assert {k[0] for k in rows_in(journal.path)} == set(ids[900:])
    entry = journal.history()[0]
    assert (entry.state, entry.updated, entry.failed) == ("finished", 900, 0)
