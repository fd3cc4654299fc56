"""Updating records over real HTTP (seed 000): success shape, wire compatibility,
per-record validation errors, blocked records, batch rules, $append_values, triggers."""

from __future__ import annotations

import pytest

from .helpers import Api, dumps, error_of, only_entry

SUCCESS_DETAIL_KEYS = {"Modified_Time", "Modified_By", "Created_Time", "id", "Created_By"}


def editable_id(api: Api, module: str = "Leads", n: int = 0) -> str:
    return api.editable(module, n + 1)[n]["id"]


def current_user_id(api: Api) -> str:
    return api.get("/users", type="CurrentUser").json()["users"][0]["id"]


# -- success ---------------------------------------------------------------------------
def test_update_success_shape_and_new_modified_time(fresh_api, clock):
    lead = fresh_api.editable("Leads")[0]
    clock.advance(900)
    reply = fresh_api.put("/Leads", {"data": [{"id": lead["id"], "Company": "Renamed Ltd"}]})
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    entry = only_entry(reply)
    assert entry["code"] == "SUCCESS"
    assert entry["status"] == "success"
    assert entry["message"] == "record updated"
    details = entry["details"]
    assert set(details) == SUCCESS_DETAIL_KEYS
    assert details["id"] == lead["id"]
    assert details["Modified_Time"] == clock.stamp()
    assert details["Created_Time"] == lead["Created_Time"]
    me = current_user_id(fresh_api)
    assert details["Modified_By"]["id"] == me and details["Modified_By"]["name"]
    assert details["Created_By"]["id"] == lead["Created_By"]["id"] and details["Created_By"]["name"]

    after = fresh_api.record("Leads", lead["id"])
    assert after["Company"] == "Renamed Ltd"
    assert after["Modified_Time"] == clock.stamp() != lead["Modified_Time"]
    assert after["Modified_By"]["id"] == me
    assert after["Created_Time"] == lead["Created_Time"]


def test_update_one_record_by_url(fresh_api):
    contact = fresh_api.editable("Contacts")[0]
    reply = fresh_api.put(f"/Contacts/{contact['id']}", {"data": [{"Department": "Research"}]})
    assert reply.status_code == 200
    assert only_entry(reply)["details"]["id"] == contact["id"]
    assert fresh_api.record("Contacts", contact["id"])["Department"] == "Research"


def test_body_without_content_type_and_ids_as_19_digit_json_numbers(fresh_api):
    first, second = fresh_api.editable("Leads", 2)
    assert int(first["id"]) > 2**53  # a float would not hold it exactly
    body = ('{"data": [{"id": %s, "Company": "Numeric Id Co"}, {"id": "%s", "Company": "String Id Co"}]}'
            % (first["id"], second["id"])).encode()
    reply = fresh_api.raw("PUT", "/Leads", body)
    assert "Content-Type" not in reply.request.headers
    assert reply.status_code == 200, reply.text
    assert [e["details"]["id"] for e in reply.json()["data"]] == [first["id"], second["id"]]
    assert fresh_api.record("Leads", first["id"])["Company"] == "Numeric Id Co"
    assert fresh_api.record("Leads", second["id"])["Company"] == "String Id Co"


def test_single_record_url_without_content_type(fresh_api):
    deal = fresh_api.editable("Deals")[0]
    body = ('{"data": [{"id": %s, "Next_Step": "Sign"}]}' % deal["id"]).encode()
    reply = fresh_api.raw("PUT", f"/Deals/{deal['id']}", body)
    assert "Content-Type" not in reply.request.headers
    assert reply.status_code == 200
    assert fresh_api.record("Deals", deal["id"])["Next_Step"] == "Sign"


def test_a_fetched_record_can_be_sent_back(fresh_api):
    """System fields copied from a GET are accepted and ignored, like the real API."""
    contact = fresh_api.editable("Contacts")[0]
    payload = {k: contact[k] for k in ("id", "Created_Time", "Modified_Time", "Created_By", "Modified_By")}
    payload["Title"] = "Head of Sales"
    reply = fresh_api.put("/Contacts", {"data": [payload]})
    assert reply.status_code == 200, reply.text
    assert fresh_api.record("Contacts", contact["id"])["Title"] == "Head of Sales"


