"""Reading records over real HTTP: paging, fields, ids, sorting, 204, the 2,000-record cap,
single records, id format, headers, credits, and the demo data itself."""

from __future__ import annotations

import re

import pytest

from gui.sandbox import SandboxServer

from .helpers import Api, error_of

RECORD_KEYS = ("$approved", "$locked_for_me", "$editable", "Modified_Time", "Modified_By", "Created_Time",
               "Created_By", "Owner")


def is_zoho_id(value) -> bool:
    return isinstance(value, str) and value.isdigit() and len(value) == 19


def test_pages_and_more_records(api):
    first = api.get("/Leads", page=1, per_page=25)
    second = api.get("/Leads", page=2, per_page=25)
    third = api.get("/Leads", page=3, per_page=25)
    assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
    for reply, page, count, more in ((first, 1, 25, True), (second, 2, 25, True), (third, 3, 10, False)):
        body = reply.json()
        assert len(body["data"]) == count
        assert body["info"]["page"] == page
        assert body["info"]["per_page"] == 25
        assert body["info"]["count"] == count
        assert body["info"]["more_records"] is more
    ids = [r["id"] for reply in (first, second, third) for r in reply.json()["data"]]
    assert len(ids) == len(set(ids)) == 60


def test_page_past_the_end_is_204_without_body(api):
    reply = api.get("/Leads", page=4, per_page=25)
    assert reply.status_code == 204
    assert reply.content == b""


def test_per_page_is_at_most_200(big):
    reply = Api(big).get("/Leads", per_page=500, fields="Last_Name")
    assert reply.status_code == 200
    assert len(reply.json()["data"]) == 200
    assert reply.json()["info"]["per_page"] == 200
    assert reply.json()["info"]["more_records"] is True


def test_page_and_per_page_sent_as_strings_like_the_sdk(api):
    reply = api.get("/Contacts", page="2", per_page="7", fields="Last_Name,Email")
    assert reply.status_code == 200
    info = reply.json()["info"]
    assert (info["page"], info["per_page"], info["count"]) == (2, 7, 7)


def test_fields_returns_only_the_asked_fields_and_id(api):
    reply = api.request("GET", "/Leads?page=1&per_page=10&fields=Last_Name%2CEmail")
    assert reply.status_code == 200
    rows = reply.json()["data"]
    assert len(rows) == 10
    for row in rows:
        assert {k for k in row if not k.startswith("$")} == {"Last_Name", "Email", "id"}
        assert {"$approved", "$locked_for_me", "$editable"} <= set(row)  # state keys always come along
        assert row["Last_Name"] and "@" in row["Email"]


def test_ids_filter(api):
    all_ids = [r["id"] for r in api.all_records("Accounts", fields="Account_Name")]
    wanted = [all_ids[7], all_ids[3], all_ids[42]]
    reply = api.get("/Accounts", ids=",".join(wanted), fields="Account_Name")
    assert reply.status_code == 200
    assert sorted(r["id"] for r in reply.json()["data"]) == sorted(wanted)


def test_sort_by_id_desc_and_modified_time(api):
    asc = [r["id"] for r in api.get("/Deals", per_page=200, fields="Deal_Name").json()["data"]]
    desc = [r["id"] for r in api.get("/Deals", per_page=200, fields="Deal_Name", sort_by="id",
                                    sort_order="desc").json()["data"]]
    assert asc == sorted(asc, key=int)
    assert desc == sorted(asc, key=int, reverse=True)
    by_time = api.get("/Deals", per_page=200, fields="Modified_Time", sort_by="Modified_Time",
                      sort_order="asc").json()["data"]
    times = [r["Modified_Time"] for r in by_time]
    assert times == sorted(times) and len(set(times)) > 1
    newest_first = api.get("/Deals", per_page=200, fields="Modified_Time", sort_by="Modified_Time",
                           sort_order="desc").json()["data"]
    assert [r["Modified_Time"] for r in newest_first] == sorted(times, reverse=True)


def test_record_count(api):
    for module in ("Leads", "Deals"):
        reply = api.get(f"/{module}/actions/count")
        assert reply.status_code == 200
        assert reply.json() == {"count": 60}


def test_get_one_record(api):
    some = api.get("/Contacts", per_page=3).json()["data"][2]
    reply = api.get(f"/Contacts/{some['id']}")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    data = reply.json()["data"]
    assert len(data) == 1 and data[0]["id"] == some["id"]
    assert data[0]["Last_Name"] == some["Last_Name"]


def test_get_unknown_record(api):
    assert api.get("/Contacts/5725767999999999999").status_code == 204
    bad = api.get("/Contacts/not-an-id")
    assert bad.status_code == 400
    assert error_of(bad)["code"] == "INVALID_DATA"


def test_ids_are_19_digit_strings(api):
    for module in ("Leads", "Contacts", "Accounts", "Deals"):
        rows = api.get(f"/{module}", per_page=200).json()["data"]
        for row in rows:
            assert is_zoho_id(row["id"]), row["id"]
            for key in ("Owner", "Created_By", "Modified_By"):
                assert is_zoho_id(row[key]["id"]), (module, key)
    contacts = api.get("/Contacts", per_page=200, fields="Account_Name").json()["data"]
    linked = [c["Account_Name"] for c in contacts if c["Account_Name"]]
    assert linked and all(is_zoho_id(ref["id"]) and ref["name"] for ref in linked)
    # Raw text too: the ids are quoted in the JSON, never bare numbers.
    raw = api.get("/Leads", per_page=5, fields="Last_Name").text
    assert len(re.findall(r'"id":\s*"\d{19}"', raw)) == 5
    assert not re.search(r'"id":\s*\d', raw)


