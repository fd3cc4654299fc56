"""The sign-in during a 5,000-edit ``zcrm-editor apply``: access tokens that live two seconds
(``--token-ttl 2``) are renewed without a word; a refresh token revoked mid-submit stops the
submit with "sign in again", reports every row truthfully, and after signing in again the
same file sends only what is missing."""

from __future__ import annotations

import itertools
import time

from .org import five_thousand_edits, read_report, request_log, run_apply, server_leads
from .scenarios import FAILED, UNCHANGED, UPDATED, Reported, check_outcome

WRITES = ("PUT", "POST")


class SandboxClock:
    """The sandbox's time, moved by the test alone: tokens expire when the test says.

    On the wall clock, a token that lives two seconds also expires whenever a busy machine
    holds a call for a second between the client taking its token and the sandbox checking
    it; twice in a row, and the client rightly gives up ("sign in again"). Here expiry is
    what the test makes happen, however fast or slow the machine.
    """

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_access_tokens_expiring_every_two_seconds_are_renewed_mid_submit(template, org, home, tmp_path):
    log = tmp_path / "requests.jsonl"
    clock = SandboxClock()
    server = org(token_ttl=2, log_file=log, clock=clock)
    intent = five_thousand_edits(template, "ttl", tmp_path / "edits.csv")
    answer, writes_seen = server.app.handle, itertools.count(1)
    expired_at = clock.now + server.config.token_ttl  # every token minted so far is dead after the jump

    def one_slow_call(request):  # the 12th write arrives after the lifetime of the token it carries
        if request.method in WRITES and request.path.startswith("/crm/") and next(writes_seen) == 12:
            clock.now += server.config.token_ttl + 0.3
        return answer(request)

    server.app.handle = one_slow_call

    code, out, err = run_apply(server, tmp_path / "edits.csv", tmp_path / "report.csv")

    assert code == 1 and "sign in" not in err.lower(), err  # only the ten duplicate e-mails fail
    entries = request_log(server, log)
    writes = [e for e in entries if e["path"].startswith("/crm/") and e["method"] in WRITES]
    tokens = [e for e in entries if e["path"] == "/oauth/v2/token"]
    refused = [e for e in writes if e["status"] == 401]
    assert refused, "the slow call's token should have expired on the way"
    with server.app.oauth.lock:
        minted = list(server.app.oauth.access_tokens.values())
    minted_mid_submit = [t for t in minted if t.expires > expired_at]  # after the 12th write came in
    assert minted_mid_submit and len(minted) == len(tokens)
    check_outcome("token lifetime 2 s, expired mid-submit", intent, read_report(tmp_path / "report.csv", out),
                  server_leads(server), f"{len(tokens)} access tokens, {len(minted_mid_submit)} minted mid-submit, "
                                        f"{len(refused)} call(s) refused as expired and sent again")


def test_a_refresh_token_revoked_mid_submit_stops_with_sign_in_again_and_loses_nothing(
        template, org, home, tmp_path, monkeypatch):
    server = org(latency_ms=100)
    intent = five_thousand_edits(template, "revoked", tmp_path / "edits.csv")
    answer = server.app.handle

    def revoke_after_the_first_update(request):  # the admin revokes the app's access in Zoho
        response = answer(request)
        if request.method == "PUT" and response.status == 200 and server.config.refresh_token in \
                server.app.oauth.refresh_tokens:
            server.app.oauth.revoke(server.config.refresh_token)
            server.app.oauth.expire_all_access_tokens()
        return response

    server.app.handle = revoke_after_the_first_update

    code, out, err = run_apply(server, tmp_path / "edits.csv", tmp_path / "first.csv")

    assert code == 2, err
    assert "sign in again" in err and "run the same file again" in err
    first = read_report(tmp_path / "first.csv", out)
    stopped = {rid for rid, c in first.code.items() if c == "SIGN_IN_REQUIRED"}
    assert stopped and all("Sign in again" in first.message[rid] for rid in stopped)
    tally = check_outcome("refresh token revoked mid-submit", intent, first, server_leads(server),
                          f"{len(stopped)} stopped with 'sign in again'")
    duplicates = {rid for rid, values in intent.after.items() if "Email" in values}
    refused = {rid for rid, c in first.code.items() if c == "DUPLICATE_DATA"}
    assert 0 < tally.updated and tally.failed == len(stopped) + len(refused) and refused <= duplicates

    # Signing in again (a new refresh token), the same file finishes the job.
    server.app.oauth.add_refresh_token("second-refresh-token")
    monkeypatch.setenv("ZCRM_REFRESH_TOKEN", "second-refresh-token")
    code, out, err = run_apply(server, tmp_path / "edits.csv", tmp_path / "again.csv")
    assert code == 1, err  # the duplicates
    again = read_report(tmp_path / "again.csv", out)
    assert again.sent == tally.failed  # exactly the rows not saved the first time
    assert {rid for rid, s in again.status.items() if s == UPDATED} == stopped - duplicates
    assert {rid for rid, s in again.status.items() if s == UNCHANGED} == {
        rid for rid, s in first.status.items() if s == UPDATED}
    check_outcome("... then signed in again, same file", intent, Reported(again.status, again.code, again.message,
                                                                          again.sent), server_leads(server))
    assert {rid for rid, s in again.status.items() if s == FAILED} == duplicates