# -- per-record validation -----------------------------------------------------------
INVALID_VALUES = [
    ("Leads", "No_of_Employees", "many", "integer"),
    ("Leads", "No_of_Employees", 2**40, "integer"),
    ("Leads", "No_of_Employees", True, "integer"),
    ("Accounts", "Account_Number", "12x", "bigint"),
    ("Leads", "Lead_Score", "high", "double"),
    ("Leads", "Annual_Revenue", "lots", "currency"),
    ("Deals", "Probability", "half", "percent"),
    ("Leads", "Email_Opt_Out", "yes", "boolean"),
    ("Leads", "Email_Opt_Out", 1, "boolean"),
    ("Leads", "Follow_Up_Date", "2026-02-30", "date"),
    ("Leads", "Follow_Up_Date", "03/01/2026", "date"),
    ("Leads", "Next_Call", "2026-03-01 10:00", "datetime"),
    ("Leads", "Next_Call", "2026-03-01", "datetime"),
    ("Leads", "Email", "not-an-email", "email"),
    ("Leads", "Phone", "call me maybe", "phone"),
    ("Leads", "Website", "not a website", "website"),
    ("Leads", "Company", 42, "text"),
    ("Leads", "Description", ["a"], "textarea"),
    ("Leads", "Lead_Status", "Bogus", "picklist"),
    ("Leads", "Interests", "Security", "multiselectpicklist"),
    ("Contacts", "Account_Name", {"id": "5725767999999999999"}, "lookup"),
    ("Leads", "Owner", {"id": "5725767999999999999"}, "ownerlookup"),
    ("Leads", "Documents", "report.pdf", "fileupload"),
    ("Leads", "Photos", "photo.jpg", "imageupload"),
]


@pytest.mark.parametrize("module,field,value,expected", INVALID_VALUES,
                         ids=[f"{m}.{f}={v!r}" for m, f, v, _ in INVALID_VALUES])
def test_invalid_value_per_type(api, module, field, value, expected):
    record = api.editable(module)[0]
    reply = api.put(f"/{module}", {"data": [{"id": record["id"], field: value}]})
    assert reply.status_code == 202
    entry = only_entry(reply)
    assert entry["code"] == "INVALID_DATA" and entry["status"] == "error"
    assert entry["details"]["api_name"] == field
    assert entry["details"]["json_path"] == f"$.data[0].{field}"
    assert entry["details"]["expected_data_type"] == expected
    assert api.record(module, record["id"]) == record


def test_multiselect_value_not_in_list_points_at_the_item(api):
    lead = api.editable("Leads")[0]
    reply = api.put("/Leads", {"data": [{"id": lead["id"], "Interests": ["Security", "Gardening"]}]})
    entry = only_entry(reply)
    assert entry["code"] == "INVALID_DATA"
    assert entry["details"]["api_name"] == "Interests"
    assert entry["details"]["json_path"] == "$.data[0].Interests[1]"
    assert entry["details"]["expected_data_type"] == "multiselectpicklist"
    assert api.record("Leads", lead["id"]) == lead


def test_json_path_names_the_record_in_the_batch(fresh_api):
    a, b = fresh_api.editable("Leads", 2)
    reply = fresh_api.put("/Leads", {"data": [{"id": a["id"], "City": "Paris"}, {"id": b["id"], "Rating": "Great"}]})
    entry = reply.json()["data"][1]
    assert entry["code"] == "INVALID_DATA"
    assert entry["details"]["api_name"] == "Rating"
    assert entry["details"]["json_path"] == "$.data[1].Rating"


def test_unknown_field(api):
    lead = api.editable("Leads")[0]
    entry = only_entry(api.put("/Leads", {"data": [{"id": lead["id"], "Favourite_Colour": "blue"}]}))
    assert entry["code"] == "INVALID_DATA"
    assert entry["details"]["api_name"] == "Favourite_Colour"
    assert entry["details"]["json_path"] == "$.data[0].Favourite_Colour"


@pytest.mark.parametrize("field,value", [("Full_Name", "Someone Else"), ("Lead_Number", "LD-99999"),
                                         ("Revenue_per_Employee", 12.5), ("Last_Activity_Time",
                                                                          "2026-03-01T10:00:00+00:00")])
