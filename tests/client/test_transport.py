"""The transport against a misbehaving sandbox: 429 backoff the caller can watch, 5xx
retries, dropped connections, cut-short replies, stalls, credits and the concurrency
limit. Retry delays are a few milliseconds, so no test waits on the wall clock."""

from __future__ import annotations

import time

import pytest

from gui.client.signin import SignIn
from gui.client.transport import RetryPolicy, Wait, check_tls
from gui.core.profile import Profile, StoredSecrets
from gui.services.secrets import SessionSecretStore

from .helpers import calls_to, log_entries, server_records

FAST = RetryPolicy(attempts=25, base_delay=0.001, max_delay=0.004)


def ids_of(sandbox, module, n):
    return [str(i) for i in sandbox.store.order[module][:n]]


def test_429_backs_off_with_growing_waits_then_reports_the_refusal(make_sandbox, connect):
    sandbox = make_sandbox(fault_rate=1.0, fault_kinds=("429",), fault_seed=1)
    waits = []
    c = connect(sandbox, retry=RetryPolicy(attempts=4, base_delay=0.01), on_wait=waits.append)
    [contact] = ids_of(sandbox, "Contacts", 1)

    [result] = c.client.update("Contacts", [{"id": contact, "Title": "Never"}])

    assert result.record_id == contact and not result.ok
    assert result.error.code == "TOO_MANY_REQUESTS" and result.error.top_level
    assert [(w.reason, w.attempt, w.path) for w in waits] == [("rate_limited", n, "Contacts") for n in (1, 2, 3)]
    for wait in waits:  # exponential steps of 10, 20, 40 ms, half of each step random
        step = 0.01 * 2 ** (wait.attempt - 1)
        assert step / 2 <= wait.seconds <= step
    assert waits[0].seconds <= waits[1].seconds <= waits[2].seconds
    assert waits[0].message == f"Zoho asked us to slow down; retrying in {waits[0].seconds:.1f} s"
    assert Wait("server_error", 0.4, 1, "Leads").message == "Zoho had a server error; retrying in 0.4 s"
    assert Wait("network", 16.0, 6, "Leads").message == "Zoho could not be reached; retrying in 16 s"
    assert [e["status"] for e in calls_to(sandbox.config.log_file, "PUT", "/crm/v2.1/Contacts")] == [429] * 4
    assert sandbox.store.records["Contacts"][contact]["Title"] != "Never"


def test_retries_stop_at_the_time_budget(make_sandbox, connect):
    sandbox = make_sandbox(fault_rate=1.0, fault_kinds=("429",))
    waits = []
    c = connect(sandbox, retry=RetryPolicy(attempts=50, base_delay=0.01, budget=0.1), on_wait=waits.append)
    [result] = c.client.update("Contacts", [{"id": ids_of(sandbox, "Contacts", 1)[0], "Title": "x"}])
    assert result.error.code == "TOO_MANY_REQUESTS"
    assert 1 <= len(waits) < 10
    assert sum(w.seconds for w in waits) <= 0.1


def test_server_errors_are_retried_until_every_record_is_saved(make_sandbox, connect):
    sandbox = make_sandbox(records=300, fault_rate=0.5, fault_kinds=("500",), fault_seed=7)
    waits = []
    c = connect(sandbox, retry=FAST, on_wait=waits.append)
    ids = ids_of(sandbox, "Contacts", 300)

    results = c.client.update("Contacts", [{"id": i, "Department": f"Dept {n}"} for n, i in enumerate(ids)])

    assert [r.record_id for r in results] == ids
    assert all(r.ok and r.modified_time for r in results), [r.error for r in results if not r.ok][:3]
    assert sandbox.app.faults.counts["500"] > 0
    assert waits and {w.reason for w in waits} == {"server_error"}
    on_server = server_records(sandbox, "Contacts", ids, "Department")
    assert [on_server[i]["Department"] for i in ids] == [f"Dept {n}" for n in range(300)]