def test_replies_are_json(api):
    for reply in (api.get("/Leads", per_page=1), api.get("/settings/modules"),
                  api.get("/settings/fields", module="Deals"), api.get("/Nope")):
        assert reply.headers["Content-Type"].startswith("application/json"), reply.url


def test_credits_header_decreases(api):
    values = [int(api.get("/Leads", per_page=1, fields="Last_Name").headers["X-API-CREDITS-REMAINING"])
              for _ in range(3)]
    assert values[0] > values[1] > values[2] >= 0


def test_records_carry_the_system_keys(api):
    for module in ("Leads", "Contacts", "Accounts", "Deals"):
        for row in api.get(f"/{module}", per_page=200).json()["data"]:
            for key in RECORD_KEYS:
                assert key in row, (module, key)
            assert isinstance(row["$approved"], bool) and isinstance(row["$locked_for_me"], bool)
            assert row["Owner"]["name"] and "@" in row["Owner"]["email"]


def test_leads_have_records_awaiting_approval_and_locked(api):
    leads = api.all_records("Leads")
    assert sum(1 for r in leads if r["$approved"] is False) >= 5
    assert sum(1 for r in leads if r["$locked_for_me"] is True) >= 5


def test_demo_data_has_multiselects_images_and_files(api):
    leads = api.all_records("Leads")
    assert any(len(r["Interests"]) >= 2 for r in leads)
    assert any(r["Photos"] for r in leads)
    assert any(r["Documents"] for r in leads)
    assert all("@" in r["Email"] and r["Company"] and r["Phone"] for r in leads)


def dump_org(srv: SandboxServer) -> dict[str, list[dict]]:
    api = Api(srv)
    return {m: api.all_records(m) for m in ("Leads", "Contacts", "Accounts", "Deals")}


def test_demo_data_is_deterministic(make_server):
    one = dump_org(make_server(records=15))
    two = dump_org(make_server(records=15))
    other = dump_org(make_server(records=15, seed="another-seed"))
    assert one == two
    assert len(one["Leads"]) == 15
    assert one != other
    assert [r["Last_Name"] for r in one["Leads"]] != [r["Last_Name"] for r in other["Leads"]]


@pytest.fixture(scope="module")
def big(reaper):
    srv = SandboxServer(records=2100, port=0).start()
    yield srv
    reaper(srv)


def test_page_cap_at_2000_records(big):
    api = Api(big)
    last_allowed = api.get("/Leads", page=10, per_page=200, fields="Last_Name")
    assert last_allowed.status_code == 200
    assert len(last_allowed.json()["data"]) == 200
    assert last_allowed.json()["info"]["more_records"] is True
    capped = api.get("/Leads", page=11, per_page=200, fields="Last_Name")
    assert capped.status_code == 400
    body = error_of(capped)
    assert body["code"] == "DISCRETE_PAGINATION_LIMIT_EXCEEDED"
    assert body["details"]["limit"] == 2000
    # The cap is on the record position, whatever the page size.
    assert error_of(api.get("/Leads", page=21, per_page=100))["code"] == "DISCRETE_PAGINATION_LIMIT_EXCEEDED"


def test_approved_lists_the_records_awaiting_approval_or_the_others(api):
    every = api.all_records("Leads", fields="Last_Name")
    waiting = [r["id"] for r in every if r["$approved"] is False]
    assert waiting and len(waiting) < len(every)

    listed = api.get("/Leads", approved="false", fields="Last_Name", per_page=200)
    assert listed.status_code == 200
    body = listed.json()
    assert [r["id"] for r in body["data"]] == waiting  # in id order, with their state
    assert all(r["$approved"] is False for r in body["data"])
    assert body["info"]["count"] == len(waiting) and body["info"]["more_records"] is False

    approved = api.get("/Leads", approved="true", fields="Last_Name", per_page=200).json()["data"]
    assert [r["id"] for r in approved] == [r["id"] for r in every if r["$approved"] is not False]
    both = api.get("/Leads", approved="both", fields="Last_Name", per_page=200).json()["data"]
    assert [r["id"] for r in both] == [r["id"] for r in every]


def test_approved_pages_and_combines_with_ids(api):
    waiting = [r["id"] for r in api.all_records("Leads") if r["$approved"] is False]
    first = api.get("/Leads", approved="false", per_page=2, page=1).json()
    assert [r["id"] for r in first["data"]] == waiting[:2] and first["info"]["more_records"] is True
    beyond = api.get("/Leads", approved="false", per_page=200, page=2)
    assert beyond.status_code == 204
    some = [waiting[0], api.editable("Leads")[0]["id"]]
    only_waiting = api.get("/Leads", ids=",".join(some), approved="false").json()["data"]
    assert [r["id"] for r in only_waiting] == [waiting[0]]


def test_an_unknown_approved_value_is_refused(api):
    reply = api.get("/Leads", approved="maybe")
    assert reply.status_code == 400
    body = error_of(reply)
    assert body["code"] == "INVALID_DATA" and body["details"]["param"] == "approved"