def test_read_only_field(api, field, value):
    lead = api.editable("Leads")[0]
    reply = api.put("/Leads", {"data": [{"id": lead["id"], field: value}]})
    assert reply.status_code == 202
    entry = only_entry(reply)
    assert entry["code"] == "INVALID_DATA"
    assert entry["details"]["api_name"] == field
    assert entry["details"]["json_path"] == f"$.data[0].{field}"
    assert api.record("Leads", lead["id"]) == lead


def test_value_too_long(api):
    lead = api.editable("Leads")[0]
    entry = only_entry(api.put("/Leads", {"data": [{"id": lead["id"], "Last_Name": "x" * 81}]}))
    assert entry["code"] == "INVALID_DATA"
    assert entry["details"]["api_name"] == "Last_Name"
    assert entry["details"]["json_path"] == "$.data[0].Last_Name"
    assert entry["details"]["maximum_length"] == 80
    assert api.record("Leads", lead["id"]) == lead


def test_value_at_maximum_length_is_fine(fresh_api):
    lead = fresh_api.editable("Leads")[0]
    reply = fresh_api.put("/Leads", {"data": [{"id": lead["id"], "Last_Name": "y" * 80}]})
    assert reply.status_code == 200
    assert fresh_api.record("Leads", lead["id"])["Last_Name"] == "y" * 80


def test_missing_id_is_mandatory_not_found(api):
    reply = api.put("/Leads", {"data": [{"Company": "No Id Inc"}]})
    assert reply.status_code == 202
    entry = only_entry(reply)
    assert entry["code"] == "MANDATORY_NOT_FOUND"
    assert entry["details"]["api_name"] == "id"


@pytest.mark.parametrize("module,field,empty", [("Leads", "Last_Name", None), ("Leads", "Last_Name", ""),
                                                ("Deals", "Stage", None), ("Accounts", "Account_Name", "")])
def test_clearing_a_mandatory_field(api, module, field, empty):
    record = api.editable(module)[0]
    reply = api.put(f"/{module}", {"data": [{"id": record["id"], field: empty}]})
    assert reply.status_code == 202
    entry = only_entry(reply)
    assert entry["code"] == "MANDATORY_NOT_FOUND"
    assert entry["details"]["api_name"] == field
    assert api.record(module, record["id"]) == record


def test_clearing_an_optional_field_works(fresh_api):
    lead = next(r for r in fresh_api.editable("Leads", 20) if r["Phone"])
    assert fresh_api.put("/Leads", {"data": [{"id": lead["id"], "Phone": None}]}).status_code == 200
    assert fresh_api.record("Leads", lead["id"])["Phone"] is None


def test_duplicate_unique_value(api):
    a, b = api.editable("Leads", 2)
    reply = api.put("/Leads", {"data": [{"id": a["id"], "Email": b["Email"].upper()}]})
    assert reply.status_code == 202
    entry = only_entry(reply)
    assert entry["code"] == "DUPLICATE_DATA"
    assert entry["details"]["api_name"] == "Email"
    assert entry["details"]["id"] == b["id"]
    assert api.record("Leads", a["id"]) == a


def test_duplicate_account_name(api):
    a, b = api.editable("Accounts", 2)
    entry = only_entry(api.put("/Accounts", {"data": [{"id": a["id"], "Account_Name": b["Account_Name"]}]}))
    assert entry["code"] == "DUPLICATE_DATA"
    assert entry["details"]["api_name"] == "Account_Name"
    assert entry["details"]["id"] == b["id"]


def test_unique_value_moves_with_the_record(fresh_api):
    """After A gives up its email, B may take it; A may not take it back."""
    a, b = fresh_api.editable("Leads", 2)
    old = a["Email"]
    assert fresh_api.put("/Leads", {"data": [{"id": a["id"], "Email": "fresh.address@example.com"}]}).status_code == 200
    assert fresh_api.put("/Leads", {"data": [{"id": b["id"], "Email": old}]}).status_code == 200
    entry = only_entry(fresh_api.put("/Leads", {"data": [{"id": a["id"], "Email": old}]}))
    assert entry["code"] == "DUPLICATE_DATA" and entry["details"]["id"] == b["id"]