def test_loading_rides_out_server_errors(make_sandbox, connect):
    sandbox = make_sandbox(fault_rate=0.5, fault_kinds=("500",), fault_seed=3)
    c = connect(sandbox, retry=FAST)
    rows = []
    outcome = c.client.load("Leads", ["Last_Name"], lambda page: rows.extend(page.records))
    assert outcome.loaded == 60
    assert [r.record_id for r in rows] == ids_of(sandbox, "Leads", 60)


def test_loading_past_the_page_cap_rides_out_replies_cut_short_and_server_errors(make_sandbox, connect):
    """A read whose reply is cut short is asked again (its slot given up while the reply was
    read, then taken back ahead of the calls waiting); every record arrives once, in order."""
    sandbox = make_sandbox(records=2300, fault_rate=0.3, fault_kinds=("badjson", "500"), fault_seed=5)
    c = connect(sandbox, retry=FAST)
    rows = []
    outcome = c.client.load("Leads", ["Last_Name", "Owner"], lambda page: rows.extend(page.records))
    assert sandbox.app.faults.counts["badjson"] > 0 and sandbox.app.faults.counts["500"] > 0
    assert outcome.loaded == 2300
    assert [r.record_id for r in rows] == ids_of(sandbox, "Leads", 2300)
    stored = sandbox.store.records["Leads"]
    assert all(r.approved is (stored[r.record_id]["$approved"] is not False) for r in rows)
    assert all(r.values["Owner"]["name"] for r in rows)


