"""``kill -9`` of the editor in the middle of a 5,000-edit submit, then the editor again.

The editor runs as a process of its own (``gui_driver.py``: the real ``zcrm-editor`` entry
point, signed in with a stored profile, driven the way a user would), against a sandbox in
this process with slow calls (a window to kill in). The first run makes the 5,000 edits,
chooses Submit and accepts the preview; it is killed once the journal shows calls answered
and calls on their way. The second run must offer to restore the edits that were not
submitted; it accepts, submits, and the checks are those of ``test_kill.py``: the journal
kept every edit the server did not confirm, the restore put back exactly those Zoho does not
have, the resumed submit sends only those, and the server ends as intended.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gui.qt.exports import ResultRow
from gui.services.journal import Journal

from .gui_driver import MODULE, PROFILE
from .org import (REPO, child_env, five_thousand_edits, journal_after_kill, kill_mid_submit, reported_from_rows,
                  request_log, server_leads)
from .scenarios import FAILED, UNCHANGED, UPDATED, Reported, check_outcome
from .test_kill import holds


def start_editor(base_url: str, home: Path, report: Path, *what: str) -> subprocess.Popen:
    env = child_env(ZCRM_EDITOR_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "tests"), env["PYTHONPATH"]])
    return subprocess.Popen([sys.executable, "-m", "reliability.gui_driver", "--url", base_url, *what,
                             "--report", str(report)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def read(report: Path) -> dict[str, Any]:
    return json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}


@pytest.mark.timeout(300)  # two starts of the editor: give a busy machine room
def test_kill_9_of_the_editor_mid_submit_then_restore_and_submit_sends_only_the_rest(template, org, tmp_path):
    log = tmp_path / "requests.jsonl"
    server = org(latency_ms=150, log_file=log)  # slow calls: a window to kill in
    intent = five_thousand_edits(template, "gui kill", tmp_path / "edits.csv")
    (tmp_path / "edits.json").write_text(json.dumps(intent.after), encoding="utf-8")
    home = tmp_path / "home"
    journal_path = home / "data" / "journal.sqlite3"

    # -- first run: edit, submit, kill -9 -------------------------------------------------------
    child = start_editor(server.base_url, home, tmp_path / "first.json", "--stage", str(tmp_path / "edits.json"))
    at_kill = kill_mid_submit(child, journal_path, server, log, patience_s=100,
                              describe_child=lambda: read(tmp_path / "first.json"))

    # -- what the journal kept ----------------------------------------------------------------------
    now = server_leads(server)
    profile, module, saved, progress = journal_after_kill(journal_path, intent)
    assert (profile, module) == (PROFILE, MODULE)
    not_on_server = {rid for rid in intent.after if not holds(now[rid], intent.after[rid])}
    assert set(progress.unanswered) - not_on_server  # what was in flight got there

    # -- second run: the editor offers the edits back; restore and submit -----------------------------
    already = len(request_log(server, log))
    second = start_editor(server.base_url, home, tmp_path / "second.json", "--restore")
    out, err = second.communicate(timeout=110)
    shown = read(tmp_path / "second.json")
    assert second.returncode == 0 and "error" not in shown, (shown.get("error"), err[-3000:])

    assert f"{saved} edit(s) of {MODULE} from an earlier session were not submitted" in shown["banner"]
    assert shown["buttons"] == ["Restore them", "Discard them"]
    restored = {(rid, api): value for rid, api, value in shown["restored"]}
    # Every pending edit came back, but for those Zoho already has (the calls in flight landed).
    assert restored == {(rid, api): value for rid in not_on_server for api, value in intent.after[rid].items()}
    assert shown["restore_line"] == f"Restored {len(restored)} edit(s)."
    assert shown["status_line"] == (f"Submit finished: {len(not_on_server) - 10:,} updated, 10 failed (red cells; "
                                    "see the errors panel).")  # the ten duplicate e-mails
    assert shown["sent"] == len(not_on_server)
    sent = sum(e["records"] for e in request_log(server, log)[already:]  # writes (a COQL query is a POST too)
               if e["method"] == "PUT" or e["path"].endswith("/actions/mass_update"))
    assert sent == len(not_on_server)  # nothing Zoho had was sent again

    rows = [ResultRow(*row) for row in shown["results"]]
    again = reported_from_rows(rows, shown["sent"])
    assert set(again.status) == not_on_server
    assert all(shown["rows"][rid] == ("updated" if s == UPDATED else "failed") for rid, s in again.status.items())
    assert (shown["outcome"]["updated"], shown["outcome"]["failed"]) == (
        sum(s == UPDATED for s in again.status.values()), sum(s != UPDATED for s in again.status.values()))
    reported = Reported({**{rid: UNCHANGED for rid in intent.after if rid not in not_on_server}, **again.status},
                        again.code, again.message, again.sent)
    final = server_leads(server)
    tally = check_outcome("kill -9 of the GUI mid-submit, then restore and submit", intent, reported, final,
                          f"killed with {at_kill.get('answered', 0)} of {sum(at_kill.values())} calls answered, "
                          f"{at_kill.get('sent', 0)} in flight; sent = the resumed submit")
    duplicates = {rid for rid, values in intent.after.items() if "Email" in values}
    assert tally.failed == 10 and {rid for rid, s in reported.status.items() if s == FAILED} == duplicates
    assert all(reported.code[rid] == "DUPLICATE_DATA" for rid in duplicates)
    assert shown["pending"] == sum(len(intent.after[rid]) for rid in duplicates)
    with Journal(journal_path) as journal:
        assert [h.state for h in journal.history()] == ["finished", "interrupted"]  # the killed one is not "running"
        assert {e.record_id for e in journal.session(PROFILE, MODULE).pending()} == duplicates