def test_duplicate_inside_one_batch_and_own_value(fresh_api):
    a, b = fresh_api.editable("Leads", 2)
    reply = fresh_api.put("/Leads", {"data": [{"id": a["id"], "Email": "same.person@example.com"},
                                              {"id": b["id"], "Email": "Same.Person@example.com"}]})
    assert reply.status_code == 207
    first, second = reply.json()["data"]
    assert first["code"] == "SUCCESS"
    assert second["code"] == "DUPLICATE_DATA" and second["details"]["id"] == a["id"]
    assert fresh_api.record("Leads", b["id"])["Email"] == b["Email"]
    # Sending a record's own value back is not a duplicate.
    assert fresh_api.put("/Leads", {"data": [{"id": b["id"], "Email": b["Email"]}]}).status_code == 200


def blocked_leads(api: Api) -> tuple[list[dict], list[dict]]:
    leads = api.all_records("Leads")
    return ([r for r in leads if r["$approved"] is False],
            [r for r in leads if r["$locked_for_me"] is True and r["$approved"] is True])


def test_not_approved(api):
    waiting, _ = blocked_leads(api)
    lead = waiting[0]
    reply = api.put("/Leads", {"data": [{"id": lead["id"], "City": "Oslo"}]})
    assert reply.status_code == 400
    entry = only_entry(reply)
    assert entry["code"] == "NOT_APPROVED"
    assert entry["details"] == {"id": lead["id"]}
    assert api.record("Leads", lead["id"]) == lead


def test_record_locked(api):
    _, locked = blocked_leads(api)
    lead = locked[0]
    reply = api.put(f"/Leads/{lead['id']}", {"data": [{"City": "Oslo"}]})
    assert reply.status_code == 400
    entry = only_entry(reply)
    assert entry["code"] == "RECORD_LOCKED"
    assert entry["details"] == {"action": "zia_vision_processing", "id": lead["id"]}
    assert api.record("Leads", lead["id"]) == lead


@pytest.mark.parametrize("bad_id", ["123", "5725767999999999999", "not-an-id", 5725767999999999999])
def test_invalid_or_unknown_id(api, bad_id):
    reply = api.put("/Leads", {"data": [{"id": bad_id, "City": "Oslo"}]})
    assert reply.status_code == 202
    entry = only_entry(reply)
    assert entry["code"] == "INVALID_DATA"
    assert entry["details"]["id"] == str(bad_id)


def test_unknown_id_in_url(api):
    entry = only_entry(api.put("/Leads/5725767999999999999", {"data": [{"City": "Oslo"}]}))
    assert entry["code"] == "INVALID_DATA"
    assert entry["details"]["id"] == "5725767999999999999"
    bad = api.put("/Leads/abc", {"data": [{"City": "Oslo"}]})
    assert bad.status_code == 400 and error_of(bad)["code"] == "INVALID_DATA"


def test_at_most_100_records_per_call(fresh_api):
    contacts = fresh_api.all_records("Contacts")
    ids = [c["id"] for c in contacts]
    too_many = [{"id": ids[i % len(ids)], "Department": "Batch"} for i in range(101)]
    reply = fresh_api.put("/Contacts", {"data": too_many})
    assert reply.status_code == 400
    body = error_of(reply)
    assert body["code"] == "LIMIT_EXCEEDED"
    assert all(c["Department"] != "Batch" for c in fresh_api.all_records("Contacts"))

    hundred = [{"id": ids[i % len(ids)], "Department": "Batch"} for i in range(100)]
    ok = fresh_api.put("/Contacts", {"data": hundred})
    assert ok.status_code == 200
    assert len(ok.json()["data"]) == 100
    assert all(c["Department"] == "Batch" for c in fresh_api.all_records("Contacts"))


@pytest.mark.parametrize("body", [b'{"data": [', b"not json at all", b"\xff\xfe\x00garbage", b"",
                                  b'{"data": [{"id": 1,}]}'])
def test_malformed_json_is_a_clean_400(api, body):
    reply = api.raw("PUT", "/Leads", body)
    assert reply.status_code == 400
    assert reply.headers["Content-Type"].startswith("application/json")
    assert error_of(reply)["code"] == "INVALID_DATA"
    assert "Traceback" not in reply.text and "File \"" not in reply.text


