"""The access token: refreshed ahead of expiry (sandbox ``token_ttl=2`` on a fake clock
shared with the client), refreshed once when Zoho rejects it, and a dead refresh token
turned into "sign in again" without losing the records of a submit."""

from __future__ import annotations

import pytest

from gui.client.errors import SignInRequired

from .helpers import DEMO_REFRESH_TOKEN, log_entries


def contacts(sandbox, n):
    return [str(i) for i in sandbox.store.order["Contacts"][:n]]


def statuses(sandbox, path=None):
    return [e["status"] for e in log_entries(sandbox.config.log_file) if path is None or e["path"] == path]


def test_the_token_is_refreshed_ahead_of_expiry_on_the_clock(make_sandbox, clock, connect):
    sandbox = make_sandbox(token_ttl=2)
    c = connect(sandbox, clock=clock)
    assert c.tokens.refreshes == 1  # opening the stored sign-in fetched an access token
    first = c.tokens._access
    assert c.client.current_user().full_name == "Patricia Boyle"

    clock.advance(1.5)  # the sandbox would still take the token; the client renews it early
    assert c.client.count("Leads") == 60
    assert c.tokens.refreshes == 2 and c.tokens._access != first

    clock.advance(3600)  # long past expiry on both sides
    ids = contacts(sandbox, 3)
    results = c.client.update("Contacts", [{"id": i, "Department": "Expiry"} for i in ids])
    assert [r.ok for r in results] == [True, True, True]
    assert c.tokens.refreshes == 3
    assert 401 not in statuses(sandbox)  # never sent a stale token
    assert all(sandbox.store.records["Contacts"][i]["Department"] == "Expiry" for i in ids)


def test_a_rejected_token_is_refreshed_once_and_the_call_repeated(make_sandbox, connect):
    sandbox = make_sandbox(records=300)
    c = connect(sandbox)
    before = c.tokens.refreshes
    sandbox.app.oauth.expire_all_access_tokens()

    ids = contacts(sandbox, 300)
    results = c.client.update("Contacts", [{"id": i, "Title": "Refreshed"} for i in ids])

    assert len(results) == 300 and all(r.ok for r in results)
    assert c.tokens.refreshes == before + 1  # three parallel calls were rejected; one refresh
    puts = statuses(sandbox, "/crm/v2.1/Contacts")
    assert puts.count(200) == 3 and 1 <= puts.count(401) <= 3
    assert all(sandbox.store.records["Contacts"][i]["Title"] == "Refreshed" for i in ids)


def test_a_revoked_sign_in_asks_to_sign_in_again_and_keeps_the_batch(make_sandbox, connect):
    sandbox = make_sandbox(records=300)
    c = connect(sandbox)
    sandbox.app.oauth.revoke(DEMO_REFRESH_TOKEN)
    sandbox.app.oauth.expire_all_access_tokens()

    ids = contacts(sandbox, 250)
    results = c.client.update("Contacts", [{"id": i, "Title": "Lost?"} for i in ids])

    assert [r.record_id for r in results] == ids  # every record is still there, in order
    assert {r.error.code for r in results} == {"SIGN_IN_REQUIRED"}
    assert all(r.error.top_level for r in results)
    assert "sign in again" in results[0].error.message
    assert all(sandbox.store.records["Contacts"][i]["Title"] != "Lost?" for i in ids)
    assert 200 not in statuses(sandbox, "/crm/v2.1/Contacts")

    with pytest.raises(SignInRequired):
        c.signin.open(c.profile)
    with pytest.raises(SignInRequired):
        c.client.load("Contacts", ["Last_Name"], lambda page: None)