def test_a_netrc_entry_for_the_host_does_not_replace_the_zoho_token(make_sandbox, connect, tmp_path, monkeypatch):
    """requests would put a ~/.netrc login for the host in place of the Authorization
    header; the transport reads its environment once and leaves that header alone."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password not-a-zoho-token\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    sandbox = make_sandbox()
    c = connect(sandbox)
    assert c.client.count("Leads") == 60
    rows = []
    c.client.load("Leads", ["Last_Name"], lambda page: rows.extend(page.records))
    assert len(rows) == 60
    assert not [e for e in log_entries(sandbox.config.log_file) if e["status"] == 401]


def test_a_dropped_connection_becomes_a_network_error_per_record(make_sandbox, connect):
    sandbox = make_sandbox(fault_rate=1.0, fault_kinds=("reset",))
    waits = []
    c = connect(sandbox, retry=RetryPolicy(attempts=3, base_delay=0.001), on_wait=waits.append)
    ids = ids_of(sandbox, "Contacts", 2)

    results = c.client.update("Contacts", [{"id": i, "Title": "Reset"} for i in ids])

    assert [r.record_id for r in results] == ids
    assert {r.error.code for r in results} == {"NETWORK"}
    assert "could not reach Zoho CRM" in results[0].error.message
    assert [w.reason for w in waits] == ["network", "network"]
    assert "could not be reached" in waits[0].message


def test_a_reply_cut_short_becomes_bad_reply_with_the_raw_text(make_sandbox, connect):
    sandbox = make_sandbox(fault_rate=1.0, fault_kinds=("badjson",))
    waits = []
    c = connect(sandbox, retry=FAST, on_wait=waits.append)
    ids = ids_of(sandbox, "Contacts", 3)

    results = c.client.update("Contacts", [{"id": i, "Title": "Cut"} for i in ids])

    assert [r.record_id for r in results] == ids
    for result in results:
        assert result.error.code == "BAD_REPLY" and result.error.top_level
        assert "not JSON" in result.error.message and "HTTP 200" in result.error.message
        assert result.error.raw.startswith('{"data": [{"code": "SUCCESS"')
    assert waits == []  # a 200 is not retried: the update may have been applied


def test_mixed_faults_never_raise_and_successes_are_real(make_sandbox, connect):
    sandbox = make_sandbox(records=300, fault_rate=0.5, fault_kinds=("reset", "badjson"), fault_seed=11)
    c = connect(sandbox, retry=RetryPolicy(attempts=3, base_delay=0.001))
    ids = ids_of(sandbox, "Contacts", 300)

    results = c.client.update("Contacts", [{"id": i, "Title": f"T{n}"} for n, i in enumerate(ids)])

    assert [r.record_id for r in results] == ids
    assert {r.error.code for r in results if not r.ok} <= {"BAD_REPLY", "NETWORK"}
    assert sandbox.app.faults.counts["reset"] + sandbox.app.faults.counts["badjson"] > 0
    on_server = server_records(sandbox, "Contacts", ids, "Title")
    assert all(on_server[i]["Title"] == f"T{n}" for n, i in enumerate(ids) if results[n].ok)


def test_a_stalled_server_hits_the_read_timeout(make_sandbox, connect):
    sandbox = make_sandbox(fault_rate=1.0, fault_kinds=("timeout",), fault_stall_s=2)
    waits = []
    c = connect(sandbox, retry=RetryPolicy(attempts=2, base_delay=0.001), on_wait=waits.append)
    c.client.transport.timeout = (2.0, 0.3)
    started = time.monotonic()

    [result] = c.client.update("Contacts", [{"id": ids_of(sandbox, "Contacts", 1)[0], "Title": "Stall"}])

    assert result.error.code == "NETWORK" and "ReadTimeout" in result.error.message
    assert [w.reason for w in waits] == ["network"]
    assert time.monotonic() - started < 1.9  # gave up before the server would have answered


def test_credits_remaining_are_tracked(sandbox, connect):
    c = connect(sandbox)
    c.client.modules()
    c.client.count("Leads")
    assert c.client.transport.credits_remaining == sandbox.app.credits == sandbox.config.credits - 2


@pytest.mark.parametrize("concurrency, rate_limited", [(3, False), (6, True)])
def test_the_concurrency_limit_keeps_the_server_from_refusing(make_sandbox, connect, concurrency, rate_limited):
    sandbox = make_sandbox(records=1000, max_concurrency=3, latency_ms=30)
    c = connect(sandbox, concurrency=concurrency, retry=RetryPolicy(attempts=30, base_delay=0.005))
    ids = ids_of(sandbox, "Contacts", 1000)

    results = c.client.update("Contacts", [{"id": i, "Mailing_City": "Limit"} for i in ids])

    assert len(results) == 1000 and all(r.ok for r in results)
    puts = [e["status"] for e in log_entries(sandbox.config.log_file) if e["method"] == "PUT"]
    assert puts.count(200) == 10
    assert (429 in puts) is rate_limited  # 3 never trips the limit; 6 does, and is retried


@pytest.mark.parametrize("edition, slots", [("Free", 5), ("Professional", 15), ("Ultimate", 25)])
def test_the_edition_sets_the_concurrency_and_mass_updates_stay_at_10(sandbox, clients, edition, slots):
    store = SessionSecretStore()
    store.save("org", StoredSecrets("demo-secret", "demo-refresh-token"))
    profile = Profile("org", "custom", "demo-client", api_base=sandbox.api_url, accounts_base=sandbox.accounts_url,
                      edition=edition)
    client = SignIn(store).open(profile)
    clients.append(client)
    assert client.transport.concurrency == slots
    assert client.transport._heavy._free == min(slots, 10)


def test_tls_is_required_for_every_host_but_loopback():
    check_tls("https://www.zohoapis.eu", verify=True)
    check_tls("http://127.0.0.1:8080", verify=False)
    with pytest.raises(ValueError, match="TLS verification cannot be turned off"):
        check_tls("https://www.zohoapis.com", verify=False)
    with pytest.raises(ValueError, match="not an https URL"):
        check_tls("http://crm.example.com", verify=True)
    store = SessionSecretStore()
    store.save("plain", StoredSecrets("demo-secret", "demo-refresh-token"))
    plain = Profile("plain", "custom", "demo-client", api_base="http://crm.example.com",
                    accounts_base="http://accounts.example.com")
    with pytest.raises(ValueError, match="https"):
        SignIn(store).open(plain)
