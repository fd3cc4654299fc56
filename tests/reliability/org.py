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
* :func:`cell_changes` and :func:`reported_from_rows`: the same edits as the table takes them,
  and what the editor's submit controller shows per record (``test_gui_faults.py`` and
  ``gui_driver.py`` submit through the GUI worker and the window).
* :func:`request_log`: the sandbox's request log once every request taken in is in it.

Each submitter ends in a :class:`~scenarios.Reported`, for :func:`scenarios.check_outcome`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterable

from client.helpers import CLIENT_ID, CLIENT_SECRET
from client.helpers import DEMO_REFRESH_TOKEN as REFRESH_TOKEN

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
from gui.qt.exports import ResultRow
from gui.sandbox import SandboxServer
from gui.sandbox.demo import build_demo
from gui.sandbox.store import Store
from gui.services.journal import Journal, JournalSession
from gui.services.secrets import SessionSecretStore

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
    """A running sandbox holding a fresh copy of ``template`` (options: any SandboxConfig field,
    or ``clock``: the sandbox's clock, which decides when access tokens expire)."""
    server = SandboxServer(seed="none", **options)
    server.store.load_json(json.loads(template))
    Served.count(server)
    return server.start()


class Served:
    """Which of a sandbox's threads are answering a request whose log line is not written yet.

    The sandbox writes a request's log line just after it sends the reply, so a client may
    hold the reply before the line is there. Waiting for the log to stay unchanged for a
    moment fails when a busy machine stretches that moment; this says when it is complete.
    (A reply that cannot be sent, its client being gone, is never logged: its thread ends.)
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answering: set[threading.Thread] = set()

    @classmethod
    def count(cls, server: SandboxServer) -> "Served":
        served = cls()
        handle, log_request = server.app.handle, server.log_request

        def taken(request: Any) -> Any:
            with served.lock:
                served.answering.add(threading.current_thread())
            return handle(request)

        def logged(*args: Any, **kwargs: Any) -> None:
            try:
                log_request(*args, **kwargs)
            finally:
                with served.lock:
                    served.answering.discard(threading.current_thread())

        server.app.handle = taken  # tests may wrap this again; every request still passes here
        server.log_request = logged  # type: ignore[method-assign]
        server.served = served  # type: ignore[attr-defined]
        return served

    def settled(self) -> bool:
        with self.lock:
            return not any(thread.is_alive() for thread in self.answering)


def connections_open(server: SandboxServer) -> bool:
    """Whether a client connection is still served (a thread per connection, kept while it is open)."""
    threads = getattr(server._httpd, "_threads", None) or []  # socketserver's list of handler threads
    return any(thread.is_alive() for thread in list(threads))


def request_log(server: SandboxServer, path: Path, clients_gone: bool = False,
                timeout: float = 120.0) -> list[dict[str, Any]]:
    """The request log (one dict per request) once it holds every request the sandbox took in.

    Call it when the clients are done. ``clients_gone``: they were killed or closed their
    connections, so also wait until the sandbox has read and answered all that they sent.
    A "timeout" fault is logged only when its stall ends.
    """
    served: Served = server.served  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while (clients_gone and connections_open(server)) or not served.settled():
        assert time.monotonic() < deadline, "the sandbox never finished answering"
        time.sleep(0.005)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


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


def cell_changes(intent: Intent) -> list[CellChange]:
    """The intended values as the table takes them (a paste ends in these)."""
    return [CellChange(rid, api, value=value, text=str(value)) for rid, values in intent.after.items()
            for api, value in values.items()]


def reported_from_rows(rows: Iterable[ResultRow], sent: int) -> Reported:
    """What the editor shows for each record after a submit (the controller's results: the row
    state, the errors panel's message and the results export all come from them)."""
    reported = Reported(sent=sent)
    for row in rows:
        reported.status[row.record_id] = UPDATED if row.ok else UNKNOWN if row.code == OUTCOME_UNKNOWN else FAILED
        if not row.ok:
            reported.code[row.record_id] = row.code or ""
            reported.message[row.record_id] = row.message
    return reported


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


def calls_by_state(path: Path) -> dict[str, int]:
    """The journal's submit calls by state (sent, answered, ...), read as another process would."""
    try:
        with sqlite3.connect(path, timeout=1) as db:
            return dict(db.execute("SELECT state, count(*) FROM submit_calls GROUP BY state").fetchall())
    except sqlite3.Error:  # not created yet
        return {}


def kill_mid_submit(child: subprocess.Popen, journal_path: Path, server: SandboxServer, log: Path,
                    patience_s: float, describe_child: Any = None) -> dict[str, int]:
    """SIGKILL ``child`` once its journal shows calls answered and calls sent while the server is
    busy with some; returns the journal's calls by state at that moment, once the calls in
    flight have landed on the server."""
    deadline = time.monotonic() + patience_s
    try:
        while not (calls_by_state(journal_path).get("answered") and calls_by_state(journal_path).get("sent")
                   and server.app.in_flight):
            assert child.poll() is None, (child.communicate(), describe_child() if describe_child else None)
            assert time.monotonic() < deadline, f"the submit never got that far: {calls_by_state(journal_path)}"
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    request_log(server, log, clients_gone=True)  # the calls it never heard back from land on the server
    return calls_by_state(journal_path)


def journal_after_kill(journal_path: Path, intent: Intent) -> tuple[str, str, int, Any]:
    """Check what the journal kept through a kill: exactly the edits the server did not confirm,
    with the values asked for. Returns the session's profile and module, how many edits it
    saved, and the interrupted submit's progress."""
    with Journal(journal_path) as journal:
        [(profile, module, saved)] = journal.sessions_with_pending()
        session = journal.session(profile, module)
        [progress] = session.unfinished_submits()
        pending = session.pending()
    assert progress.confirmed and (progress.unanswered or progress.unsent)
    assert {e.key for e in pending} == {(rid, api) for rid, values in intent.after.items() for api in values
                                        if rid not in progress.confirmed}
    assert all(e.value == intent.after[e.record_id][e.api_name] for e in pending)
    return profile, module, saved, progress
