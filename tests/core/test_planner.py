"""The submit planner: fewest calls, limits, one call per record, exactly the pending edits."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gui.core.changeset import APPEND, CellChange, ChangeSet, resulting_value
from gui.core.meta import FieldMeta
from gui.core.planner import MassUpdateCall, UpdateCall, plan_submit
from gui.core.results import Record

FIELDS = {f.api_name: f for f in [
    FieldMeta("Last_Name", "Last Name", "text"),
    FieldMeta("Lead_Status", "Lead Status", "picklist"),
    FieldMeta("Email", "Email", "email", unique=True, mass_update=False),
    FieldMeta("Languages", "Languages", "multiselectpicklist"),
    FieldMeta("Score", "Score", "double"),
]}
STATUSES = ["Contacted", "Junk Lead", "Lost Lead"]
LANGS = ["English", "French", "German"]


def changeset(n: int) -> ChangeSet:
    changes = ChangeSet("Leads", FIELDS.values())
    changes.add_records(Record(str(10**18 + i), {"Last_Name": f"N{i}", "Lead_Status": "Not Contacted",
                                                 "Email": f"e{i}@x.example", "Languages": ["English"],
                                                 "Score": 1.0}) for i in range(n))
    return changes


def plan_for(changes: ChangeSet, **kw: Any):
    return plan_submit("Leads", changes.pending(), changes.records, FIELDS, **kw)


def test_ten_thousand_distinct_values_take_the_minimum_of_update_calls():
    changes = changeset(10_000)
    changes.apply([CellChange(rid, "Last_Name", value=f"New{i}") for i, rid in enumerate(changes.order)])
    plan = plan_for(changes)
    assert len(plan.calls) == 100 and not plan.mass_updates
    assert all(len(c.records) == 100 for c in plan.updates)


def test_ten_thousand_same_values_become_twenty_mass_updates():
    changes = changeset(10_000)
    changes.apply([CellChange(rid, "Lead_Status", value="Contacted") for rid in changes.order])
    plan = plan_for(changes)
    assert len(plan.calls) == 20 and len(plan.mass_updates) == 20
    assert all(len(c.sent) == 500 and c.values == {"Lead_Status": "Contacted"} for c in plan.mass_updates)
    assert "20 call(s)" in plan.summary()


def test_fields_refused_by_mass_update_and_small_groups_go_as_updates():
    changes = changeset(300)
    changes.apply([CellChange(rid, "Email", value=f"new{i}@x.example") for i, rid in enumerate(changes.order[:200])])
    changes.apply([CellChange(rid, "Lead_Status", value="Lost Lead") for rid in changes.order[200:230]])
    plan = plan_for(changes)
    assert not plan.mass_updates  # 230 records fit in 3 updates either way
    assert math.ceil(230 / 100) == len(plan.calls)


def test_no_mass_update_switch_and_triggers():
    changes = changeset(600)
    changes.apply([CellChange(rid, "Lead_Status", value="Contacted") for rid in changes.order])
    plan = plan_for(changes, use_mass_update=False, trigger=[])
    assert len(plan.updates) == 6 and plan.trigger == ()


def test_multiselect_append_goes_with_append_values_or_as_appending_mass_update():
    changes = changeset(3)
    changes.apply([CellChange(changes.order[0], "Languages", kind=APPEND, value=["German"])])
    body = plan_for(changes).updates[0].records[0]
    assert body["Languages"] == ["German"] and body["$append_values"] == {"Languages": True}
    many = changeset(1200)
    many.apply([CellChange(rid, "Languages", kind=APPEND, value=["German"]) for rid in many.order])
    plan = plan_for(many)
    assert plan.mass_updates and all(c.over_write is False for c in plan.mass_updates)


edit_strategy = st.lists(st.tuples(
    st.integers(min_value=0, max_value=799),
    st.sampled_from(["Last_Name", "Lead_Status", "Email", "Languages", "Score"]),
    st.integers(min_value=0, max_value=2),
    st.booleans()), max_size=900)


def simulate(changes: ChangeSet, plan) -> dict[str, dict[str, Any]]:
    """What the server would hold after the plan's calls, from the loaded values."""
    state = {rid: dict(rec.values) for rid, rec in changes.records.items()}
    for call in plan.calls:
        if isinstance(call, UpdateCall):
            for body in call.records:
                appends = body.get("$append_values", {})
                for key, value in body.items():
                    if key in ("id", "$append_values"):
                        continue
                    current = state[body["id"]].get(key) or []
                    state[body["id"]][key] = current + [v for v in value if v not in current] \
                        if appends.get(key) else value
        else:
            assert isinstance(call, MassUpdateCall)
            for rid in call.record_ids:
                for key, value in call.values.items():
                    if FIELDS[key].data_type == "multiselectpicklist" and not call.over_write:
                        current = state[rid].get(key) or []
                        state[rid][key] = current + [v for v in value if v not in current]
                    else:
                        state[rid][key] = value
    return state


@settings(max_examples=60, deadline=None)
@given(edit_strategy)
def test_the_plan_applies_exactly_the_pending_edits(raw_edits):
    changes = changeset(800)
    cells = []
    for index, api, choice, append in raw_edits:
        rid = changes.order[index]
        if api == "Languages":
            cells.append(CellChange(rid, api, kind=APPEND if append else "set", value=[LANGS[choice]]))
        elif api == "Lead_Status":
            cells.append(CellChange(rid, api, value=STATUSES[choice]))
        elif api == "Score":
            cells.append(CellChange(rid, api, value=float(choice)))
        else:
            cells.append(CellChange(rid, api, value=f"{api}-{choice}-{index % 3}"))
    changes.apply(cells)
    plan = plan_for(changes)
    seen = [rid for call in plan.calls for rid in call.record_ids]
    assert len(seen) == len(set(seen)) == len(changes.edited_records())  # one call per record
    assert all(len(c.sent) <= (100 if isinstance(c, UpdateCall) else 500) for c in plan.calls)
    assert all(len(c.values) == 1 for c in plan.mass_updates)
    assert all(FIELDS[k].mass_update for c in plan.mass_updates for k in c.values)
    state = simulate(changes, plan)
    for rid, record in changes.records.items():
        for api in FIELDS:
            edit = changes.edit(rid, api)
            expected = record.values.get(api) if edit is None else resulting_value(edit, record.values.get(api))
            assert state[rid].get(api) == expected, (rid, api)
    if plan.calls:  # never more calls than plain updates would need
        assert len(plan.calls) <= math.ceil(len(changes.edited_records()) / 100)
