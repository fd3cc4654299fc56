"""``kill -9`` of ``zcrm-editor apply`` in the middle of a 5,000-edit submit, then a fresh
start: the journal holds every edit the server did not confirm, a reload restores exactly
those Zoho does not have yet, running the same file again sends only those, and the server
ends as intended."""

from __future__ import annotations

from gui.core.changeset import ChangeSet
from gui.services.journal import Journal

from .org import (MODULE, five_thousand_edits, journal_after_kill, kill_mid_submit, open_client, read_report,
                  request_log, run_apply, server_leads, start_apply_process)
from .scenarios import FAILED, UNCHANGED, UPDATED, check_outcome


def holds(values: dict, wanted: dict) -> bool:
    return all(values.get(api) == value for api, value in wanted.items())


def test_kill_9_mid_submit_then_the_same_file_again_sends_only_the_rest(template, org, home, tmp_path):
    log = tmp_path / "requests.jsonl"
    server = org(latency_ms=150, log_file=log)  # slow calls: a window to kill in
    intent = five_thousand_edits(template, "kill", tmp_path / "edits.csv")
    journal_path = home / "data" / "journal.sqlite3"
    child = start_apply_process(server.base_url, tmp_path / "edits.csv", tmp_path / "first.csv", home)
    at_kill = kill_mid_submit(child, journal_path, server, log, patience_s=60)

    # -- what the journal kept -------------------------------------------------------------
    now = server_leads(server)
    profile, module, saved, progress = journal_after_kill(journal_path, intent)
    with Journal(journal_path) as journal:
        session = journal.session(profile, module)
        # A reload restores exactly the edits Zoho does not have yet (the calls in flight landed).
        not_on_server = {rid for rid in intent.after if not holds(now[rid], intent.after[rid])}
        with open_client(server) as client:
            changes = ChangeSet(MODULE, client.fields(MODULE))
            changes.add_records(client.fetch(MODULE, list(intent.after), ["City", "Designation", "Lead_Status", "Email"]))
        report = session.restore(changes)
        assert changes.edited_records() == not_on_server
        assert (report.restored, report.not_loaded) == (len(changes), 0) and len(changes) + report.already_saved == saved
        assert set(progress.unanswered) - not_on_server  # what was in flight got there

    # -- the same file again -------------------------------------------------------------------------------------
    already = len(request_log(server, log))
    code, out, err = run_apply(server, tmp_path / "edits.csv", tmp_path / "again.csv")
    assert code == 1, err  # the ten duplicate e-mails
    assert "left by an earlier run that did not finish were replaced by this file" in err
    reported = read_report(tmp_path / "again.csv", out)
    final = server_leads(server)
    tally = check_outcome("kill -9 of apply mid-submit, then the file again", intent, reported, final,
                          f"killed with {at_kill.get('answered', 0)} of 22 calls answered, {at_kill.get('sent', 0)} "
                          f"in flight; sent = the rerun")
    sent = sum(e["records"] for e in request_log(server, log)[already:] if e["method"] in ("PUT", "POST"))
    assert sent == reported.sent == len(not_on_server)  # nothing Zoho had was sent again
    assert {rid for rid, s in reported.status.items() if s == UNCHANGED} == set(intent.after) - not_on_server
    assert tally.failed == 10 and all(reported.code[rid] == "DUPLICATE_DATA"
                                      for rid, s in reported.status.items() if s == FAILED)
    assert all(holds(final[rid], intent.after[rid]) for rid, s in reported.status.items() if s in (UPDATED, UNCHANGED))
    with Journal(journal_path) as journal:
        history = journal.history()
        assert [h.state for h in history] == ["finished", "interrupted"]  # the killed run is not left "running"
        assert {e.record_id for e in journal.session(profile, module).pending()} == {
            rid for rid, s in reported.status.items() if s == FAILED}
