"""Top-level error envelopes over real HTTP: INVALID_URL_PATTERN, INVALID_REQUEST_METHOD,
INVALID_MODULE and INTERNAL_ERROR (never a stack trace, never a dead server)."""

from __future__ import annotations

import pytest
import requests

from gui.sandbox import records_api

from .helpers import Api, error_of


def check(reply: requests.Response, status: int, code: str) -> dict:
    assert reply.status_code == status, reply.text
    assert reply.headers["Content-Type"].startswith("application/json")
    body = error_of(reply)
    assert body["code"] == code
    return body


@pytest.mark.parametrize("path", ["/Leads/5725767001000000001/extra", "/", "/Leads/actions/convert_all"])
def test_invalid_url_pattern(api, path):
    check(api.request("GET", path), 404, "INVALID_URL_PATTERN")


def test_invalid_url_pattern_outside_the_api(api):
    check(api.request("GET", api.base + "/crm/v9/Leads"), 404, "INVALID_URL_PATTERN")
    check(requests.get(api.base + "/no/such/page", timeout=10), 404, "INVALID_URL_PATTERN")


@pytest.mark.parametrize("method,path", [("DELETE", "/Leads"), ("POST", "/Leads"), ("PATCH", "/settings/modules"),
                                         ("GET", "/coql"), ("DELETE", "/Leads/5725767001000000001"),
                                         ("OPTIONS", "/Leads"), ("COPY", "/Leads/actions/mass_update")])
def test_invalid_request_method(api, method, path):
    body = check(api.request(method, path), 400, "INVALID_REQUEST_METHOD")
    assert body["message"] == "The http request method type is not a valid one"


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_invalid_module(api, method):
    kwargs = {"json": {"data": [{"id": "1", "X": 1}]}} if method == "PUT" else {}
    body = check(api.request(method, "/Potatoes", **kwargs), 400, "INVALID_MODULE")
    assert body["message"] == "the module name given seems to be invalid"


def test_module_names_ignore_case(api):
    assert api.get("/leads", per_page=1).status_code == 200


def test_internal_error_is_json_and_the_server_lives_on(make_server, monkeypatch):
    srv = make_server(max_concurrency=1)
    api = Api(srv)

    def explode(*args, **kwargs):
        raise RuntimeError("boom: secret internals")

    monkeypatch.setattr(records_api, "list_records", explode)
    for _ in range(3):  # the concurrency slot must be given back every time
        reply = api.get("/Leads", per_page=1)
        body = check(reply, 500, "INTERNAL_ERROR")
        assert body["message"] == "Internal Server Error"
        assert "Traceback" not in reply.text and "boom" not in reply.text
    monkeypatch.undo()
    assert api.get("/Leads", per_page=1).status_code == 200
