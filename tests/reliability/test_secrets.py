"""Secrets stay secret through a whole session at DEBUG level: a Self Client sign-in, a load,
a submit with the journal (with a token refresh and an unexpected error whose message holds
the access token), ``zcrm-editor apply --profile`` with a report, and sign-out. Afterwards no
access token, refresh token, client secret or grant code is in any file the app wrote (log,
settings, journal and its history, the report) nor in apply's output; every such file is
0600 and every folder 0700. And TLS checking cannot be turned off for a host that is not this
machine, not even through the environment."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Iterator

import pytest

from gui.client.oauth import OAuthClient
from gui.client.signin import SignIn
from gui.client.transport import Transport
from gui.core.profile import Profile, StoredSecrets
from gui.services.journal import Journal
from gui.services.logs import setup_logging
from gui.services.paths import AppPaths
from gui.services.profiles import ProfileStore
from gui.services.secrets import KeyringSecretStore, SessionSecretStore

from .org import CLIENT_ID, CLIENT_SECRET, MODULE, five_thousand_edits, read_report, run_apply, stage, \
    submit_with_client, write_csv
from .scenarios import Intent

POSIX = os.name == "posix"


@pytest.fixture
def debug_log(home: Path) -> Iterator[logging.Handler]:
    """The app's logging at DEBUG into ``home``; the root logger is put back afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    redactor = setup_logging(AppPaths.under(home), level=logging.DEBUG)
    yield redactor
    for handler in [h for h in root.handlers if h not in saved[0]]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(saved[1])


def first(intent: Intent, n: int, skip: int = 0) -> Intent:
    ids = [rid for rid in intent.after if "Email" not in intent.after[rid]][skip:skip + n]
    return Intent(intent.module, {rid: intent.after[rid] for rid in ids}, {rid: intent.before[rid] for rid in ids})


def test_no_secret_reaches_any_file_or_output_and_every_file_is_private(template, org, home, debug_log, tmp_path):
    server = org()
    paths = AppPaths.under(home).ensure()
    keyring = KeyringSecretStore()  # the suite's in-memory keyring
    profile = Profile("secrets", "custom", CLIENT_ID, api_base=server.api_url, accounts_base=server.accounts_url)
    ProfileStore(paths).save(profile)
    oauth = server.app.oauth
    code = oauth.issue_grant_code(profile.scopes)
    signin = SignIn(keyring, register_secret=debug_log.register_secret)
    client, user = signin.with_grant_code(profile, CLIENT_SECRET, code)
    secrets = {CLIENT_SECRET, code, keyring.load("secrets").refresh_token}
    intent = five_thousand_edits(template, "secret", tmp_path / "all.csv")
    part = first(intent, 300, skip=1000)  # new cities and titles: three update calls

    with client, Journal.in_data_dir(paths) as journal:
        session = journal.session(profile.name, MODULE)
        changes = stage(client, part, session)
        oauth.expire_all_access_tokens()  # a refresh in the middle
        secrets |= set(oauth.access_tokens)
        sent = client.transport.session.request

        def one_crash(method, url, **kwargs):  # an unexpected error, once, quoting the token
            client.transport.session.request = sent
            raise RuntimeError(f"proxy refused {kwargs['headers']['Authorization']!r}")

        client.transport.session.request = one_crash
        reported = submit_with_client(client, changes, session)
        assert list(reported.status.values()).count("updated") == 200  # the crashed call: read back, not saved
        assert list(reported.code.values()) == ["CLIENT_ERROR"] * 100
        secrets |= set(oauth.access_tokens) | set(oauth.refresh_tokens)
        assert journal.history() and journal.submit_records(journal.history()[0].submit_id)

    rest = first(intent, 100, skip=1300)
    write_csv(tmp_path / "rest.csv", [["id", "City", "Designation"]] + [
        [rid, v["City"], v["Designation"]] for rid, v in rest.after.items()])
    exit_code, out, err = run_apply(server, tmp_path / "rest.csv", home / "exports" / "report.csv",
                                    "--profile", "secrets")
    assert exit_code == 0, err
    assert set(read_report(home / "exports" / "report.csv", out).status.values()) == {"updated"}
    secrets |= set(oauth.access_tokens) | set(oauth.refresh_tokens)
    signin.sign_out(profile)
    assert keyring.load("secrets") is None

    for handler in logging.getLogger().handlers:
        handler.flush()
    files = [p for p in home.rglob("*") if p.is_file()]
    log_text = (home / "log" / "zcrm-editor.log").read_text(encoding="utf-8")
    assert "DEBUG" in log_text and f"PUT {MODULE} -> 200" in log_text  # the log is really there, in detail
    assert "unexpected error while sending a call" in log_text and "Traceback" in log_text  # the crash report
    assert "Zoho-oauthtoken [redacted]" in log_text
    assert {p.name for p in files} >= {"zcrm-editor.log", "profiles.json", "journal.sqlite3", "report.csv"}
    assert len(secrets) >= 6 and all(len(s) >= 10 for s in secrets)  # secret, code, 1+ refresh, 3+ access
    for path in files:
        data = path.read_bytes()
        leaked = sorted(s for s in secrets if s.encode() in data)
        assert not leaked, f"{path.relative_to(home)} holds {leaked}"
    assert not [s for s in secrets if s in out or s in err]
    if POSIX:
        assert {str(p.relative_to(home)): oct(stat.S_IMODE(p.stat().st_mode)) for p in files
                if stat.S_IMODE(p.stat().st_mode) != 0o600} == {}
        folders = [home, *(p for p in home.rglob("*") if p.is_dir())]
        assert {str(p): oct(stat.S_IMODE(p.stat().st_mode)) for p in folders
                if stat.S_IMODE(p.stat().st_mode) != 0o700} == {}


@pytest.mark.parametrize("host", ["https://www.zohoapis.com", "https://crm.example.org:8443", "https://10.0.0.5"])
def test_tls_checking_cannot_be_turned_off_for_other_hosts(host, monkeypatch):
    with pytest.raises(ValueError, match="TLS verification cannot be turned off"):
        Transport(host, tokens=None, verify=False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="TLS verification cannot be turned off"):
        OAuthClient(host, CLIENT_ID, CLIENT_SECRET, verify=False)
    with pytest.raises(ValueError, match="only reached over TLS"):
        Transport(host.replace("https://", "http://"), tokens=None)  # type: ignore[arg-type]
    # What the app builds checks certificates, and the environment cannot say otherwise.
    monkeypatch.setenv("CURL_CA_BUNDLE", "")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "")
    transport = Transport(host, tokens=None)  # type: ignore[arg-type]
    assert transport.verify is True
    settings = transport.session.merge_environment_settings(host, {}, None, transport.verify, None)
    assert settings["verify"] is True
    transport.close()


def test_a_profile_for_a_plain_http_host_is_refused_at_sign_in():
    store = SessionSecretStore()
    store.save("plain", StoredSecrets(CLIENT_SECRET, "a-refresh-token"))
    plain = Profile("plain", "custom", CLIENT_ID, api_base="http://crm.example.org", accounts_base="http://crm.example.org")
    with pytest.raises(ValueError, match="https"):
        SignIn(store).open(plain)
