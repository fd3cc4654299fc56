"""Fault injection (--fault-rate/--fault-kinds/--fault-seed): each kind does what it says."""

from __future__ import annotations

import json
import socket

import pytest
import requests

from gui.sandbox import SandboxServer

from .helpers import refresh_access_token


def token(server: SandboxServer) -> str:
    return refresh_access_token(server.base_url)  # the accounts server never fails


def lead_ids(server: SandboxServer, n: int) -> list[str]:
    return [str(i) for i in server.store.order["Leads"][50:50 + n]]


def put_name(server: SandboxServer, tok: str, record_id: str, name: str, timeout: float = 10) -> requests.Response:
    body = json.dumps({"data": [{"id": record_id, "Last_Name": name}]})
    return requests.put(server.base_url + "/crm/v2.1/Leads", data=body, timeout=timeout,
                        headers={"Authorization": "Zoho-oauthtoken " + tok})


@pytest.mark.parametrize("kind,status,code", [("500", 500, "INTERNAL_ERROR"), ("429", 429, "TOO_MANY_REQUESTS")])
def test_error_faults_answer_json_and_apply_nothing(kind, status, code):
    with SandboxServer(records=60, fault_rate=1.0, fault_kinds=(kind,)) as server:
        tok = token(server)  # the accounts server never fails
        record_id = lead_ids(server, 1)[0]
        before = server.store.get_record("Leads", record_id)["Last_Name"]
        reply = put_name(server, tok, record_id, "Changed")
        assert reply.status_code == status
        assert reply.json()["code"] == code
        assert server.store.get_record("Leads", record_id)["Last_Name"] == before
        assert server.app.faults.counts[kind] == 1


def test_reset_applies_the_change_then_drops_the_connection():
    with SandboxServer(records=60, fault_rate=1.0, fault_kinds=("reset",)) as server:
        tok = token(server)
        record_id = lead_ids(server, 1)[0]
        with pytest.raises(requests.ConnectionError):
            put_name(server, tok, record_id, "Applied-Anyway")
        assert server.store.get_record("Leads", record_id)["Last_Name"] == "Applied-Anyway"


def test_badjson_applies_the_change_and_cuts_the_body():
    with SandboxServer(records=60, fault_rate=1.0, fault_kinds=("badjson",)) as server:
        tok = token(server)
        record_id = lead_ids(server, 1)[0]
        reply = put_name(server, tok, record_id, "Half-Answered")
        with pytest.raises(ValueError):
            json.loads(reply.content)
        assert server.store.get_record("Leads", record_id)["Last_Name"] == "Half-Answered"


def test_timeout_stalls_past_the_client_read_timeout_and_applies_nothing():
    with SandboxServer(records=60, fault_rate=1.0, fault_kinds=("timeout",), fault_stall_s=5) as server:
        tok = token(server)
        record_id = lead_ids(server, 1)[0]
        before = server.store.get_record("Leads", record_id)["Last_Name"]
        with pytest.raises((requests.Timeout, requests.ConnectionError, socket.timeout)):
            put_name(server, tok, record_id, "Never", timeout=0.5)
        assert server.store.get_record("Leads", record_id)["Last_Name"] == before


def test_the_seed_makes_the_fault_sequence_repeatable():
    def sequence(seed: int) -> list[int]:
        with SandboxServer(records=10, fault_rate=0.5, fault_kinds=("500",), fault_seed=seed) as server:
            tok = token(server)
            headers = {"Authorization": "Zoho-oauthtoken " + tok}
            return [requests.get(server.base_url + "/crm/v2.1/Leads/actions/count", headers=headers,
                                 timeout=10).status_code for _ in range(20)]

    first, again, other = sequence(7), sequence(7), sequence(8)
    assert first == again
    assert first != other
    assert set(first) == {200, 500}


def test_bad_fault_options_are_refused():
    with pytest.raises(ValueError):
        SandboxServer(records=1, fault_rate=0.5, fault_kinds=("explode",))
    with pytest.raises(ValueError):
        SandboxServer(records=1, fault_rate=1.5)
