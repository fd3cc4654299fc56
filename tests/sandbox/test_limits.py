"""Org-wide limits and server options over real HTTP: --max-concurrency, --credits,
--latency-ms, --log and --data."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import requests

from .helpers import API, Api, REFRESH_TOKEN, error_of


def test_too_many_concurrent_calls_get_429(make_server):
    srv = make_server(max_concurrency=2, latency_ms=300)
    token = Api(srv).token
    barrier = threading.Barrier(6)
    replies: list[requests.Response] = []
    lock = threading.Lock()

    def call() -> None:
        with requests.Session() as session:
            barrier.wait(timeout=10)
            reply = session.get(srv.base_url + API + "/Leads", params={"per_page": 1},
                                headers={"Authorization": f"Zoho-oauthtoken {token}"}, timeout=15)
        with lock:
            replies.append(reply)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    statuses = sorted(r.status_code for r in replies)
    assert len(statuses) == 6
    assert set(statuses) <= {200, 429}, statuses
    assert statuses.count(200) >= 1 and statuses.count(429) >= 1, statuses
    for reply in replies:
        if reply.status_code == 429:
            assert error_of(reply)["code"] == "TOO_MANY_REQUESTS"
            assert reply.headers["Content-Type"].startswith("application/json")
    # The slots are given back: a call after the burst goes through.
    assert Api(srv, token).get("/Leads", per_page=1).status_code == 200


def test_credits_run_out(make_server):
    srv = make_server(credits=3)
    api = Api(srv)  # the token endpoint is on the accounts server and costs nothing
    remaining = []
    for _ in range(3):
        reply = api.get("/Leads", per_page=1)
        assert reply.status_code == 200
        remaining.append(int(reply.headers["X-API-CREDITS-REMAINING"]))
    assert remaining == [2, 1, 0]
    refused = api.get("/Leads", per_page=1)
    assert refused.status_code == 429
    assert refused.headers["Content-Type"].startswith("application/json")
    body = error_of(refused)
    assert body["code"] and "credit" in body["message"].lower()
    assert api.get("/settings/modules").status_code == 429  # every API call, not just records


def test_latency_delays_every_reply(make_server):
    srv = make_server(latency_ms=200)
    api = Api(srv)
    for path, params in (("/Leads", {"per_page": 1}), ("/settings/modules", {})):
        started = time.perf_counter()
        reply = api.get(path, **params)
        elapsed = time.perf_counter() - started
        assert reply.status_code == 200
        assert elapsed >= 0.2, elapsed


def read_log(path: Path, lines: int, timeout: float = 5.0) -> list[dict]:
    """The server writes a line after sending the reply: wait (bounded) until all are there."""
    deadline = time.monotonic() + timeout
    while True:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if text.count("\n") >= lines or time.monotonic() > deadline:
            return [json.loads(line) for line in text.splitlines()]
        time.sleep(0.02)


def test_request_log(make_server, tmp_path):
    log = tmp_path / "log.jsonl"
    srv = make_server(log_file=log)
    api = Api(srv)  # 1: POST /oauth/v2/token
    lead = api.get("/Leads", per_page=5).json()["data"][0]  # 2
    api.put("/Leads", {"data": [{"id": lead["id"], "City": "Logville"}]})  # 3
    requests.get(srv.base_url + API + "/Leads", timeout=10)  # 4: no token, 401
    api.session.close()

    entries = read_log(log, 4)
    assert len(entries) == 4
    for entry in entries:
        assert {"method", "path", "status", "records", "ms"} <= set(entry)
        assert isinstance(entry["ms"], (int, float)) and entry["ms"] >= 0
    token, get, put, anonymous = entries
    assert (token["method"], token["path"], token["status"]) == ("POST", "/oauth/v2/token", 200)
    assert (get["method"], get["path"], get["status"], get["records"]) == ("GET", "/crm/v2.1/Leads", 200, 5)
    assert (put["method"], put["path"], put["status"], put["records"]) == ("PUT", "/crm/v2.1/Leads", 200, 1)
    assert (anonymous["status"], anonymous.get("authorization")) == (401, None)
    assert get["authorization"] == put["authorization"] == "[redacted]"
    text = log.read_text(encoding="utf-8")
    assert api.token not in text
    assert REFRESH_TOKEN not in text


def test_data_file_survives_a_restart(make_server, tmp_path):
    data = tmp_path / "org.json"
    first = make_server(data_file=data)
    api = Api(first)
    lead = api.editable("Leads")[0]
    assert api.put("/Leads", {"data": [{"id": lead["id"], "Company": "Persisted Co",
                                        "Interests": ["Training"]}]}).status_code == 200
    api.session.close()
    first.stop()

    saved = json.loads(data.read_text(encoding="utf-8"))  # valid JSON
    assert isinstance(saved, dict)
    assert [p.name for p in tmp_path.iterdir()] == ["org.json"]  # no temp files left behind

    second = make_server(data_file=data, records=5)  # the file wins over --records
    again = Api(second)
    after = again.record("Leads", lead["id"])
    assert after["Company"] == "Persisted Co"
    assert after["Interests"] == ["Training"]
    assert len(again.all_records("Leads")) == 60


def test_data_file_is_saved_while_running(make_server, tmp_path):
    data = tmp_path / "org.json"
    srv = make_server(data_file=data)
    api = Api(srv)
    contact = api.editable("Contacts")[0]
    assert api.put("/Contacts", {"data": [{"id": contact["id"], "Title": "Saved Early"}]}).status_code == 200
    deadline = time.monotonic() + 5
    while "Saved Early" not in data.read_text(encoding="utf-8"):
        assert time.monotonic() < deadline, "the change never reached the data file"
        time.sleep(0.05)
    assert json.loads(data.read_text(encoding="utf-8"))
