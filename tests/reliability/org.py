"""The reliability suite's org and its two submitters.

* :func:`org_template`: 3,200 demo Leads built once (JSON text); :func:`start_org` serves a
  fresh copy of it, in-process, with any sandbox option (faults, latency, token lifetime).
* :func:`five_thousand_edits`: 5,000 edits of 3,000 records, written as a CSV for
  ``zcrm-editor apply`` and kept as an :class:`~scenarios.Intent` for the check: one status
  for 1,000 records (two mass updates), a new city and title for 1,990 records (updates),
  and 10 records given another record's e-mail (Zoho refuses them: DUPLICATE_DATA).
* :func:`run_apply` / :func:`start_apply_process`: the file through ``zcrm-editor apply``, in
  this process or as a process of its own; :func:`read_report` reads its report back.
* :func:`stage` and :func:`submit_with_client`: the same edits made in a change set with the
  journal attached and sent with ``run_plan``, as the editor's submit worker does (without Qt).

Each submitter ends in a :class:`~scenarios.Reported`, for :func:`scenarios.check_outcome`; a
GUI submitter (the Qt worker driven through the window) only has to produce one too.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from gui.apply_cmd import main as apply_main
from gui.client.api import ZohoClient
from gui.client.signin import SignIn
from gui.client.submit import run_plan
from gui.client.transport import RetryPolicy
from gui.core.changeset import CellChange, ChangeSet
from gui.core.outcomes import OUTCOME_UNKNOWN, apply_results
from gui.core.planner import plan_submit
from gui.core.profile import Profile, StoredSecrets
from gui.core.wording import describe
from gui.sandbox import SandboxServer
from gui.sandbox.demo import build_demo
from gui.sandbox.store import Store
from gui.services.journal import JournalSession
from gui.services.secrets import SessionSecretStore

from client.helpers import CLIENT_ID, CLIENT_SECRET, DEMO_REFRESH_TOKEN as REFRESH_TOKEN

from .scenarios import FAILED, UNKNOWN, UPDATED, Intent, Reported

REPO = Path(__file__).resolve().parents[2]
MODULE = "Leads"
RECORDS = 3200
COLUMNS = ("City", "Designation", "Lead_Status", "Email")


# -- the org ---------------------------------------------------------------------------------
def org_template(records: int = RECORDS) -> str:
    """The demo org's Leads as sandbox data (JSON text); other modules left empty."""
    store = Store(lambda: 0.0)
    build_demo(store, records, "demo")
    data = store.to_json()
    data["records"] = {MODULE: data["records"][MODULE]}
    return json.dumps(data)


def start_org(template: str, **options: Any) -> SandboxServer:
    """A running sandbox holding a fresh copy of ``template`` (options: any SandboxConfig field)."""
    server = SandboxServer(seed="none", **options)
    server.store.load_json(json.loads(template))
    return server.start()


def leads_of(template: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in json.loads(template)["records"][MODULE]}


def editable(record: dict[str, Any]) -> bool:
    return record["$approved"] and not record["$locked_for_me"] and record["$editable"]


def five_thousand_edits(template: str, tag: str, path: Path) -> Intent:
    """Write the CSV of the 5,000 edits (values marked with ``tag``) and return what it asks for."""
    leads = leads_of(template)
    usable = [rid for rid, r in leads.items() if editable(r)]
    status = [rid for rid in usable if leads[rid]["Lead_Status"] != "Contacted"][:1000]
    taken = set(status)
    rest = [rid for rid in usable if rid not in taken]
    texts, duplicates = rest[:1990], rest[1990:2000]
    after: dict[str, dict[str, Any]] = {rid: {"Lead_Status": "Contacted"} for rid in status}
    for n, rid in enumerate(texts):
        after[rid] = {"City": f"City {tag} {n}", "Designation": f"Title {tag} {n}"}
    for n, rid in enumerate(duplicates):  # another record's e-mail: Zoho refuses the whole record
        after[rid] = {"Designation": f"Title {tag} dup {n}", "Email": leads[status[n]]["Email"]}
    assert len(after) == 3000 and sum(len(v) for v in after.values()) == 5000
    before = {rid: {api: leads[rid].get(api) for api in wanted} for rid, wanted in after.items()}
    rows = [["id", *COLUMNS]] + [[rid, *(str(wanted.get(api, "")) for api in COLUMNS)]
                                 for rid, wanted in after.items()]
    write_csv(path, rows)
    return Intent(MODULE, after, before)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def server_leads(server: SandboxServer) -> dict[str, dict[str, Any]]:
    with server.store.lock:
        return {rid: dict(r) for rid, r in server.store.records[MODULE].items()}


