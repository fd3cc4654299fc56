"""Replies that make no sense, from a real server, during ``zcrm-editor apply``: an HTML page,
JSON cut short, wrong types, no ``data``, extra entries, fewer entries than records sent.
Whether or not the server applied the call, every record is reported as the server holds it
(the records of a senseless answer are read back); none is reported failed while changed.

tests/client/test_replies.py proves each shape maps to one result per record; this is the
end-to-end version with the server state.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from gui.sandbox.api import Request, Response

from .org import (MODULE, editable, leads_of, org_template, read_report, run_apply, server_leads, start_org,
                  write_csv)
from .scenarios import FAILED, Intent, check_outcome

HTML = b"<!doctype html><html><body><h1>503 Service Unavailable</h1><p>Try later.</p></body></html>"
LOGIN = b"<!doctype html><html><body><form action='/login'>Sign in to continue</form></body></html>"


def entries(response: Response) -> list[Any]:
    return json.loads(response.body)["data"]


def body(payload: Any) -> bytes:
    return json.dumps(payload).encode()


# shape -> (the server applies the call first?, what the client gets instead of the real reply)
SHAPES: dict[str, tuple[bool, Callable[[Response], Response]]] = {
    "HTML error page after applying": (True, lambda r: Response(200, HTML, "text/html")),
    "HTML login page, nothing applied": (False, lambda r: Response(200, LOGIN, "text/html; charset=utf-8")),
    "JSON cut short": (True, lambda r: Response(r.status, r.body[: len(r.body) // 3])),
    "empty body": (True, lambda r: Response(200, b"")),
    "data is not a list": (True, lambda r: Response(200, body({"data": "SUCCESS", "status": "success"}))),
    "entries of the wrong types": (True, lambda r: Response(200, body({"data": [None, 1, "SUCCESS", [], True]
                                                                      * (len(entries(r)) // 5 + 1)}))),
    "no data at all": (True, lambda r: Response(200, body({"status": "success", "message": "done"}))),
    "extra entries": (True, lambda r: Response(r.status, body({"data": entries(r) + [
        {"code": "SUCCESS", "status": "success", "message": "record updated", "details": {"id": "5725767009999999999"}},
        entries(r)[0]]}))),
    "fewer entries than sent": (True, lambda r: Response(r.status, body({"data": entries(r)[:-3]}))),
    "error entries of the wrong types, nothing applied": (False, lambda r: Response(400, body({"data": [
        {"status": 7, "code": ["INVALID"], "details": "none", "message": None}]}))),
}


@pytest.fixture(scope="module")
def small_template() -> str:
    return org_template(records=400)


def edits(template: str, path) -> Intent:
    """A new city for 60 records (one update call) and a status for 240 (one mass update)."""
    leads = leads_of(template)
    usable = [rid for rid, r in leads.items() if editable(r)]
    status = [rid for rid in usable if leads[rid]["Lead_Status"] != "Junk Lead"][:240]
    taken = set(status)
    cities = [rid for rid in usable if rid not in taken][:60]
    after = {**{rid: {"City": f"Reply town {n}"} for n, rid in enumerate(cities)},
             **{rid: {"Lead_Status": "Junk Lead"} for rid in status}}
    write_csv(path, [["id", "City", "Lead_Status"]] + [[rid, v.get("City", ""), v.get("Lead_Status", "")]
                                                        for rid, v in after.items()])
    return Intent(MODULE, after, {rid: {api: leads[rid][api] for api in v} for rid, v in after.items()})


@pytest.mark.parametrize("shape", SHAPES)
def test_a_senseless_reply_is_read_back_and_reported_as_the_server_holds_it(shape, small_template, home, tmp_path):
    server = start_org(small_template)
    applies, rewrite = SHAPES[shape]
    answer = server.app.handle
    broken = []

    def handle(request: Request) -> Response:
        if request.method in ("PUT", "POST") and request.path.startswith(f"/crm/v2.1/{MODULE}"):
            broken.append(request.path)
            real = answer(request) if applies else Response(200, body({"data": [{}] * 500}))
            return rewrite(real)
        return answer(request)

    server.app.handle = handle
    try:
        intent = edits(small_template, tmp_path / "edits.csv")
        code, out, err = run_apply(server, tmp_path / "edits.csv", tmp_path / "report.csv")
        reported = read_report(tmp_path / "report.csv", out)
        tally = check_outcome(f"malformed reply: {shape}", intent, reported, server_leads(server),
                              "applied by the server" if applies else "not applied")
    finally:
        server.stop()
    assert sorted(broken) == [f"/crm/v2.1/{MODULE}", f"/crm/v2.1/{MODULE}/actions/mass_update"]
    assert tally.sent == 300 and tally.unknown == 0
    if applies:  # read back: every record holds its change, so none is reported failed
        assert (code, tally.updated) == (0, 300), err
    else:
        assert code == 1 and tally.failed == 300
        assert all(status == FAILED for status in reported.status.values())
        assert all("the change is not in Zoho" in message for message in reported.message.values())
