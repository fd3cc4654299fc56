"""Bulk work: repeated loaded values stored once, one notification per submit call."""

from __future__ import annotations

import gc

from gui.core.bulk import ValuePool, collector_paused
from gui.core.changeset import CellChange, ChangeSet
from gui.core.meta import FieldMeta
from gui.core.outcomes import apply_results
from gui.core.planner import plan_submit
from gui.core.results import Record, RecordError, RecordResult


def loaded(n: int) -> list[dict]:
    # Built the way a JSON reply builds them: equal values, separate objects.
    return [{"City": "".join(["Ber", "lin"]), "Owner": {"id": "42", "name": "Ava Smith"},
             "Languages": ["English", "German"], "Employees": 10, "Score": 10.0, "Email": f"p{i}@example.org",
             "Files": [{"id": "f1"}]} for i in range(n)]


def test_repeated_values_are_stored_once_and_stay_equal():
    pool = ValuePool()
    rows = loaded(3)
    originals = [dict(r) for r in rows]
    for row in rows:
        pool.share(row)
    assert rows == originals  # nothing a reader sees changes
    assert rows[0]["City"] is rows[1]["City"] is rows[2]["City"]
    assert rows[0]["Owner"] is rows[2]["Owner"] and rows[0]["Languages"] is rows[2]["Languages"]
    assert rows[0]["Files"] is not rows[1]["Files"]  # nested dicts are left alone


def test_numbers_are_never_pooled_across_types():
    pool = ValuePool()
    rows = [{"A": 1, "B": [1]}, {"A": 1.0, "B": [True]}]
    for row in rows:
        pool.share(row)
    assert type(rows[1]["A"]) is float and rows[1]["B"][0] is True


def test_a_field_with_too_many_distinct_values_stops_being_pooled():
    pool = ValuePool(limit=10)
    rows = loaded(50)
    for row in rows:
        pool.share(row)
    assert len({id(r["Email"]) for r in rows}) == 50
    assert rows[0]["City"] is rows[49]["City"]  # the other fields go on being pooled


def test_the_collector_is_paused_only_inside_and_nesting_is_fine():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_call_answered_tells_the_listeners_once_with_every_cell():
    fields = [FieldMeta("Last_Name", "Last Name", "text")]
    changes = ChangeSet("Leads", fields)
    changes.add_records(Record(str(1000 + i), {"Last_Name": f"N{i}"}) for i in range(100))
    changes.apply([CellChange(str(1000 + i), "Last_Name", value=f"M{i}") for i in range(100)])
    heard: list[list] = []
    changes.listeners.append(heard.append)
    [call] = plan_submit("Leads", changes.pending(), changes.records, changes.fields, trigger=[]).calls
    results = [RecordResult(rid, None if n % 10 else RecordError("INVALID_DATA", "bad", "Last_Name"))
               for n, rid in enumerate(call.record_ids)]

    outcome = apply_results(changes, call, results)

    assert len(outcome.updated) == 90 and len(changes.pending()) == 10
    assert len(heard) == 1 and {rid for rid, _ in heard[0]} == set(outcome.updated)  # the cells that went clean
