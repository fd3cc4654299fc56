"""Shared by the journal tests and by crash_child.py (which runs in its own process)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Callable

from gui.client.api import ZohoClient
from gui.client.signin import SignIn
from gui.client.submit import SubmitTotals, run_plan
from gui.core.changeset import CellChange, ChangeSet, Key
from gui.core.journal_format import edit_to_json
from gui.core.meta import FieldMeta
from gui.core.outcomes import apply_results
from gui.core.planner import SubmitPlan
from gui.core.profile import Profile, StoredSecrets
from gui.core.results import Record
from gui.services.journal import JournalSession
from gui.services.secrets import SessionSecretStore

TEXT_FIELDS = ("Company", "Designation", "Street", "City", "State", "Zip_Code", "Country", "Description")
EDITED_RECORDS = 250  # × 8 fields = 2,000 edits


def sign_in(url: str, name: str, concurrency: int | None = None,
            register_secret: Callable[[str], None] = lambda _: None) -> ZohoClient:
    secrets = SessionSecretStore()
    secrets.save(name, StoredSecrets("demo-secret", "demo-refresh-token"))
    profile = Profile(name, "custom", "demo-client", api_base=url, accounts_base=url, concurrency=concurrency)
    return SignIn(secrets, register_secret=register_secret).open(profile)


def load(client: ZohoClient, module: str) -> ChangeSet:
    fields = client.fields(module)
    changes = ChangeSet(module, fields)
    client.load(module, [f.api_name for f in fields], lambda page: changes.add_records(page.records))
    return changes


def intended(changes: ChangeSet) -> dict[Key, str]:
    """The 2,000 cells the crash test edits, and the value each should end up with."""
    free = [rid for rid in changes.order if changes.records[rid].approved and not changes.records[rid].locked
            and changes.records[rid].editable][:EDITED_RECORDS]
    assert len(free) == EDITED_RECORDS
    return {(rid, api): f"{api[:4]}-{rid[-7:]}-journal" for rid in free for api in TEXT_FIELDS}


def as_paste(values: dict[Key, str]) -> list[CellChange]:
    return [CellChange(rid, api, value=value) for (rid, api), value in values.items()]


def submit_with_journal(client: ZohoClient, changes: ChangeSet, session: JournalSession,
                        plan: SubmitPlan) -> tuple[int, SubmitTotals]:
    """What the GUI's worker does: record each call as it goes out and as it is answered."""
    submit_id = session.begin_submit(plan)
    index = {id(call): i for i, call in enumerate(plan.calls)}
    lock = threading.Lock()

    def on_sending(call):
        session.call_sent(submit_id, index[id(call)])

    def on_call(call, results):
        session.call_answered(submit_id, index[id(call)], call, results)
        with lock:
            apply_results(changes, call, results)

    totals = run_plan(client, plan, on_call, on_sending=on_sending)
    session.finish_submit(submit_id, cancelled=False)
    return submit_id, totals


def rows_in(path: Path, session_id: int | None = None) -> dict[Key, str]:
    """The pending edits in the file, read through a connection of its own (as another process would)."""
    with sqlite3.connect(path) as db:
        sql = "SELECT record_id, api_name, payload FROM pending_edits"
        rows = db.execute(sql + ("" if session_id is None else f" WHERE session_id = {int(session_id)}")).fetchall()
    db.close()
    return {(r, a): p for r, a, p in rows}


def expected_rows(changes: ChangeSet) -> dict[Key, str]:
    return {e.key: edit_to_json(e) for e in changes.edits()}


# -- an offline change set --------------------------------------------------------------
OFFLINE_FIELDS = [
    FieldMeta("Last_Name", "Last Name", "text", mandatory=True),
    FieldMeta("City", "City", "text"),
    FieldMeta("Lead_Status", "Lead Status", "picklist"),
    FieldMeta("No_of_Employees", "Employees", "integer"),
    FieldMeta("Languages", "Languages", "multiselectpicklist"),
    FieldMeta("Photos", "Photos", "imageupload", mass_update=False),
    *[FieldMeta(f"Text_{i}", f"Text {i}", "text") for i in range(10)],
]


def offline_changes(n: int = 20, module: str = "Leads") -> ChangeSet:
    changes = ChangeSet(module, OFFLINE_FIELDS)
    changes.add_records(Record(str(1000 + i), {
        "Last_Name": f"Name{i}", "City": "Pune", "Lead_Status": "Contacted", "No_of_Employees": 10,
        "Languages": ["English", "French"], "Photos": [{"id": "p1"}, {"id": "p2"}],
        **{f"Text_{k}": f"t{k}" for k in range(10)}, "Modified_Time": "2026-01-01T00:00:00+00:00"})
        for i in range(n))
    return changes