# -- submitting with zcrm-editor apply --------------------------------------------------------
def apply_env(home: Path, refresh_token: str = REFRESH_TOKEN) -> dict[str, str]:
    return {"ZCRM_EDITOR_HOME": str(home), "ZCRM_CLIENT_ID": CLIENT_ID, "ZCRM_CLIENT_SECRET": CLIENT_SECRET,
            "ZCRM_REFRESH_TOKEN": refresh_token}


def apply_args(server: SandboxServer | str, path: Path, report: Path, *extra: str) -> list[str]:
    base = server if isinstance(server, str) else server.base_url
    return ["--api-base", base, "--accounts-url", base, "--module", MODULE, "--report", str(report),
            *extra, str(path)]


def run_apply(server: SandboxServer, path: Path, report: Path, *extra: str) -> tuple[int, str, str]:
    """``zcrm-editor apply`` in this process (the environment must hold apply_env())."""
    out, err = io.StringIO(), io.StringIO()
    code = apply_main(apply_args(server, path, report, *extra), out, err)
    return code, out.getvalue(), err.getvalue()


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this checkout first, never the real keyring."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", **extra}


def start_apply_process(base_url: str, path: Path, report: Path, home: Path, *extra: str) -> subprocess.Popen:
    """``zcrm-editor apply`` as a process of its own (the console entry point's code path)."""
    return subprocess.Popen([sys.executable, "-m", "gui.app", "apply", *apply_args(base_url, path, report, *extra)],
                            cwd=REPO, env=child_env(**apply_env(home)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def read_report(report: Path, out: str) -> Reported:
    """apply's report CSV (and the plan line of its output) as a :class:`Reported`."""
    reported = Reported()
    with open(report, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            reported.status[row["id"]] = row["status"]
            reported.code[row["id"]] = row["code"]
            reported.message[row["id"]] = row["message"]
    planned = re.search(r"^Plan: (\d+) record\(s\)", out, re.MULTILINE)
    reported.sent = int(planned.group(1)) if planned else 0
    return reported


# -- submitting as the editor's worker does ----------------------------------------------------
def open_client(server: SandboxServer, retry: RetryPolicy = RetryPolicy(), timeout: float = 60.0) -> ZohoClient:
    secrets = SessionSecretStore()
    profile = Profile("reliability", "custom", CLIENT_ID, api_base=server.api_url, accounts_base=server.accounts_url)
    secrets.save(profile.name, StoredSecrets(CLIENT_SECRET, REFRESH_TOKEN))
    return SignIn(secrets, retry=retry, timeout=timeout).open(profile)


def stage(client: ZohoClient, intent: Intent, session: JournalSession) -> ChangeSet:
    """The intended values as edits of freshly read records, saved by the journal as they are
    made (what a paste into the table does)."""
    fields = client.fields(intent.module)
    changes = ChangeSet(intent.module, fields)
    wanted = sorted({api for values in intent.after.values() for api in values})
    changes.add_records(client.fetch(intent.module, list(intent.after), wanted))
    session.attach(changes)
    changes.apply([CellChange(rid, api, value=value) for rid, values in intent.after.items()
                   for api, value in values.items()], "Paste")
    return changes


def submit_with_client(client: ZohoClient, changes: ChangeSet, session: JournalSession) -> Reported:
    """Plan and send the change set's pending edits with the journal, as the submit worker does."""
    plan = plan_submit(changes.module, changes.pending(), changes.records, changes.fields)
    submit_id = session.begin_submit(plan)
    index = {id(call): n for n, call in enumerate(plan.calls)}
    lock = threading.Lock()
    reported = Reported(sent=plan.record_count)

    def on_call(call: Any, results: list[Any]) -> None:
        with lock:
            session.call_answered(submit_id, index[id(call)], call, results)
            outcome = apply_results(changes, call, results)
            for rid in outcome.updated:
                reported.status[rid] = UPDATED
            for rid, error in outcome.failed:
                reported.status[rid] = UNKNOWN if error.code == OUTCOME_UNKNOWN else FAILED
                reported.code[rid] = error.code
                reported.message[rid] = describe(error)

    try:
        run_plan(client, plan, on_call, on_sending=lambda call: session.call_sent(submit_id, index[id(call)]))
    finally:
        session.finish_submit(submit_id, cancelled=False)
    return reported
