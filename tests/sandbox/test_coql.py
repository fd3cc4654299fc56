"""COQL over real HTTP: keyset paging by id (the way past the 2,000-record page cap),
filters, and its errors."""

from __future__ import annotations

import pytest

from gui.sandbox import SandboxServer

from .helpers import Api, error_of


@pytest.fixture(scope="module")
def coql_api(reaper) -> Api:
    srv = SandboxServer(records=450, port=0).start()
    yield Api(srv)
    reaper(srv)


def coql(api: Api, query: str):
    return api.post("/coql", {"select_query": query})


def walk(api: Api, where: str = "") -> tuple[list[dict], list[dict]]:
    """Keyset paging: ``id > last`` ordered by id, 200 a page, until more_records is false."""
    rows, infos, last = [], [], 0
    while True:
        cond = f"id > {last}" if not where else f"({where}) and id > {last}"
        reply = coql(api, f"select Last_Name, Email from Leads where {cond} order by id limit 200")
        if reply.status_code == 204:
            break
        assert reply.status_code == 200, reply.text
        body = reply.json()
        rows.extend(body["data"])
        infos.append(body["info"])
        last = body["data"][-1]["id"]
        if not body["info"]["more_records"]:
            break
        assert len(infos) < 20, "keyset paging does not end"
    return rows, infos


def test_keyset_paging_walks_every_record_once(coql_api):
    rows, infos = walk(coql_api)
    assert [i["count"] for i in infos] == [200, 200, 50]
    assert [i["more_records"] for i in infos] == [True, True, False]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == 450
    assert ids == sorted(ids, key=int)
    # GET adds the record's state keys ($approved, …); COQL answers only the selected columns.
    expected = {r["id"]: {k: v for k, v in r.items() if not k.startswith("$")}
                for r in coql_api.all_records("Leads", fields="Last_Name,Email")}
    assert {r["id"]: r for r in rows} == expected
    for row in rows:
        assert set(row) == {"Last_Name", "Email", "id"}
        assert isinstance(row["id"], str) and len(row["id"]) == 19


def test_past_the_last_id_is_204(coql_api):
    ids = [r["id"] for r in coql_api.all_records("Leads", fields="Last_Name")]
    last = max(ids, key=int)
    reply = coql(coql_api, f"select Last_Name from Leads where id > {last} order by id limit 200")
    assert reply.status_code == 204
    assert reply.content == b""


def test_like_in_and_is_null(coql_api):
    leads = coql_api.all_records("Leads")
    statuses = ("Contacted", "Junk Lead")
    rows, _ = walk(coql_api, "Last_Name like 'S%' and Lead_Status in ('Contacted', 'Junk Lead')")
    expected = {r["id"] for r in leads if r["Last_Name"].lower().startswith("s") and r["Lead_Status"] in statuses}
    assert expected and {r["id"] for r in rows} == expected

    rows, _ = walk(coql_api, "Mobile is null")
    expected = {r["id"] for r in leads if r["Mobile"] is None}
    assert expected and {r["id"] for r in rows} == expected

    rows, _ = walk(coql_api, "Mobile is not null")
    assert {r["id"] for r in rows} == {r["id"] for r in leads if r["Mobile"] is not None}


def test_comparison_and_lookup_filters(coql_api):
    contacts = coql_api.all_records("Contacts")
    account = contacts[0]["Account_Name"]["id"]
    reply = coql(coql_api, f"select Last_Name, Account_Name from Contacts where Account_Name = {account} limit 200")
    assert reply.status_code == 200
    rows = reply.json()["data"]
    assert {r["id"] for r in rows} == {c["id"] for c in contacts if (c["Account_Name"] or {}).get("id") == account}
    assert all(r["Account_Name"] == {"id": account} for r in rows)


def test_lookup_path_columns(coql_api):
    contacts = {c["id"]: c for c in coql_api.all_records("Contacts")}
    reply = coql(coql_api, "select Last_Name, Account_Name.Account_Name, Account_Name.id from Contacts "
                           "where id > 0 order by id limit 50")
    assert reply.status_code == 200
    for row in reply.json()["data"]:
        ref = contacts[row["id"]]["Account_Name"]
        assert row["Account_Name.Account_Name"] == (ref["name"] if ref else None)
        assert row["Account_Name.id"] == (ref["id"] if ref else None)
    bad = coql(coql_api, "select Account_Name.Shoe_Size from Contacts where id > 0 limit 10")
    assert bad.status_code == 400 and error_of(bad)["code"] == "INVALID_QUERY"


def test_syntax_error(coql_api):
    for query in ("select Last_Name from Leads where", "selec Last_Name from Leads where id > 0",
                  "select Last_Name Leads where id > 0", "select Last_Name from Leads where id > 0 limit"):
        reply = coql(coql_api, query)
        assert reply.status_code == 400, query
        assert error_of(reply)["code"] == "SYNTAX_ERROR", query


def test_unknown_column_or_module(coql_api):
    reply = coql(coql_api, "select Shoe_Size from Leads where id > 0 limit 10")
    assert reply.status_code == 400
    body = error_of(reply)
    assert body["code"] == "INVALID_QUERY"
    assert body["details"]["column_name"] == "Shoe_Size"
    where = coql(coql_api, "select Last_Name from Leads where Shoe_Size = 4 limit 10")
    assert error_of(where)["code"] == "INVALID_QUERY"
    module = coql(coql_api, "select Last_Name from Potatoes where id > 0 limit 10")
    assert module.status_code == 400 and error_of(module)["code"] == "INVALID_QUERY"


def test_limit_over_200_and_missing_query(coql_api):
    big = coql(coql_api, "select Last_Name from Leads where id > 0 limit 201")
    assert big.status_code == 400 and error_of(big)["code"] == "LIMIT_EXCEEDED"
    missing = coql_api.post("/coql", {"query": "select"})
    assert missing.status_code == 400 and error_of(missing)["code"] == "MANDATORY_NOT_FOUND"
    broken = coql_api.raw("POST", "/coql", b"{select")
    assert broken.status_code == 400 and error_of(broken)["code"] == "INVALID_DATA"
