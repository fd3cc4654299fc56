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


@pytest.fixture(scope="module")
def wide_api(reaper) -> Api:
    srv = SandboxServer(records=2500, port=0).start()
    yield Api(srv)
    reaper(srv)


def test_windows_anywhere_in_the_id_order(wide_api):
    """``where id > N order by id limit OFFSET, 200`` answers the same rows wherever the
    window sits, with more_records false only on the last one."""
    ids = [r["id"] for page in range(1, 11)
           for r in wide_api.get("/Contacts", page=page, per_page=200, fields="Last_Name").json()["data"]]
    assert len(ids) == 2000  # the page cap: the rest only through COQL
    anchor = ids[99]
    for offset in (0, 1900, 2200):
        reply = coql(wide_api, f"select Last_Name from Contacts where id > {anchor} order by id limit {offset}, 200")
        assert reply.status_code == 200, offset
        rows = reply.json()["data"]
        first = 100 + offset
        if offset < 1900:
            assert [r["id"] for r in rows] == ids[first:first + 200]
        assert len(rows) == min(200, 2500 - first)
        assert reply.json()["info"]["more_records"] is (first + 200 < 2500)
    last = coql(wide_api, f"select Last_Name from Contacts where id > {anchor} order by id limit 2400, 200")
    assert last.status_code == 204
    walked = []
    for offset in range(0, 2500, 200):
        reply = coql(wide_api, f"select Last_Name from Contacts where id > 0 order by id limit {offset}, 200")
        walked += [r["id"] for r in reply.json()["data"]]
    assert walked[:2000] == ids and len(walked) == len(set(walked)) == 2500 and walked == sorted(walked, key=int)


def test_other_orders_still_sort_every_match(coql_api):
    leads = coql_api.all_records("Leads", fields="Last_Name,Lead_Score")
    down = coql(coql_api, "select Last_Name from Leads where id > 0 order by id desc limit 5, 10").json()["data"]
    assert [r["id"] for r in down] == sorted((r["id"] for r in leads), key=int, reverse=True)[5:15]
    scored = coql(coql_api, "select Lead_Score from Leads where Lead_Score > 50 order by Lead_Score desc, id "
                            "limit 20").json()["data"]
    expected = sorted((r for r in leads if r["Lead_Score"] > 50), key=lambda r: (-r["Lead_Score"], int(r["id"])))
    assert [r["id"] for r in scored] == [r["id"] for r in expected[:20]]
