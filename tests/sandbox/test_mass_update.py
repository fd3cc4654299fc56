"""Mass update over real HTTP (seed 004): by ids, its errors, over_write, the 500-id cap,
and the background job started with a custom view id."""

from __future__ import annotations

import time

import pytest

from .helpers import Api, error_of, only_entry

PATH = "/Leads/actions/mass_update"


def split_leads(api: Api) -> tuple[list[dict], list[dict], list[dict]]:
    leads = api.all_records("Leads")
    ok = [r for r in leads if r["$approved"] and not r["$locked_for_me"] and r["$editable"]]
    waiting = [r for r in leads if r["$approved"] is False]
    locked = [r for r in leads if r["$locked_for_me"] is True and r["$approved"] is True]
    return ok, waiting, locked


def test_mass_update_by_ids(fresh_api, clock):
    ok, _, _ = split_leads(fresh_api)
    ids = [r["id"] for r in ok[:3]]
    clock.advance(120)
    reply = fresh_api.post(PATH, {"data": [{"No_of_Employees": 1000}], "over_write": True, "ids": ids})
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    entries = reply.json()["data"]
    assert [e["code"] for e in entries] == ["SUCCESS"] * 3
    assert [e["details"]["id"] for e in entries] == ids
    for e in entries:
        assert e["message"] == "record updated" and e["status"] == "success"
        assert set(e["details"]) == {"Modified_Time", "Modified_By", "Created_Time", "id", "Created_By"}
        assert e["details"]["Modified_Time"] == clock.stamp()
    for rid in ids:
        after = fresh_api.record("Leads", rid)
        assert after["No_of_Employees"] == 1000
        assert after["Modified_Time"] == clock.stamp()
    untouched = fresh_api.record("Leads", ok[3]["id"])
    assert untouched == ok[3]


def test_mass_update_ids_as_numbers_without_content_type(fresh_api):
    ok, _, _ = split_leads(fresh_api)
    body = ('{"data": [{"City": "Numberville"}], "ids": [%s, %s]}' % (ok[0]["id"], ok[1]["id"])).encode()
    reply = fresh_api.raw("POST", PATH, body)
    assert "Content-Type" not in reply.request.headers
    assert reply.status_code == 200, reply.text
    assert [e["details"]["id"] for e in reply.json()["data"]] == [ok[0]["id"], ok[1]["id"]]
    assert fresh_api.record("Leads", ok[1]["id"])["City"] == "Numberville"


def test_empty_data_is_no_field_found(api):
    ok, _, _ = split_leads(api)
    reply = api.post(PATH, {"data": [{}], "over_write": True, "ids": [ok[0]["id"]]})
    assert reply.status_code == 200
    assert only_entry(reply) == {"code": "INVALID_DATA", "details": {}, "message": "No field found",
                                 "status": "error"}
    assert api.record("Leads", ok[0]["id"]) == ok[0]


@pytest.mark.parametrize("field,value", [("Email", "x@example.com"), ("No_of_Employees1", 1000),
                                         ("Full_Name", "Somebody"), ("Photos", [])])
def test_field_that_cannot_be_mass_updated(api, field, value):
    ok, _, _ = split_leads(api)
    reply = api.post(PATH, {"data": [{field: value}], "ids": [ok[0]["id"]]})
    assert reply.status_code == 200
    assert only_entry(reply) == {"code": "INVALID_DATA",
                                 "details": {"api_name": field, "json_path": f"$.data[0].{field}"},
                                 "message": "This field cannot be updated in the Mass Update", "status": "error"}
    assert api.record("Leads", ok[0]["id"]) == ok[0]


def test_invalid_value_is_refused_before_any_record(api):
    ok, _, _ = split_leads(api)
    entry = only_entry(api.post(PATH, {"data": [{"No_of_Employees": "many"}], "ids": [ok[0]["id"]]}))
    assert entry["code"] == "INVALID_DATA"
    assert entry["details"]["api_name"] == "No_of_Employees"
    assert entry["details"]["expected_data_type"] == "integer"
    assert api.record("Leads", ok[0]["id"]) == ok[0]


