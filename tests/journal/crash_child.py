"""Run by test_journal_crash.py in a process of its own: load the sandbox's Leads, paste 2,000
edits, and submit them one call at a time, until the test kills this process (SIGKILL)."""

from __future__ import annotations

import sys

from journal_helpers import as_paste, intended, load, sign_in, submit_with_journal

from gui.core.planner import plan_submit
from gui.services.journal import Journal


def main(url: str, journal_path: str) -> None:
    with sign_in(url, "crash", concurrency=1) as client:
        changes = load(client, "Leads")
        journal = Journal(journal_path)
        session = journal.session("crash", "Leads")
        session.attach(changes)
        changes.apply(as_paste(intended(changes)), "Paste")
        print("edited", len(changes), flush=True)
        plan = plan_submit("Leads", changes.pending(), changes.records, changes.fields, trigger=[])
        submit_with_journal(client, changes, session, plan)
        print("finished", flush=True)  # the test kills us before this


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
