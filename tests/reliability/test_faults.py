"""A 5,000-edit submit through ``zcrm-editor apply`` while the sandbox injects faults
(``--fault-rate 0.2 --fault-kinds KIND --fault-seed N``), one kind at a time and all mixed:
every record ends updated or reported failed with a clear message, the server holds
exactly what the report says, and the journal agrees.

The six runs go at once (each apply is a process of its own), so their waits overlap and
the two cores are both used. Each kind alone runs against an in-process sandbox given the
CLI's switches as options; the mixed run uses the ``zcrm-sandbox`` command itself, and its
state is read from the data file it saves when stopped.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

from gui.sandbox import SandboxServer
from gui.sandbox.faults import KINDS
from gui.services.journal import Journal

from .org import MODULE, child_env, five_thousand_edits, read_report, server_leads, start_apply_process, start_org
from .scenarios import FAILED, UPDATED, Intent, check_outcome

RATE, SEED = 0.2, 20260301
MIXED = ",".join(KINDS)
SANDBOX_COMMAND = Path(sys.executable).parent / "zcrm-sandbox"
READ_TIMEOUT = "1"  # seconds apply waits for an answer; a "timeout" fault stalls far longer (30 s; CLI: 90 s)


@dataclass
class Run:
    kinds: tuple[str, ...]
    folder: Path
    intent: Intent
    apply: subprocess.Popen | None = None
    server: SandboxServer | None = None  # in-process sandbox
    sandbox: subprocess.Popen | None = None  # the zcrm-sandbox command
    code: int | None = None
    out: str = ""
    err: str = ""
    faults: Counter = field(default_factory=Counter)
    state: dict[str, dict[str, Any]] = field(default_factory=dict)


def start_cli_sandbox(template: str, folder: Path) -> tuple[subprocess.Popen, str]:
    from sandbox.test_cli import wait_for_address  # the sandbox suite's reader of "listening on …"

    (folder / "org.json").write_text(template, encoding="utf-8")
    proc = subprocess.Popen([str(SANDBOX_COMMAND), "--port", "0", "--data", str(folder / "org.json"),
                             "--log", str(folder / "requests.jsonl"), "--fault-rate", str(RATE),
                             "--fault-kinds", MIXED, "--fault-seed", str(SEED)],
                            env=child_env(PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    return proc, wait_for_address(proc)


@pytest.fixture(scope="module")
def runs(template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    runs: dict[str, Run] = {}
    try:
        for kind in (*KINDS, MIXED):
            folder = tmp_path_factory.mktemp("faults")
            kinds = tuple(kind.split(","))
            run = runs[kind] = Run(kinds, folder, five_thousand_edits(template, f"{len(kinds)}{kinds[0]}",
                                                                    folder / "edits.csv"))
            if kind == MIXED:
                run.sandbox, base_url = start_cli_sandbox(template, folder)
            else:
                run.server = start_org(template, fault_rate=RATE, fault_kinds=kinds, fault_seed=SEED,
                                       fault_stall_s=30)
                base_url = run.server.base_url
            run.apply = start_apply_process(base_url, folder / "edits.csv", folder / "report.csv", folder / "home",
                                            "--timeout", READ_TIMEOUT)
        for run in runs.values():
            assert run.apply is not None
            run.out, run.err = run.apply.communicate(timeout=240)
            run.code = run.apply.returncode
            if run.server is not None:
                run.faults.update({k: n for k, n in run.server.app.faults.counts.items() if n})
                run.state = server_leads(run.server)
        yield runs
    finally:
        for run in runs.values():
            if run.apply is not None and run.apply.poll() is None:
                run.apply.kill()
            if run.server is not None:
                run.server.stop()
            if run.sandbox is not None:
                run.sandbox.send_signal(signal.SIGTERM)
                run.sandbox.communicate(timeout=30)


def cli_sandbox_state(run: Run) -> None:
    """Stop the zcrm-sandbox process (it saves its data) and read the records and faults it logged."""
    assert run.sandbox is not None
    if run.sandbox.poll() is None:
        run.sandbox.send_signal(signal.SIGTERM)
        out, _ = run.sandbox.communicate(timeout=30)
        assert "stopped" in out
    data = json.loads((run.folder / "org.json").read_text(encoding="utf-8"))
    run.state = {r["id"]: r for r in data["records"][MODULE]}
    for line in (run.folder / "requests.jsonl").read_text(encoding="utf-8").splitlines():
        fault = json.loads(line).get("fault")
        if fault:
            run.faults[fault] += 1


def check_journal(home: Path, reported: Any, intent: Intent) -> None:
    """The journal's history matches the report; only edits of records not updated stay pending."""
    with Journal(home / "data" / "journal.sqlite3") as journal:
        [entry] = journal.history()
        pending = {e.record_id for e in journal.session(entry.profile, MODULE).pending()}
    statuses = Counter(reported.status[rid] for rid in intent.after)
    assert (entry.state, entry.records) == ("finished", reported.sent)
    assert (entry.updated, entry.failed) == (statuses[UPDATED], sum(statuses.values()) - statuses[UPDATED])
    assert pending == {rid for rid in intent.after if reported.status[rid] != UPDATED}


@pytest.mark.parametrize("kind", [*KINDS, MIXED], ids=[*KINDS, "mixed"])
def test_apply_rides_out_faults_and_reports_what_the_server_holds(kind, runs):
    run = runs[kind]
    if run.sandbox is not None:
        cli_sandbox_state(run)
    assert run.code == 1, run.err  # the ten duplicate e-mails
    reported = read_report(run.folder / "report.csv", run.out)
    assert set(run.faults) == set(run.kinds), run.faults  # every kind asked for really happened
    note = ", ".join(f"{n} {k}" for k, n in sorted(run.faults.items())) + " faults"
    where = " (zcrm-sandbox CLI)" if run.sandbox is not None else ""
    tally = check_outcome(f"apply, {'mixed' if len(run.kinds) > 1 else kind} faults{where}", run.intent, reported,
                          run.state, note)
    assert tally.sent == 3000
    duplicates = [rid for rid, values in run.intent.after.items() if "Email" in values]
    assert all(reported.status[rid] == FAILED and reported.code[rid] == "DUPLICATE_DATA" for rid in duplicates)
    assert all("already has this Email" in reported.message[rid] for rid in duplicates)
    # Faults are retried (or the call's records read back) until they cost nothing; a call that
    # ran out of retries would show as failed here, and the check above proves it unchanged.
    assert tally.unknown == 0 and tally.failed >= len(duplicates)
    check_journal(run.folder / "home", reported, run.intent)