@pytest.mark.parametrize("payload,code", [({"data": []}, "INVALID_DATA"), ({"rows": []}, "MANDATORY_NOT_FOUND"),
                                          ([1, 2], "INVALID_DATA"), ({"data": "x"}, "INVALID_DATA")])
def test_wrong_body_shape(api, payload, code):
    reply = api.put("/Leads", payload)
    assert reply.status_code == 400
    assert error_of(reply)["code"] == code


def test_invalid_trigger(api):
    lead = api.editable("Leads")[0]
    reply = api.put("/Leads", {"data": [{"id": lead["id"], "City": "Oslo"}], "trigger": ["everything"]})
    assert reply.status_code == 400 and error_of(reply)["code"] == "INVALID_DATA"
    assert api.record("Leads", lead["id"]) == lead


# -- batches ----------------------------------------------------------------------------
def test_mixed_batch_is_207_in_input_order(fresh_api):
    a, b = fresh_api.editable("Leads", 2)
    waiting, _ = blocked_leads(fresh_api)
    reply = fresh_api.put("/Leads", {"data": [
        {"id": a["id"], "City": "Oslo"},
        {"id": "123", "City": "Oslo"},
        {"id": waiting[0]["id"], "City": "Oslo"},
        {"id": b["id"], "Rating": "No such rating"},
    ]})
    assert reply.status_code == 207
    codes = [e["code"] for e in reply.json()["data"]]
    assert codes == ["SUCCESS", "INVALID_DATA", "NOT_APPROVED", "INVALID_DATA"]
    assert fresh_api.record("Leads", a["id"])["City"] == "Oslo"
    assert fresh_api.record("Leads", b["id"]) == b


def test_all_success_batch_is_200(fresh_api):
    rows = fresh_api.editable("Accounts", 3)
    reply = fresh_api.put("/Accounts", {"data": [{"id": r["id"], "Billing_City": f"City {i}"}
                                                 for i, r in enumerate(rows)]})
    assert reply.status_code == 200
    assert [e["code"] for e in reply.json()["data"]] == ["SUCCESS"] * 3
    assert [fresh_api.record("Accounts", r["id"])["Billing_City"] for r in rows] == ["City 0", "City 1", "City 2"]


@pytest.mark.parametrize("order", ["good_first", "bad_first"])
def test_a_record_is_never_half_applied(fresh_api, clock, order):
    a, b = fresh_api.editable("Leads", 2)
    good, bad = ("Company", "Half Applied Co"), ("No_of_Employees", "lots")
    fields = [good, bad] if order == "good_first" else [bad, good]
    clock.advance(60)
    reply = fresh_api.put("/Leads", {"data": [{"id": a["id"], **dict(fields)},
                                              {"id": b["id"], "Company": "Whole Co"}]})
    assert reply.status_code == 207
    first, second = reply.json()["data"]
    assert first["code"] == "INVALID_DATA" and first["details"]["api_name"] == "No_of_Employees"
    assert second["code"] == "SUCCESS"
    assert fresh_api.record("Leads", a["id"]) == a  # untouched, Modified_Time included
    assert fresh_api.record("Leads", b["id"])["Company"] == "Whole Co"


# -- multi-select ------------------------------------------------------------------------
def test_append_values_adds_to_a_multiselect(fresh_api):
    lead = next(r for r in fresh_api.editable("Leads", 30) if r["Interests"] and "Training" not in r["Interests"])
    body = {"data": [{"id": lead["id"], "Interests": ["Training"], "$append_values": {"Interests": True}}]}
    assert fresh_api.put("/Leads", body).status_code == 200
    assert fresh_api.record("Leads", lead["id"])["Interests"] == lead["Interests"] + ["Training"]


def test_without_append_values_a_multiselect_is_replaced(fresh_api):
    lead = next(r for r in fresh_api.editable("Leads", 30) if len(r["Interests"]) >= 2)
    assert fresh_api.put("/Leads", {"data": [{"id": lead["id"], "Interests": ["Training"]}]}).status_code == 200
    assert fresh_api.record("Leads", lead["id"])["Interests"] == ["Training"]
    # $append_values false is the same as leaving it out.
    body = {"data": [{"id": lead["id"], "Interests": ["Security"], "$append_values": {"Interests": False}}]}
    assert fresh_api.put("/Leads", body).status_code == 200
    assert fresh_api.record("Leads", lead["id"])["Interests"] == ["Security"]