def test_one_field_per_call_three_in_deals(fresh_api):
    ok, _, _ = split_leads(fresh_api)
    two = fresh_api.post(PATH, {"data": [{"City": "A", "State": "B"}], "ids": [ok[0]["id"]]})
    assert only_entry(two)["code"] == "INVALID_DATA"
    assert fresh_api.record("Leads", ok[0]["id"]) == ok[0]

    deal = fresh_api.all_records("Deals")[0]
    three = fresh_api.post("/Deals/actions/mass_update",
                           {"data": [{"Next_Step": "Call", "Type": "New Business", "Lead_Source": "Chat"}],
                            "ids": [deal["id"]]})
    assert three.status_code == 200 and only_entry(three)["code"] == "SUCCESS"
    four = fresh_api.post("/Deals/actions/mass_update",
                          {"data": [{"Next_Step": "X", "Type": "-None-", "Lead_Source": "Partner", "Amount": 5}],
                           "ids": [deal["id"]]})
    assert only_entry(four)["code"] == "INVALID_DATA"
    after = fresh_api.record("Deals", deal["id"])
    assert (after["Next_Step"], after["Type"], after["Lead_Source"]) == ("Call", "New Business", "Chat")


def test_invalid_ids_mixed_with_good_ones_is_207(fresh_api):
    ok, _, _ = split_leads(fresh_api)
    ids = [ok[0]["id"], "73896400000213126", ok[1]["id"], "not-an-id"]
    reply = fresh_api.post(PATH, {"data": [{"City": "Mixtown"}], "ids": ids})
    assert reply.status_code == 207
    entries = reply.json()["data"]
    assert [e["code"] for e in entries] == ["SUCCESS", "INVALID_DATA", "SUCCESS", "INVALID_DATA"]
    assert entries[1] == {"code": "INVALID_DATA", "details": {"id": "73896400000213126"},
                          "message": "the id given seems to be invalid", "status": "error"}
    assert entries[3]["details"] == {"id": "not-an-id"}
    assert fresh_api.record("Leads", ok[0]["id"])["City"] == "Mixtown"
    assert fresh_api.record("Leads", ok[1]["id"])["City"] == "Mixtown"


def test_only_invalid_ids_is_207_like_the_seed(api):
    reply = api.post(PATH, {"data": [{"City": "Nowhere"}], "ids": ["73896400000213126", "73896400000213100"]})
    assert reply.status_code == 207
    assert [e["details"] for e in reply.json()["data"]] == [{"id": "73896400000213126"},
                                                              {"id": "73896400000213100"}]


@pytest.mark.parametrize("extra", [{}, {"ids": []}])
def test_no_ids_or_cvid_is_mandatory_not_found(api, extra):
    reply = api.post(PATH, {"data": [{"No_of_Employees": 1000}], "over_write": True, **extra})
    assert reply.status_code == 200
    entry = only_entry(reply)
    assert entry["code"] == "MANDATORY_NOT_FOUND"
    assert entry["status"] == "error"


def test_not_approved_is_400(api):
    _, waiting, _ = split_leads(api)
    reply = api.post(PATH, {"data": [{"City": "Oslo"}], "ids": [waiting[0]["id"]]})
    assert reply.status_code == 400
    assert only_entry(reply) == {"code": "NOT_APPROVED", "details": {"id": waiting[0]["id"]},
                                 "message": "cannot update record that is not approved yet", "status": "error"}
    assert api.record("Leads", waiting[0]["id"]) == waiting[0]


def test_record_locked_is_400(api):
    _, waiting, locked = split_leads(api)
    reply = api.post(PATH, {"data": [{"City": "Oslo"}], "ids": [locked[0]["id"]]})
    assert reply.status_code == 400
    entry = only_entry(reply)
    assert entry["code"] == "RECORD_LOCKED"
    assert entry["details"] == {"action": "zia_vision_processing", "id": locked[0]["id"]}
    both = api.post(PATH, {"data": [{"City": "Oslo"}], "ids": [locked[1]["id"], waiting[1]["id"]]})
    assert both.status_code == 400
    assert [e["code"] for e in both.json()["data"]] == ["RECORD_LOCKED", "NOT_APPROVED"]
    assert api.record("Leads", locked[0]["id"]) == locked[0]


def test_blocked_mixed_with_good_is_207(fresh_api):
    ok, waiting, _ = split_leads(fresh_api)
    reply = fresh_api.post(PATH, {"data": [{"City": "Oslo"}], "ids": [ok[0]["id"], waiting[0]["id"]]})
    assert reply.status_code == 207
    assert [e["code"] for e in reply.json()["data"]] == ["SUCCESS", "NOT_APPROVED"]


