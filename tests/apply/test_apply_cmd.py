"""``zcrm-editor apply`` end to end against the sandbox."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui.apply_cmd import main
from gui.sandbox import SandboxServer


@pytest.fixture
def org(tmp_path, monkeypatch):
    log = tmp_path / "requests.jsonl"
    with SandboxServer(records=1200, log_file=log) as server:
        monkeypatch.setenv("ZCRM_EDITOR_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("ZCRM_CLIENT_ID", "demo-client")
        monkeypatch.setenv("ZCRM_CLIENT_SECRET", "demo-secret")
        monkeypatch.setenv("ZCRM_REFRESH_TOKEN", "demo-refresh-token")
        yield server, log


def write_csv(path: Path, rows: list[list[str]], bom: bool = True) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8")
    return path


def run(server: SandboxServer, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--api-base", server.api_url, "--accounts-url", server.accounts_url, *args], out, err)
    return code, out.getvalue(), err.getvalue()


def report(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def requests_made(log: Path, method: str, suffix: str = "") -> list[dict]:
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    return [e for e in entries if e["method"] == method and e["path"].endswith(suffix)]


def usable(server: SandboxServer) -> list[str]:
    recs = server.store.records["Leads"]
    return [rid for rid in (str(i) for i in server.store.order["Leads"])
            if recs[rid]["$approved"] and not recs[rid]["$locked_for_me"] and recs[rid]["$editable"]]


def test_one_status_for_a_thousand_rows_is_two_mass_updates(org, tmp_path):
    server, log = org
    ids = usable(server)[:1000]
    for rid in ids:  # make every row a real change
        server.store.records["Leads"][rid]["Lead_Status"] = "Not Contacted"
    path = write_csv(tmp_path / "status.csv", [["id", "Lead_Status"]] + [[rid, "Contacted"] for rid in ids])
    code, out, err = run(server, "--module", "Leads", str(path), "--report", str(tmp_path / "r.csv"))
    assert code == 0, err
    assert len(requests_made(log, "POST", "/actions/mass_update")) == 2
    assert requests_made(log, "PUT") == []
    rows = report(tmp_path / "r.csv")
    assert len(rows) == 1000 and {r["status"] for r in rows} == {"updated"}
    assert all(server.store.get_record("Leads", rid)["Lead_Status"] == "Contacted" for rid in ids)
    from gui.services.journal import Journal
    with Journal(tmp_path / "home" / "data" / "journal.sqlite3") as journal:
        [entry] = journal.history()
        assert (entry.updated, entry.failed) == (1000, 0)


def test_a_mixed_file_reports_each_row_right(org, tmp_path):
    server, log = org
    recs = server.store.records["Leads"]
    order = [str(i) for i in server.store.order["Leads"]]
    held = [rid for rid in order if not recs[rid]["$approved"]][:2]
    locked = [rid for rid in order if recs[rid]["$locked_for_me"]][:2]
    good = usable(server)[:40]
    dup_email = recs[good[0]]["Email"]
    rows = [["id", "Last Name", "Email", "No. of Employees", "+Languages_Spoken"]]
    for i, rid in enumerate(good[1:30]):
        rows.append([rid, f"Renamed {i}", "", "", ""])
    rows.append([good[30], "", dup_email, "", ""])            # DUPLICATE_DATA
    rows.append([good[31], "", "", "twelve", ""])             # invalid value, not sent
    rows.append([good[32], "", "", "", "Klingon"])            # not in the list: invalid
    rows.append([good[33], "", "", "", "Hindi"])              # appended
    rows.append([good[34], recs[good[34]]["Last_Name"], "", "", ""])  # unchanged
    rows.append(["5725767000099999999", "Ghost", "", "", ""])  # no such record
    rows += [[rid, "Blocked", "", "", ""] for rid in held + locked]
    path = write_csv(tmp_path / "mixed.csv", rows)
    code, out, err = run(server, "--module", "Leads", str(path), "--report", str(tmp_path / "r.csv"))
    assert code == 1
    by_id = {}
    for r in report(tmp_path / "r.csv"):
        by_id.setdefault(r["id"], r)
    assert all(by_id[rid]["status"] == "updated" for rid in good[1:30])
    assert by_id[good[30]]["status"] == "failed" and by_id[good[30]]["code"] == "DUPLICATE_DATA"
    assert good[0] in by_id[good[30]]["message"]
    assert by_id[good[31]]["status"] == "invalid" and by_id[good[31]]["field"] == "No_of_Employees"
    assert by_id[good[32]]["status"] == "invalid"
    assert by_id[good[33]]["status"] == "updated" and "Hindi" in recs[good[33]]["Languages_Spoken"]
    assert by_id[good[34]]["status"] == "unchanged"
    assert by_id["5725767000099999999"]["status"] == "failed"
    assert all(by_id[rid]["status"] == "failed" for rid in held + locked)
    assert "row 32" in err and "twelve" in err  # bad cells listed with row and column
    assert recs[good[31]]["No_of_Employees"] != "twelve"


def test_dry_run_sends_nothing_and_key_by_email(org, tmp_path):
    server, log = org
    recs = server.store.records["Leads"]
    good = usable(server)[:5]
    path = write_csv(tmp_path / "by_email.csv",
                     [["Email", "City"]] + [[recs[rid]["Email"].upper(), f"Town {n}"] for n, rid in enumerate(good)])
    code, out, err = run(server, "--module", "Leads", "--key", "Email", "--dry-run", str(path))
    assert code == 0, err
    assert "Plan: 5 record(s) in 1 call(s)" in out
    assert requests_made(log, "PUT") == [] and requests_made(log, "POST", "/actions/mass_update") == []
    code, out, err = run(server, "--module", "Leads", "--key", "Email", "--trigger", "none", str(path))
    assert code == 0, err
    assert [recs[rid]["City"] for rid in good] == [f"Town {n}" for n in range(5)]


def test_report_cells_cannot_run_as_formulas(org, tmp_path):
    server, log = org
    rid = usable(server)[0]
    path = write_csv(tmp_path / "evil.csv", [["id", "No_of_Employees"], [rid, "=HYPERLINK(\"x\")"],
                                             ["=1+1", "5"], ["@SUM(A1)", "6"]])
    code, out, err = run(server, "--module", "Leads", str(path), "--report", str(tmp_path / "r.csv"))
    assert code == 1
    cells = [cell for row in report(tmp_path / "r.csv") for cell in row.values()]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'=1+1" in cells and "'@SUM(A1)" in cells


def test_usage_and_sign_in_errors_exit_2(org, tmp_path, monkeypatch):
    server, log = org
    path = write_csv(tmp_path / "x.csv", [["id", "City"], ["1", "A"]])
    assert run(server, "--module", "Leads", str(tmp_path / "missing.csv"))[0] == 2
    assert run(server, "--module", "Leads", "--trigger", "sometimes", str(path))[0] == 2
    monkeypatch.setenv("ZCRM_REFRESH_TOKEN", "wrong")
    code, out, err = run(server, "--module", "Leads", str(path))
    assert code == 2 and "sign in" in err.lower()


def test_the_console_command_runs_apply(org, tmp_path):
    server, log = org
    rid = usable(server)[0]
    path = write_csv(tmp_path / "one.tsv", [["id\tCity"], [f"{rid}\tTabville"]], bom=False)
    path.write_text(f"id\tCity\n{rid}\tTabville\n", encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "gui.app", "apply", "--module", "Leads", "--api-base",
                           server.api_url, "--accounts-url", server.accounts_url, str(path)],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert server.store.get_record("Leads", rid)["City"] == "Tabville"
