"""Nothing secret reaches a log: a whole session at DEBUG level (both sign-in flows, a
refresh, a load, an update with retries, sign-out), then every file written is searched
for each token, secret and code the sandbox handed out."""

from __future__ import annotations

import logging

from gui.client.signin import SignIn
from gui.client.transport import RetryPolicy
from gui.services.logs import setup_logging
from gui.services.paths import AppPaths
from gui.services.profiles import ProfileStore

from .conftest import profile_for
from .helpers import CLIENT_SECRET, HeadlessBrowser, every_file_text, query_of


def test_no_token_secret_or_code_is_ever_written(make_sandbox, keyring_store, clients, clean_root_logger, tmp_path):
    paths = AppPaths.under(tmp_path / "app")
    redactor = setup_logging(paths, level=logging.DEBUG)
    sandbox = make_sandbox(records=250, fault_rate=0.2, fault_kinds=("500",), fault_seed=5)
    signin = SignIn(keyring_store, register_secret=redactor.register_secret,
                    retry=RetryPolicy(attempts=20, base_delay=0.001, max_delay=0.002))
    profile = profile_for(sandbox, concurrency=4)
    ProfileStore(paths.ensure()).save(profile)
    secrets = {CLIENT_SECRET}

    # Self Client grant code.
    code = sandbox.app.oauth.issue_grant_code(profile.scopes)
    secrets.add(code)
    client, _ = signin.with_grant_code(profile, CLIENT_SECRET, code)
    clients.append(client)
    secrets |= set(sandbox.app.oauth.refresh_tokens) | set(sandbox.app.oauth.access_tokens)

    # Work: load, a forced refresh, an update with server errors retried.
    rows = []
    client.load("Contacts", ["Last_Name", "Email", "Account_Name", "Owner"], lambda page: rows.extend(page.records))
    sandbox.app.oauth.expire_all_access_tokens()
    ids = [r.record_id for r in rows]
    results = client.update("Contacts", [{"id": i, "Title": "Logged"} for i in ids])
    assert len(rows) == 250 and all(r.ok for r in results)
    assert client.transport.tokens.refreshes == 1
    secrets |= set(sandbox.app.oauth.access_tokens)

    # The browser flow too: its redirect carries a grant code through the loopback URL.
    browser = HeadlessBrowser()
    second, _ = signin.with_browser(profile_for(sandbox, "second"), CLIENT_SECRET, browser, timeout=10)
    clients.append(second)
    secrets.add(query_of(browser.redirect)["code"])
    secrets |= set(sandbox.app.oauth.refresh_tokens) | set(sandbox.app.oauth.access_tokens)

    # A careless log line of our own, as a future bug might write.
    leak = logging.getLogger("zcrm.client.test")
    leak.debug("token reply: %s", {"access_token": client.transport.tokens._access,
                                   "refresh_token": keyring_store.load("sandbox").refresh_token})
    leak.warning("callback was %s", browser.redirect)
    signin.sign_out(profile)

    for handler in logging.getLogger().handlers:
        handler.flush()
    written = every_file_text(tmp_path)
    assert "zcrm.client" in written and "DEBUG" in written  # the log really is there
    assert "PUT Contacts -> 200" in written and "[redacted]" in written
    secrets.discard("demo-refresh-token")  # the sandbox's standing token, never used here
    assert len(secrets) >= 8
    found = sorted(s for s in secrets if s in written)
    assert found == []