def test_over_write_replaces_or_appends_a_multiselect(fresh_api):
    ok, _, _ = split_leads(fresh_api)
    a, b, c = [r for r in ok if r["Interests"] and "Training" not in r["Interests"]][:3]
    assert fresh_api.post(PATH, {"data": [{"Interests": ["Training"]}], "over_write": True,
                                 "ids": [a["id"]]}).status_code == 200
    assert fresh_api.post(PATH, {"data": [{"Interests": ["Training"]}], "over_write": False,
                                 "ids": [b["id"]]}).status_code == 200
    assert fresh_api.post(PATH, {"data": [{"Interests": ["Training"]}], "ids": [c["id"]]}).status_code == 200
    assert fresh_api.record("Leads", a["id"])["Interests"] == ["Training"]
    assert fresh_api.record("Leads", b["id"])["Interests"] == b["Interests"] + ["Training"]
    assert fresh_api.record("Leads", c["id"])["Interests"] == c["Interests"] + ["Training"]  # default appends


def test_more_than_500_ids_is_refused(fresh_api):
    ok, _, _ = split_leads(fresh_api)
    ids = [ok[i % len(ok)]["id"] for i in range(501)]
    reply = fresh_api.post(PATH, {"data": [{"City": "Toomany"}], "ids": ids})
    entry = only_entry(reply)
    assert entry["status"] == "error"
    assert entry["code"] == "LIMIT_EXCEEDED"
    assert all(r["City"] != "Toomany" for r in fresh_api.all_records("Leads"))
    fine = fresh_api.post(PATH, {"data": [{"City": "Fivehundred"}], "ids": ids[:500]})
    assert fine.status_code == 200 and len(fine.json()["data"]) == 500


def test_mass_update_respects_triggers(fresh_api, clock):
    ok, _, _ = split_leads(fresh_api)
    quiet, loud = [r for r in ok if r["Last_Activity_Time"] is None][:2]
    clock.advance(300)
    fresh_api.post(PATH, {"data": [{"Lead_Status": "Contacted"}], "ids": [quiet["id"]], "trigger": []})
    fresh_api.post(PATH, {"data": [{"Lead_Status": "Contacted"}], "ids": [loud["id"]], "trigger": ["workflow"]})
    assert fresh_api.record("Leads", quiet["id"])["Last_Activity_Time"] is None
    assert fresh_api.record("Leads", loud["id"])["Last_Activity_Time"] == clock.stamp()


def test_wrong_method_and_malformed_body(api):
    copy = api.request("COPY", PATH, json={"data": [{"City": "X"}], "ids": []})
    assert copy.status_code == 400
    assert error_of(copy)["code"] == "INVALID_REQUEST_METHOD"
    broken = api.raw("POST", PATH, b'{"data": [{"City": ')
    assert broken.status_code == 400 and error_of(broken)["code"] == "INVALID_DATA"
    assert "Traceback" not in broken.text


def poll_job(api: Api, module: str, job_id: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        reply = api.get(f"/{module}/actions/mass_update", job_id=job_id)
        assert reply.status_code == 200, reply.text
        status = reply.json()["data"][0]
        assert status["Status"] in ("SCHEDULED", "RUNNING", "COMPLETED", "FAILED")
        if status["Status"] in ("COMPLETED", "FAILED") or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_mass_update_by_custom_view_is_a_job(fresh_api):
    views = fresh_api.get("/settings/custom_views", module="Leads").json()["custom_views"]
    all_leads = next(v for v in views if v["name"] == "All Leads")
    ok, waiting, locked = split_leads(fresh_api)
    reply = fresh_api.post(PATH, {"data": [{"Rating": "Active"}], "cvid": all_leads["id"]})
    assert reply.status_code == 200
    entry = only_entry(reply)
    assert entry["code"] == "SUCCESS" and entry["message"] == "mass update scheduled successfully"
    job_id = entry["details"]["job_id"]

    status = poll_job(fresh_api, "Leads", job_id)
    assert status["Status"] == "COMPLETED"
    assert status["Total_Count"] == 60
    assert status["Updated_Count"] + status["Not_Updated_Count"] + status["Failed_Count"] == status["Total_Count"]
    assert status["Updated_Count"] == len(ok)
    leads = {r["id"]: r for r in fresh_api.all_records("Leads")}
    assert all(leads[r["id"]]["Rating"] == "Active" for r in ok)
    assert all(leads[r["id"]] == r for r in waiting + locked)


def test_job_status_errors(api):
    missing = api.get(PATH)
    assert missing.status_code == 400 and error_of(missing)["code"] == "REQUIRED_PARAM_MISSING"
    unknown = api.get(PATH, job_id="12345")
    assert unknown.status_code == 400 and error_of(unknown)["code"] == "INVALID_DATA"
    bad_view = api.post(PATH, {"data": [{"City": "X"}], "cvid": "1"})
    assert only_entry(bad_view)["code"] == "INVALID_DATA"