# -- triggers: the demo workflow rule --------------------------------------------------
@pytest.mark.parametrize("trigger,fires", [(None, True), (["workflow"], True), (["approval", "workflow"], True),
                                           ([], False), (["approval"], False)])
def test_workflow_runs_only_when_allowed(fresh_api, clock, trigger, fires):
    lead = next(r for r in fresh_api.editable("Leads", 30) if r["Last_Activity_Time"] is None)
    clock.advance(600)
    body = {"data": [{"id": lead["id"], "Lead_Status": "Contacted"}]}
    if trigger is not None:
        body["trigger"] = trigger
    assert fresh_api.put("/Leads", body).status_code == 200
    after = fresh_api.record("Leads", lead["id"])
    assert after["Lead_Status"] == "Contacted"
    assert after["Last_Activity_Time"] == (clock.stamp() if fires else None)


def test_workflow_only_for_contacted(fresh_api):
    lead = next(r for r in fresh_api.editable("Leads", 30) if r["Last_Activity_Time"] is None)
    assert fresh_api.put("/Leads", {"data": [{"id": lead["id"], "Lead_Status": "Junk Lead"}]}).status_code == 200
    assert fresh_api.record("Leads", lead["id"])["Last_Activity_Time"] is None


def test_numbers_round_trip(fresh_api):
    lead = fresh_api.editable("Leads")[0]
    body = {"data": [{"id": lead["id"], "No_of_Employees": "250", "Annual_Revenue": 1_000_000,
                      "Lead_Score": 12.5, "Email_Opt_Out": True, "Follow_Up_Date": "2026-04-30",
                      "Next_Call": "2026-04-30T15:30:00+02:00", "Website": "https://example.org/x"}]}
    reply = fresh_api.request("PUT", "/Leads", data=dumps(body))
    assert reply.status_code == 200, reply.text
    after = fresh_api.record("Leads", lead["id"])
    assert after["No_of_Employees"] == 250
    assert after["Annual_Revenue"] == 1_000_000
    assert after["Revenue_per_Employee"] == 4000  # the formula follows its inputs
    assert after["Lead_Score"] == 12.5 and after["Email_Opt_Out"] is True
    assert after["Follow_Up_Date"] == "2026-04-30"
    assert after["Next_Call"] == "2026-04-30T13:30:00+00:00"


def test_names_and_formulas_follow_their_inputs_and_only_them(fresh_api, clock):
    """Full names and formulas are recomputed when a field they are made of changes; an
    update of another field leaves them as they were (and stamps every record of a call alike)."""
    lead, other = fresh_api.editable("Leads", 2)
    deal = fresh_api.editable("Deals")[0]
    clock.advance(60)
    reply = fresh_api.put("/Leads", {"data": [{"id": lead["id"], "First_Name": "Ada", "Last_Name": "Quill",
                                               "No_of_Employees": 8, "Annual_Revenue": 100_000},
                                              {"id": other["id"], "Lead_Status": "Contacted"}]})
    assert reply.status_code == 200
    stamps = {e["details"]["Modified_Time"] for e in reply.json()["data"]}
    assert stamps == {clock.stamp()}
    after = fresh_api.record("Leads", lead["id"])
    assert after["Full_Name"] == "Ada Quill" and after["Revenue_per_Employee"] == 12_500
    untouched = fresh_api.record("Leads", other["id"])
    assert (untouched["Full_Name"], untouched["Revenue_per_Employee"]) == (other["Full_Name"],
                                                                           other["Revenue_per_Employee"])
    assert fresh_api.put("/Deals", {"data": [{"id": deal["id"], "Amount": 1000, "Probability": 40}]}).status_code == 200
    assert fresh_api.record("Deals", deal["id"])["Expected_Revenue"] == 400
    mass = fresh_api.post("/Leads/actions/mass_update", {"data": [{"Lead_Status": "Junk Lead"}], "ids": [lead["id"]]})
    assert mass.status_code == 200
    assert fresh_api.record("Leads", lead["id"])["Full_Name"] == "Ada Quill"
