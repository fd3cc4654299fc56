"""The editor's submit path (change set, journal, ``run_plan``: what the submit worker drives)
under harsh faults: while it sends, 70% of all calls fail, in every way, and each call gets
only two tries, so retries run out and answers are lost for real. Every record still ends
updated, failed (and then really unchanged on the server) or, where not even a read-back got
through, "may have been applied"; a second submit after a reload sends the rest and loses nothing.

The read time-out is the one clock in play. A "timeout" fault stalls for 30 s, so any time-out
catches it; but a call the sandbox answers normally must never hit it, or the client gives up
on a change that may still land after the record was read back as "not saved" (a loss the
test would blame on the editor). So the time-out is generous for an in-process sandbox on a
busy machine, and the records are loaded before the faults start: each stall costs that long.
"""

from __future__ import annotations

from gui.client.transport import RetryPolicy
from gui.sandbox.faults import KINDS
from gui.services.journal import Journal

from .org import five_thousand_edits, open_client, server_leads, stage, submit_with_client
from .scenarios import UNCHANGED, UPDATED, Reported, check_outcome

PATIENT = RetryPolicy(attempts=40, base_delay=0.001, max_delay=0.004)  # for loading: it must get through
TWO_TRIES = RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002)  # for sending: lets retries run out
READ_TIMEOUT = 2.0  # seconds; normal answers take milliseconds, a stalled one 30 s
RATE = 0.7


def test_lost_answers_are_read_back_and_a_second_submit_finishes_the_job(template, org, tmp_path):
    server = org(fault_rate=RATE, fault_kinds=tuple(KINDS), fault_seed=7, fault_stall_s=30)
    intent = five_thousand_edits(template, "worker", tmp_path / "edits.csv")
    server.app.faults.rate = 0.0  # loading is not the subject here (test_gui_faults loads under faults)
    with open_client(server, retry=PATIENT, timeout=READ_TIMEOUT) as client, \
            Journal(tmp_path / "journal.sqlite3") as journal:
        session = journal.session("reliability", intent.module)
        changes = stage(client, intent, session)
        assert len(changes) == intent.edits
        client.transport.retry = TWO_TRIES
        server.app.faults.rate = RATE
        before = dict(server.app.faults.counts)

        reported = submit_with_client(client, changes, session)

        faults = {k: n - before[k] for k, n in server.app.faults.counts.items() if n > before[k]}
        assert set(faults) == set(KINDS), faults
        note = ", ".join(f"{n} {k}" for k, n in sorted(faults.items())) + " faults while sending"
        first = check_outcome("worker path, 70% mixed faults, 2 tries a call", intent, reported,
                              server_leads(server), note)
        assert first.failed + first.unknown > 10 and first.updated > 0  # retries really ran out
        unknown = [rid for rid, code in reported.code.items() if code == "OUTCOME_UNKNOWN"]
        assert first.unknown == len(unknown)
        assert all("may have been applied" in reported.message[rid] for rid in unknown)
        # The change set and the journal keep exactly the edits not confirmed.
        not_done = {rid for rid in intent.after if reported.status[rid] != UPDATED}
        assert {e.record_id for e in session.pending()} == not_done == changes.edited_records()

        # Faults over: reload the records (edits Zoho already has drop out) and submit the rest.
        server.app.faults.rate = 0.0
        client.transport.retry = PATIENT
        changes.add_records(client.fetch(intent.module, sorted(not_done), sorted(changes.fields)))
        now = server_leads(server)
        held = {rid for rid in not_done if all(now[rid].get(api) == v for api, v in intent.after[rid].items())}
        assert held <= set(unknown)  # only an unknown outcome can turn out to be applied
        assert changes.edited_records() == not_done - held

        again = submit_with_client(client, changes, session)

        assert again.sent == len(not_done - held)
        merged = Reported({**reported.status, **{rid: UNCHANGED for rid in held}, **again.status},
                          {**reported.code, **again.code}, {**reported.message, **again.message}, again.sent)
        check_outcome("worker path, resubmit after reload", intent, merged, server_leads(server),
                      f"{len(held)} unknown turned out applied")
        assert {rid for rid, status in merged.status.items() if status != UPDATED and status != UNCHANGED} == {
            rid for rid, values in intent.after.items() if "Email" in values}  # only the duplicates are left
        assert {e.record_id for e in session.pending()} == {rid for rid in intent.after if "Email" in intent.after[rid]}
