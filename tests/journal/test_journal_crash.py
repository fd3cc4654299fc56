"""A kill in the middle of a submit loses nothing, and the resumed submit resends only what
the server has not confirmed. Also: no secret ever reaches the journal file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

from journal_helpers import (TEXT_FIELDS, as_paste, expected_rows, intended, load, rows_in, sign_in,
                             submit_with_journal)

from gui.core.changeset import CellChange
from gui.core.planner import plan_submit
from gui.sandbox import SandboxServer
from gui.services.journal import Journal

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def calls_by_state(path: Path) -> dict[str, int]:
    if not path.exists():
        return {}
    try:
        db = sqlite3.connect(path, timeout=1)
        try:
            return dict(db.execute("SELECT state, count(*) FROM submit_calls GROUP BY state").fetchall())
        finally:
            db.close()
    except sqlite3.OperationalError:  # the child has not set the tables up yet
        return {}


def log_entries(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def journal_files(path: Path) -> list[Path]:
    return [p for p in path.parent.iterdir() if p.name.startswith(path.name)]


def assert_no_secrets(path: Path, secrets: set[str]) -> None:
    assert secrets and all(len(s) >= 10 for s in secrets)
    for file in journal_files(path):
        data = file.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"a secret is in {file.name}"


def test_a_kill_mid_submit_loses_nothing_and_the_resumed_submit_sends_only_the_rest(tmp_path):
    started = time.monotonic()
    log = tmp_path / "requests.jsonl"
    path = tmp_path / "data" / "journal.sqlite3"
    with SandboxServer(records=300, data_file=tmp_path / "org.json", log_file=log, latency_ms=200) as server:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        child = subprocess.Popen([sys.executable, str(HERE / "crash_child.py"), server.base_url, str(path)],
                                 cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 15
            # Kill it mid-submit: the first call answered, the second one on the server, not yet answered.
            while not (calls_by_state(path).get("answered") and calls_by_state(path).get("sent")
                       and server.app.in_flight):
                assert child.poll() is None, child.communicate()[1].decode()
                assert time.monotonic() < deadline, f"the submit never got that far: {calls_by_state(path)}"
                time.sleep(0.005)
            child.send_signal(signal.SIGKILL)
        finally:
            if child.poll() is None:
                child.kill()
            out, err = child.communicate(timeout=10)
        assert child.returncode == -signal.SIGKILL
        assert b"edited 2000" in out and b"finished" not in out, err.decode()
        while server.app.in_flight:  # the call the child never heard back from lands on the server
            time.sleep(0.01)

        # -- a fresh start --------------------------------------------------------------
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        journal = Journal(path)
        [(profile, module, saved)] = journal.sessions_with_pending()
        assert (profile, module) == ("crash", "Leads")
        session = journal.session("crash", "Leads")
        [progress] = session.unfinished_submits()
        assert len(progress.confirmed) == 100 and not progress.failed
        assert len(progress.unanswered) == 100 and len(progress.unsent) == 50  # the server got the second call
        assert saved == 2000 - len(progress.confirmed) * len(TEXT_FIELDS)  # confirmed edits left the journal

        client = sign_in(server.base_url, "crash")
        changes = load(client, "Leads")
        want = intended(changes)
        on_server = {key for key, value in want.items()
                     if server.store.get_record("Leads", key[0])[key[1]] == value}
        assert {(rid, api) for rid in progress.confirmed for api in TEXT_FIELDS} <= on_server
        report = session.restore(changes)
        session.attach(changes)
        assert {e.key for e in changes.edits()} == set(want) - on_server
        assert all(changes.edit(*key).value == want[key] for key in set(want) - on_server)
        assert (report.restored, report.already_saved, report.not_loaded) == (len(changes), saved - len(changes), 0)
        assert rows_in(path) == expected_rows(changes)
        session.abandon_submit(progress.submit_id)

        already_logged = len(log_entries(log))
        plan = plan_submit("Leads", changes.pending(), changes.records, changes.fields, trigger=[])
        resent = {rid for call in plan.calls for rid in call.record_ids}
        submit_id, totals = submit_with_journal(client, changes, session, plan)
        client.close()
        puts = [e for e in log_entries(log)[already_logged:] if e["method"] == "PUT"]
        not_yet = {rid for rid, _ in set(want) - on_server}
        assert sum(e["records"] for e in puts) == len(not_yet) == plan.record_count == totals.updated
        # Neither the records confirmed before the kill nor those the server took while we were dead.
        assert resent == not_yet == set(progress.unsent)
        assert all(server.store.get_record("Leads", rid)[api] == value for (rid, api), value in want.items())
        assert session.pending() == [] and len(changes) == 0 and rows_in(path) == {}
        assert [(h.submit_id, h.state) for h in journal.history("crash")] == [
            (submit_id, "finished"), (progress.submit_id, "interrupted")]
        assert journal.sessions_with_pending() == []
        journal.close()
        tokens = set(server.app.oauth.access_tokens)
        assert_no_secrets(path, tokens | {"demo-secret", "demo-refresh-token"})
    assert time.monotonic() - started < 20


def test_no_token_or_secret_reaches_the_journal(tmp_path):
    """A full run on the sandbox (load, edits, failures, submit, history) leaves no secret in the file."""
    path = tmp_path / "data" / "journal.sqlite3"
    learnt: list[str] = []
    with SandboxServer(records=300) as server, Journal(path) as journal:
        with sign_in(server.base_url, "t", register_secret=learnt.append) as client:
            changes = load(client, "Leads")
            session = journal.session("t", "Leads")
            session.attach(changes)
            want = intended(changes)
            changes.apply(as_paste(want))
            rid = next(iter(want))[0]
            taken = changes.original(next(r for r in changes.order if r != rid), "Email")
            changes.apply([CellChange(rid, "Email", value=taken),  # DUPLICATE_DATA
                           CellChange(rid, "No_of_Employees", text="lots", invalid="“lots” is not a number")])
            plan = plan_submit("Leads", changes.pending(), changes.records, changes.fields)
            _, totals = submit_with_journal(client, changes, session, plan)
            assert totals.failed == 1 and totals.updated == len(want) // len(TEXT_FIELDS) - 1
            # the refused record keeps all its edits, the invalid one was never sent
            assert {e.key for e in session.pending()} == {(rid, api) for api in ("Email", "No_of_Employees",
                                                                                 *TEXT_FIELDS)}
            history = journal.submit_records(journal.history("t")[0].submit_id)
            assert any(h.result is not None and h.result.error is not None for h in history)
            secrets = set(learnt) | set(server.app.oauth.access_tokens) | {"demo-secret", "demo-refresh-token"}
            assert_no_secrets(path, secrets)  # while open: the WAL holds the latest pages
    assert_no_secrets(path, secrets)  # and after closing
