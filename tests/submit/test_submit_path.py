"""The whole path without a window: load → edit → plan → send → results in the change set."""

from __future__ import annotations

import json
import threading

import pytest

from gui.client.signin import SignIn
from gui.client.submit import run_plan
from gui.core.changeset import APPEND, CellChange, ChangeSet
from gui.core.outcomes import apply_results
from gui.core.planner import plan_submit
from gui.core.profile import Profile, StoredSecrets
from gui.core.wording import describe
from gui.sandbox import SandboxServer
from gui.services.secrets import SessionSecretStore


@pytest.fixture
def org(tmp_path):
    log = tmp_path / "requests.jsonl"
    with SandboxServer(records=300, log_file=log) as server:
        secrets = SessionSecretStore()
        profile = Profile("t", "custom", "demo-client", api_base=server.api_url, accounts_base=server.accounts_url)
        secrets.save("t", StoredSecrets("demo-secret", "demo-refresh-token"))
        with SignIn(secrets).open(profile) as client:
            yield server, client, log


def load(client, module: str) -> ChangeSet:
    fields = client.fields(module)
    changes = ChangeSet(module, fields)
    client.load(module, [f.api_name for f in fields], lambda page: changes.add_records(page.records))
    return changes


def calls_in(log, kind: str) -> int:
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    if kind == "mass":
        return sum(1 for e in lines if e["path"].endswith("/actions/mass_update") and e["method"] == "POST")
    return sum(1 for e in lines if e["method"] == "PUT")


def submit(client, changes: ChangeSet, **kw):
    plan = plan_submit(changes.module, changes.pending(), changes.records, changes.fields, **kw)
    lock = threading.Lock()

    def on_call(call, results):
        with lock:
            apply_results(changes, call, results)

    return plan, run_plan(client, plan, on_call)


def test_good_and_bad_edits_land_where_they_belong(org):
    server, client, log = org
    changes = load(client, "Leads")
    rows = changes.order
    blocked = {rid for rid in rows if not changes.records[rid].approved or changes.records[rid].locked}
    assert len(blocked) >= 10  # the demo org's held and locked leads, known on load
    free = [rid for rid in rows if rid not in blocked and changes.records[rid].editable]
    taken_email = changes.original(free[1], "Email")
    changes.apply([CellChange(free[0], "Last_Name", value="Updated-0"),
                   CellChange(free[2], "Email", value=taken_email),           # DUPLICATE_DATA
                   CellChange(free[3], "Last_Name", value="x" * 81),           # too long
                   CellChange(free[4], "Languages_Spoken", kind=APPEND, value=["Hindi"]),
                   CellChange(free[5], "No_of_Employees", text="many", invalid="“many” is not a number")])
    plan, totals = submit(client, changes)
    assert totals.calls == 1 and totals.updated == 2 and totals.failed == 2
    assert changes.edit(free[0], "Last_Name") is None
    assert changes.original(free[0], "Last_Name") == "Updated-0"
    assert server.store.get_record("Leads", free[0])["Last_Name"] == "Updated-0"
    assert "Hindi" in server.store.get_record("Leads", free[4])["Languages_Spoken"]
    dup = changes.error_for(free[2], "Email")
    assert dup is not None and dup.code == "DUPLICATE_DATA"
    assert free[1] in describe(dup, lambda a: changes.fields[a].label)
    assert changes.error_for(free[3], "Last_Name").code == "INVALID_DATA"
    assert changes.edit(free[2], "Email") is not None  # failed edits stay pending
    assert changes.edit(free[5], "No_of_Employees").text == "many"  # invalid ones were never sent
    assert server.store.get_record("Leads", free[5])["No_of_Employees"] != "many"


def test_one_value_for_many_records_goes_as_mass_updates(org):
    server, client, log = org
    changes = load(client, "Leads")
    targets = [rid for rid in changes.order if changes.records[rid].approved and not changes.records[rid].locked
               and changes.records[rid].editable][:260]
    changes.apply([CellChange(rid, "Lead_Status", value="Junk Lead") for rid in targets])
    dirty = len(changes.edited_records())
    assert 200 < dirty < 260  # rows that already said "Junk Lead" are not dirty
    plan, totals = submit(client, changes, trigger=[])
    assert len(plan.mass_updates) == 1 and not plan.updates
    assert calls_in(log, "mass") == 1 and calls_in(log, "put") == 0
    assert totals.updated == dirty and len(changes) == 0
    assert all(server.store.get_record("Leads", rid)["Lead_Status"] == "Junk Lead" for rid in targets)


def test_server_refusals_on_blocked_rows_are_worded_for_people(org):
    server, client, log = org
    changes = load(client, "Leads")
    held = next(rid for rid in changes.order if not changes.records[rid].approved)
    # The editor refuses edits to rows it knows are held, so simulate a row that changed state after loading.
    record = changes.records[held]
    changes.records[held] = type(record)(record.record_id, record.values)
    changes.apply([CellChange(held, "City", value="Elsewhere")])
    submit(client, changes)
    error = changes.error_for(held, None)
    assert error is not None and error.code == "NOT_APPROVED"
    assert "waiting for approval" in describe(error)
