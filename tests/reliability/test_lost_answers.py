"""Focused checks of how a lost answer is settled, call by call, with the faults in a fixed
order (so each case is exact): the read-back after a lost answer, a retried call whose first
attempt was applied before a later attempt was refused, a read that is cut short, and the
core rule that turns "answer lost" into updated, failed or "may have been applied"."""

from __future__ import annotations

import functools
import os
import stat

import pytest

from gui.apply_cmd import main as apply_main
from gui.client.signin import SignIn
from gui.client.submit import run_plan
from gui.client.transport import RetryPolicy, Wait
from gui.core.changeset import Edit
from gui.core.meta import FieldMeta
from gui.core.outcomes import OUTCOME_UNKNOWN, settle_results
from gui.core.planner import UpdateCall, plan_submit
from gui.core.results import Record, RecordError, RecordResult
from gui.core.wording import describe
from gui.services.paths import ensure_private_dir

from .org import MODULE, editable, open_client, read_report, run_apply, start_org, write_csv
from .scenarios import Intent, check_outcome, clear_message

FAST = RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002)


class FaultScript:
    """Stands in for the sandbox's FaultPlan: the faults of the next /crm/ calls, in order."""

    def __init__(self, *kinds: str | None):
        self.kinds = list(kinds)
        self.rate = 1.0

    def pick(self) -> str | None:
        return self.kinds.pop(0) if self.kinds else None


@pytest.fixture
def small(template: str):
    server = start_org(template, fault_stall_s=2.0)  # a "timeout" fault stalls 2 s
    yield server
    server.stop()


def one_city_call(server, client, n: int = 3) -> tuple:
    """One update call giving ``n`` records a new city."""
    ids = [rid for rid, r in leads_of_server(server).items() if editable(r)][:n]
    fields = {f.api_name: f for f in client.fields(MODULE)}
    records = {rid: Record(rid, {"City": server.store.records[MODULE][rid]["City"]}) for rid in ids}
    edits = [Edit(rid, "City", value=f"Settled {rid[-4:]}") for rid in ids]
    return plan_submit(MODULE, edits, records, fields), ids


def leads_of_server(server) -> dict:
    return server.store.records[MODULE]


def send(client, plan) -> list[RecordResult]:
    got: list[RecordResult] = []
    run_plan(client, plan, lambda call, results: got.extend(results))
    return got


def test_applied_then_refused_on_the_retry_is_read_back_as_updated(small):
    with open_client(small, retry=FAST) as client:
        plan, ids = one_city_call(small, client)
        small.app.faults = FaultScript("reset", "429")  # applied, answer lost; the retry is refused
        results = send(client, plan)
    assert [r.ok for r in results] == [True] * 3, [r.error for r in results]
    assert all(leads_of_server(small)[rid]["City"] == f"Settled {rid[-4:]}" for rid in ids)
    assert all(r.details.get("checked_after") == "TOO_MANY_REQUESTS" and r.modified_time for r in results)


def test_applied_then_refused_and_unreadable_is_may_have_been_applied_not_failed(small):
    with open_client(small, retry=FAST) as client:
        plan, ids = one_city_call(small, client)
        small.app.faults = FaultScript("reset", "429", "500", "500")  # the read-back fails too
        results = send(client, plan)
    assert {r.error.code for r in results} == {OUTCOME_UNKNOWN}
    assert all("may have been applied" in describe(r.error) for r in results)
    assert all(leads_of_server(small)[rid]["City"] == f"Settled {rid[-4:]}" for rid in ids)  # it was, indeed


def test_refused_every_time_is_read_back_as_not_saved(small):
    with open_client(small, retry=FAST) as client:
        plan, ids = one_city_call(small, client)
        before = {rid: leads_of_server(small)[rid]["City"] for rid in ids}
        small.app.faults = FaultScript("timeout", "500")  # never applied
        client.transport.timeout = (5.0, 0.3)
        results = send(client, plan)
    assert {r.error.code for r in results} == {"INTERNAL_ERROR"}
    assert all(r.error.details["after_lost_answer"] for r in results)  # the time-out may have been applied…
    assert all("not in Zoho" in describe(r.error) and clear_message(describe(r.error)) for r in results)  # …it wasn't
    assert {rid: leads_of_server(small)[rid]["City"] for rid in ids} == before


