"""CSV files the app writes cannot run formulas: a cell starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is written with a leading ``'``, whatever put it there (a record
id in the user's file, a code, field name or message sent by the server, a value typed in
Zoho). Checked on ``safe_cell`` for any text, on apply's report end to end against a server
that answers with hostile text, and on the editor's results and errors exports. And the results
export says what the editor shows: a record whose answer was lost is "may have been applied"."""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gui.core.export import FORMULA_STARTS, safe_cell
from gui.core.outcomes import OUTCOME_UNKNOWN
from gui.core.results import RecordError
from gui.core.wording import describe
from gui.qt.exports import ResultRow, export_results_csv
from gui.sandbox.api import Request, Response

from .org import MODULE, editable, leads_of, run_apply, start_org, write_csv

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
           "=cmd|' /C calc'!A0"]


def cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def assert_inert(path: Path) -> None:
    dangerous = [c for c in cells(path) if c.startswith(FORMULA_STARTS)]
    assert dangerous == [], dangerous
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.sampled_from(HOSTILE), st.tuples(st.sampled_from(FORMULA_STARTS), st.text())
                 .map("".join)))
def test_safe_cell_neutralises_every_formula_start_and_loses_nothing(text):
    out = safe_cell(text)
    assert not out.startswith(FORMULA_STARTS)
    assert out == ("'" + text if text.startswith(FORMULA_STARTS) else text)


def test_apply_report_is_inert_whatever_the_file_or_the_server_says(template, home, tmp_path):
    server = start_org(template)
    answer = server.app.handle

    def hostile(request: Request) -> Response:  # Zoho refuses every record with text made to run
        if request.method == "PUT":
            sent = json.loads(request.body)["data"]
            return Response.json(400, {"data": [
                {"status": "error", "code": HOSTILE[n % len(HOSTILE)], "message": HOSTILE[(n + 1) % len(HOSTILE)],
                 "details": {"api_name": HOSTILE[(n + 2) % len(HOSTILE)], "id": r["id"]}} for n, r in enumerate(sent)]})
        return answer(request)

    server.app.handle = hostile
    try:
        leads = leads_of(template)
        ids = [rid for rid, r in leads.items() if editable(r)][:20]
        rows = [["id", "City"]] + [[rid, f"Formula town {n}"] for n, rid in enumerate(ids)]
        rows += [[h, "5"] for h in HOSTILE]  # ids that are formulas: rows that match no record
        write_csv(tmp_path / "evil.csv", rows)
        code, out, err = run_apply(server, tmp_path / "evil.csv", tmp_path / "report.csv")
    finally:
        server.stop()
    assert code == 1, err
    written = cells(tmp_path / "report.csv")
    assert_inert(tmp_path / "report.csv")
    for text in HOSTILE:  # each came through, neutralised, not dropped
        assert "'" + text in written
    assert all(server.store.records[MODULE][rid]["City"] == leads[rid]["City"] for rid in ids)


def test_the_editors_results_export_is_inert(tmp_path):
    rows = [ResultRow(h, False, HOSTILE[(n + 1) % len(HOSTILE)], HOSTILE[(n + 2) % len(HOSTILE)], h)
            for n, h in enumerate(HOSTILE)] + [ResultRow("5725767001000000001", True, None, None, "-Updated")]
    assert export_results_csv(tmp_path / "results.csv", rows) == len(rows)
    assert_inert(tmp_path / "results.csv")
    assert cells(tmp_path / "results.csv").count("'" + HOSTILE[0]) >= 2


def test_the_results_export_says_may_have_been_applied_where_the_answer_was_lost(tmp_path):
    """A record whose answer was lost and could not be read back is not "failed": the table and the
    errors panel say its change may have been applied, and so does the export (test_gui_faults.py
    checks the same on a real submit's results)."""
    lost = RecordError(OUTCOME_UNKNOWN, "could not reach Zoho CRM (ReadTimeout); reading the record back failed too, "
                                        "so the change may have been applied or not")
    refused = RecordError("DUPLICATE_DATA", "duplicate data", "Email", details={"api_name": "Email", "id": "9"})
    rows = [ResultRow("1", True, None, None, "Updated"),
            ResultRow("2", False, refused.code, refused.api_name, describe(refused)),
            ResultRow("3", False, lost.code, lost.api_name, describe(lost))]
    export_results_csv(tmp_path / "results.csv", rows)
    with open(tmp_path / "results.csv", encoding="utf-8-sig", newline="") as fh:
        written = {row["Record id"]: row for row in csv.DictReader(fh)}
    assert {rid: row["Result"] for rid, row in written.items()} == {
        "1": "updated", "2": "failed", "3": "unknown — may have been applied"}
    assert "may have been applied or not" in written["3"]["Message"] and written["3"]["Code"] == OUTCOME_UNKNOWN
    assert "already has this Email" in written["2"]["Message"]
