"""OAuth over real HTTP: the token endpoint, the consent page, PKCE, revocation, expiry
and the API's 401s (missing, invalid, expired, revoked token; scope mismatch)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from .helpers import (API, CLIENT_ID, CLIENT_SECRET, LOOPBACK, REFRESH_TOKEN, Api, error_of, exchange_code,
                      pkce_pair, refresh_access_token, token_call)


def auth_get(base: str, token: str | None, path: str = "/Leads", **params) -> requests.Response:
    headers = {"Authorization": f"Zoho-oauthtoken {token}"} if token is not None else {}
    return requests.get(base + API + path, headers=headers, params=params or {"per_page": 1}, timeout=10)


# -- token endpoint ---------------------------------------------------------------------
def test_refresh_grant_gives_a_working_access_token(server):
    reply = token_call(server.base_url, grant_type="refresh_token", refresh_token=REFRESH_TOKEN,
                       client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    body = reply.json()
    assert body["expires_in"] == 3600
    assert body["api_domain"] == server.base_url
    assert body["token_type"] == "Bearer"
    assert "ZohoCRM.modules.ALL" in body["scope"].split()
    assert auth_get(server.base_url, body["access_token"]).status_code == 200


def test_token_errors_come_back_as_http_200_with_error(server):
    base = server.base_url
    wrong_secret = token_call(base, grant_type="refresh_token", refresh_token=REFRESH_TOKEN,
                              client_id=CLIENT_ID, client_secret="nope")
    wrong_client = token_call(base, grant_type="refresh_token", refresh_token=REFRESH_TOKEN,
                              client_id="someone-else", client_secret=CLIENT_SECRET)
    unknown_refresh = token_call(base, grant_type="refresh_token", refresh_token="1000.not.known",
                                 client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    unknown_code = token_call(base, grant_type="authorization_code", code="1000.made.up",
                              client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri=LOOPBACK)
    bad_grant = token_call(base, grant_type="password", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    for reply, error in ((wrong_secret, "invalid_client"), (wrong_client, "invalid_client"),
                         (unknown_refresh, "invalid_code"), (unknown_code, "invalid_code"),
                         (bad_grant, "unsupported_grant_type")):
        assert reply.status_code == 200
        assert reply.json() == {"error": error}
        assert reply.headers["Content-Type"].startswith("application/json")


def test_authorization_code_grant_with_pkce(fresh):
    verifier, challenge = pkce_pair()
    code = fresh.app.oauth.issue_grant_code(redirect_uri=LOOPBACK, challenge=challenge)
    body = exchange_code(fresh.base_url, code, LOOPBACK, verifier)
    assert "error" not in body, body
    assert body["expires_in"] == 3600
    assert auth_get(fresh.base_url, body["access_token"]).status_code == 200
    # The refresh token it gave works on its own.
    again = refresh_access_token(fresh.base_url, body["refresh_token"])
    assert auth_get(fresh.base_url, again).status_code == 200


def test_pkce_wrong_or_missing_verifier_fails(fresh):
    verifier, challenge = pkce_pair()
    code = fresh.app.oauth.issue_grant_code(redirect_uri=LOOPBACK, challenge=challenge)
    assert exchange_code(fresh.base_url, code, LOOPBACK, verifier + "x") == {"error": "invalid_code"}
    code = fresh.app.oauth.issue_grant_code(redirect_uri=LOOPBACK, challenge=challenge)
    assert exchange_code(fresh.base_url, code, LOOPBACK, None) == {"error": "invalid_code"}
    code = fresh.app.oauth.issue_grant_code(redirect_uri=LOOPBACK, challenge=challenge)
    assert exchange_code(fresh.base_url, code, LOOPBACK, "") == {"error": "invalid_code"}


def test_grant_code_is_single_use(fresh):
    verifier, challenge = pkce_pair()
    code = fresh.app.oauth.issue_grant_code(redirect_uri=LOOPBACK, challenge=challenge)
    first = exchange_code(fresh.base_url, code, LOOPBACK, verifier)
    assert "access_token" in first
    assert exchange_code(fresh.base_url, code, LOOPBACK, verifier) == {"error": "invalid_code"}


def test_expired_grant_code_fails(fresh, clock):
    verifier, challenge = pkce_pair()
    fresh_code = fresh.app.oauth.issue_grant_code(redirect_uri=LOOPBACK, challenge=challenge)
    stale_code = fresh.app.oauth.issue_grant_code(redirect_uri=LOOPBACK, challenge=challenge)
    clock.advance(60)  # a minute is still fine
    assert "access_token" in exchange_code(fresh.base_url, fresh_code, LOOPBACK, verifier)
    clock.advance(3600)  # an hour later the code is long dead
    assert exchange_code(fresh.base_url, stale_code, LOOPBACK, verifier) == {"error": "invalid_code"}


# -- consent page -------------------------------------------------------------------
def authorize_params(**extra: str) -> dict[str, str]:
    params = {"scope": "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL", "client_id": CLIENT_ID,
              "response_type": "code", "access_type": "offline", "redirect_uri": LOOPBACK,
              "state": "st-42"}
    params.update(extra)
    return params


def test_consent_page_renders(server):
    reply = requests.get(server.base_url + "/oauth/v2/auth", params=authorize_params(), timeout=10)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    page = reply.text
    assert "Accept" in page and "Deny" in page
    assert "/oauth/v2/auth/consent" in page
    assert "ZohoCRM.modules.ALL" in page
    assert "st-42" in page  # state travels through the form


def test_consent_accept_redirects_with_code_and_state_and_the_code_works(fresh):
    verifier, challenge = pkce_pair()
    form = authorize_params(code_challenge=challenge, code_challenge_method="S256", decision="accept")
    reply = requests.post(fresh.base_url + "/oauth/v2/auth/consent", data=form, allow_redirects=False, timeout=10)
    assert reply.status_code == 302
    target = urlsplit(reply.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == LOOPBACK
    query = parse_qs(target.query)
    assert query["state"] == ["st-42"]
    code = query["code"][0]
    body = exchange_code(fresh.base_url, code, LOOPBACK, verifier)
    assert "error" not in body, body
    assert set(body["scope"].split()) == {"ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL"}
    assert auth_get(fresh.base_url, body["access_token"]).status_code == 200


def test_consent_deny_redirects_with_access_denied(server):
    form = authorize_params(decision="deny")
    reply = requests.post(server.base_url + "/oauth/v2/auth/consent", data=form, allow_redirects=False, timeout=10)
    assert reply.status_code == 302
    query = parse_qs(urlsplit(reply.headers["Location"]).query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["st-42"]
    assert "code" not in query


def test_non_loopback_redirect_is_refused(server):
    evil = "https://evil.example/callback"
    page = requests.get(server.base_url + "/oauth/v2/auth", params=authorize_params(redirect_uri=evil), timeout=10)
    assert page.status_code == 400
    assert "Accept" not in page.text
    consent = requests.post(server.base_url + "/oauth/v2/auth/consent",
                            data=authorize_params(redirect_uri=evil, decision="accept"),
                            allow_redirects=False, timeout=10)
    assert consent.status_code == 400
    assert "Location" not in consent.headers


def test_consent_page_for_an_unknown_client(server):
    reply = requests.get(server.base_url + "/oauth/v2/auth", params=authorize_params(client_id="stranger"),
                         timeout=10)
    assert reply.status_code == 400
    assert "Accept" not in reply.text


def test_code_bound_to_its_redirect_uri(fresh):
    verifier, challenge = pkce_pair()
    code = fresh.app.oauth.issue_grant_code(redirect_uri=LOOPBACK, challenge=challenge)
    body = exchange_code(fresh.base_url, code, "http://127.0.0.1:1/other", verifier)
    assert "error" in body and "access_token" not in body


# -- revocation and the API's 401s ------------------------------------------------------
def test_revoke_kills_refresh_token_and_its_access_tokens(fresh):
    verifier, challenge = pkce_pair()
    code = fresh.app.oauth.issue_grant_code(redirect_uri=LOOPBACK, challenge=challenge)
    grant = exchange_code(fresh.base_url, code, LOOPBACK, verifier)
    refresh, access = grant["refresh_token"], grant["access_token"]
    other = Api(fresh)  # a token from a different refresh token
    assert auth_get(fresh.base_url, access).status_code == 200

    reply = requests.post(fresh.base_url + "/oauth/v2/token/revoke", params={"token": refresh}, timeout=10)
    assert reply.status_code == 200 and reply.json() == {"status": "success"}

    assert token_call(fresh.base_url, grant_type="refresh_token", refresh_token=refresh, client_id=CLIENT_ID,
                      client_secret=CLIENT_SECRET).json() == {"error": "invalid_code"}
    dead = auth_get(fresh.base_url, access)
    assert dead.status_code == 401 and error_of(dead)["code"] == "INVALID_TOKEN"
    assert other.get("/Leads", per_page=1).status_code == 200  # untouched


def test_in_process_revoke_of_demo_refresh_token(fresh):
    access = refresh_access_token(fresh.base_url)
    assert fresh.app.oauth.revoke(REFRESH_TOKEN)
    dead = auth_get(fresh.base_url, access)
    assert dead.status_code == 401 and error_of(dead)["code"] == "INVALID_TOKEN"
    assert token_call(fresh.base_url, grant_type="refresh_token", refresh_token=REFRESH_TOKEN,
                      client_id=CLIENT_ID, client_secret=CLIENT_SECRET).json() == {"error": "invalid_code"}


def test_missing_authorization_header_is_authentication_failure(server):
    reply = auth_get(server.base_url, None)
    assert reply.status_code == 401
    assert reply.headers["Content-Type"].startswith("application/json")
    body = error_of(reply)
    assert body["code"] == "AUTHENTICATION_FAILURE"
    wrong_scheme = requests.get(server.base_url + API + "/Leads", headers={"Authorization": "Basic abc"}, timeout=10)
    assert wrong_scheme.status_code == 401 and error_of(wrong_scheme)["code"] == "AUTHENTICATION_FAILURE"


def test_unknown_token_is_invalid_token(server):
    reply = auth_get(server.base_url, "1000.deadbeef.deadbeef")
    assert reply.status_code == 401 and error_of(reply)["code"] == "INVALID_TOKEN"


def test_expired_access_token_is_invalid_token(make_server, clock):
    srv = make_server(token_ttl=600)
    reply = token_call(srv.base_url, grant_type="refresh_token", refresh_token=REFRESH_TOKEN,
                       client_id=CLIENT_ID, client_secret=CLIENT_SECRET).json()
    assert reply["expires_in"] == 600
    token = reply["access_token"]
    clock.advance(599)
    assert auth_get(srv.base_url, token).status_code == 200
    clock.advance(2)
    expired = auth_get(srv.base_url, token)
    assert expired.status_code == 401 and error_of(expired)["code"] == "INVALID_TOKEN"
    # A refresh gives a new token that works again.
    assert auth_get(srv.base_url, refresh_access_token(srv.base_url)).status_code == 200


def test_limited_scope_token_gets_scope_mismatch(fresh):
    verifier, challenge = pkce_pair()
    code = fresh.app.oauth.issue_grant_code(("ZohoCRM.modules.READ",), LOOPBACK, challenge)
    grant = exchange_code(fresh.base_url, code, LOOPBACK, verifier)
    assert grant["scope"] == "ZohoCRM.modules.READ"
    reader = Api(fresh, grant["access_token"])
    lead = reader.get("/Leads", per_page=1)
    assert lead.status_code == 200
    lead_id = lead.json()["data"][0]["id"]

    put = reader.put("/Leads", {"data": [{"id": lead_id, "Company": "Scope Test"}]})
    assert put.status_code == 401 and error_of(put)["code"] == "OAUTH_SCOPE_MISMATCH"
    put_one = reader.put(f"/Leads/{lead_id}", {"data": [{"Company": "Scope Test"}]})
    assert put_one.status_code == 401 and error_of(put_one)["code"] == "OAUTH_SCOPE_MISMATCH"
    fields = reader.get("/settings/fields", module="Leads")
    assert fields.status_code == 401 and error_of(fields)["code"] == "OAUTH_SCOPE_MISMATCH"
    mass = reader.post("/Leads/actions/mass_update", {"data": [{"City": "X"}], "ids": [lead_id]})
    assert mass.status_code == 401 and error_of(mass)["code"] == "OAUTH_SCOPE_MISMATCH"
    assert reader.record("Leads", lead_id)["Company"] != "Scope Test"