def test_a_read_cut_short_is_asked_again_and_a_write_cut_short_is_read_back(small):
    waits: list[Wait] = []
    with open_client(small, retry=FAST) as client:
        client.transport.on_wait = waits.append
        small.app.faults = FaultScript("badjson")
        assert client.fields(MODULE)  # GET settings/fields: cut short once, asked again
        assert [(w.reason, w.path) for w in waits] == [("cut_short", "settings/fields")]
        assert waits[0].message.startswith("Zoho's answer was cut short; retrying in")
        plan, ids = one_city_call(small, client)
        small.app.faults = FaultScript("badjson")  # the PUT is applied, its answer cut short
        results = send(client, plan)
    assert [r.ok for r in results] == [True] * 3
    assert len(waits) == 1  # the write was not sent twice: it was read back


def test_apply_says_may_have_been_applied_when_even_the_read_back_fails(small, home, tmp_path, monkeypatch):
    monkeypatch.setattr("gui.apply_cmd.SignIn", functools.partial(SignIn, retry=FAST))
    ids = [rid for rid, r in leads_of_server(small).items() if editable(r)][:3]
    intent = Intent(MODULE, {rid: {"City": f"Maybe {rid[-4:]}"} for rid in ids},
                    {rid: {"City": leads_of_server(small)[rid]["City"]} for rid in ids})
    write_csv(tmp_path / "three.csv", [["id", "City"]] + [[rid, v["City"]] for rid, v in intent.after.items()])
    # fields, the records, the users: fine; the update: applied twice, both answers lost; the read-back: 500s.
    small.app.faults = FaultScript(None, None, None, "reset", "reset", "500", "500")

    code, out, err = run_apply(small, tmp_path / "three.csv", tmp_path / "report.csv")

    assert code == 1 and "Rows: 3 unknown" in out, (out, err)
    reported = read_report(tmp_path / "report.csv", out)
    assert set(reported.code.values()) == {OUTCOME_UNKNOWN}
    check_outcome("apply, answer lost and read-back refused", intent, reported, leads_of_server(small),
                  "reported unknown: may have been applied")


def test_the_core_rule_for_unsure_results():
    city = FieldMeta("City", "City", "text")
    call = UpdateCall(({"id": "1", "City": "B"}, {"id": "2", "City": "B"}, {"id": "3", "City": "B"}),
                      tuple((rid, (Edit(rid, "City", value="B"),)) for rid in "123"))
    lost = RecordError("NETWORK", "could not reach Zoho CRM (ReadTimeout)", top_level=True)
    refused = RecordError("DUPLICATE_DATA", "duplicate data", api_name="City")
    results = [RecordResult("1", lost), RecordResult("2", lost), RecordResult("3", refused)]
    now = {"1": Record("1", {"City": "B", "Modified_Time": "2026-03-01T10:00:00+00:00"}), "2": Record("2", {"City": "A"})}
    settled = settle_results(call, results, now, {"City": city})
    assert settled[0].ok and settled[0].modified_time == "2026-03-01T10:00:00+00:00"
    assert settled[1].error.code == "NETWORK" and settled[1].error.details["read_back"] == "not_saved"
    assert settled[2] is results[2]  # a definite refusal is never second-guessed
    unread = settle_results(call, results, None, {})
    assert [r.error.code for r in unread] == [OUTCOME_UNKNOWN, OUTCOME_UNKNOWN, "DUPLICATE_DATA"]
    server_said_no = [RecordResult("1", RecordError("INTERNAL_ERROR", "Internal Server Error", top_level=True))]
    assert settle_results(call, server_said_no, None, {})[0].error.code == "INTERNAL_ERROR"


def test_apply_timeout_option(capsys):
    assert apply_main(["--help"]) == 0
    assert "--timeout SECONDS" in capsys.readouterr().out
    for bad in ("0", "-1", "soon", "99999"):
        assert apply_main(["--module", MODULE, "--timeout", bad, "x.csv"]) == 2
        assert "--timeout" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_folders_the_app_creates_are_private_all_the_way_down(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)
    ensure_private_dir(shared / "home" / "data" / "zcrm-editor")
    for folder in (shared / "home", shared / "home" / "data", shared / "home" / "data" / "zcrm-editor"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755  # a folder that was there already is left alone
