"""Redaction, proven through real loggers writing a real log file."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest

from gui.services import logs
from gui.services.logs import LOG_FILE_NAME, REDACTED, RedactingFilter, redact, register_secret, setup_logging

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX only")

TOKEN = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
SECRET = "f00dfacef00dfacef00dfacef00dfacef00dface42"


@pytest.fixture
def log(paths, clean_root_logger):
    """Logging set up into a temporary folder; returns a function reading the file."""
    setup_logging(paths, logging.DEBUG)

    def read() -> str:
        return (paths.log_dir / LOG_FILE_NAME).read_text(encoding="utf-8")
    return read


def our_handlers(root: logging.Logger) -> list[logging.Handler]:
    return [h for h in root.handlers if any(isinstance(f, RedactingFilter) for f in h.filters)]


# Each case: the format, its arguments, and the secret strings that must not reach the file.
CASES = {
    "token shape": ("issued %s", (TOKEN,), [TOKEN]),
    "json refresh_token": ("reply %s", (json.dumps({"refresh_token": "my refresh", "expires_in": 3600}),),
                           ["my refresh"]),
    "json access_token": ('{"access_token": "%s", "api_domain": "x"}', ("abc.def-ghi",), ["abc.def-ghi"]),
    "form client_secret": ("body client_id=1000.X&client_secret=%s&grant_type=refresh_token", (SECRET,),
                           [SECRET]),
    "query code and verifier": ("GET /cb?code=%s&state=s1&code_verifier=%s", ("gc-77aa", "v3rifier-xyz"),
                                ["gc-77aa", "v3rifier-xyz"]),
    "password in a dict": ("login %s", ({"user": "ann", "password": "hunter2!"},), ["hunter2!"]),
    "zoho header": ("headers %s", ({"Authorization": "Zoho-oauthtoken atok-123456"},), ["atok-123456"]),
    "header text": ("Authorization: Zoho-oauthtoken %s", ("atok-654321",), ["atok-654321"]),
    "bearer": ("sent Bearer %s to x", ("eyJhbGciOiJIUzI1NiJ9.e30.sig",), ["eyJhbGciOiJIUzI1NiJ9"]),
    "escaped json": ("raw %r", (json.dumps(json.dumps({"client_secret": "deep one"})),), ["deep one"]),
    "escaped quote": ("raw %s", (json.dumps(json.dumps({"refresh_token": 'has "quotes" in'})),), ["quotes"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_pattern_is_scrubbed_from_the_file(log, name):
    fmt, args, secrets = CASES[name]
    logging.getLogger("gui.client.auth").warning(fmt, *args)
    text = log()
    for secret in secrets:
        assert secret not in text
    assert REDACTED in text


def test_a_registered_secret_is_scrubbed_everywhere(log):
    plain = "correct horse/battery staple"
    assert register_secret(plain) == 1
    register_secret("abc")  # too short to be registered: it would hide ordinary words
    other = logging.getLogger("somebody.else")  # any logger, not only ours
    other.error("secret is %s", plain)
    other.error("form value=%s", "correct+horse%2Fbattery+staple")  # URL-encoded form
    other.error("abc stays")
    text = log()
    assert "correct horse" not in text and "correct+horse" not in text
    assert text.count(REDACTED) == 2 and "abc stays" in text


def test_error_codes_and_ordinary_text_stay_readable(log):
    logging.getLogger("gui.client").info(
        'reply {"code": "INVALID_DATA", "status": "error", "message": "invalid data"} status code=401')
    text = log()
    assert '"code": "INVALID_DATA"' in text and "code=401" in text and REDACTED not in text


def test_tracebacks_are_scrubbed(log):
    try:
        raise ValueError(f"refresh failed for refresh_token={TOKEN}")
    except ValueError:
        logging.getLogger("gui.client").exception("refresh failed")
    text = log()
    assert "Traceback" in text and "ValueError" in text
    assert TOKEN not in text and REDACTED in text


def test_the_filter_keeps_records_and_drops_args():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token %s", (TOKEN,), None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == f"token {REDACTED}" and record.args == ()


def test_redaction_is_idempotent():
    for fmt, args, _ in CASES.values():
        once = redact(fmt % args)
        assert redact(once) == once


@posix_only
def test_log_file_and_folder_are_private(log, paths):
    logging.getLogger("gui").info("hello")
    assert stat.S_IMODE(os.stat(paths.log_dir / LOG_FILE_NAME).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(paths.log_dir).st_mode) == 0o700


@posix_only
def test_rotated_files_stay_private_and_scrubbed(paths, clean_root_logger, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 300)
    setup_logging(paths, logging.INFO)
    for n in range(20):
        logging.getLogger("gui").info("line %d refresh_token=%s", n, TOKEN)
    files = sorted(paths.log_dir.iterdir())
    assert len(files) == 1 + logs.BACKUP_COUNT
    for path in files:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert TOKEN not in path.read_text(encoding="utf-8")


def test_setup_is_idempotent(paths, clean_root_logger, tmp_path):
    root = clean_root_logger
    first = setup_logging(paths, logging.INFO)
    first.register_secret("kept-across-calls")
    assert setup_logging(paths, logging.DEBUG) is first
    assert len(our_handlers(root)) == 1 and root.level == logging.DEBUG
    setup_logging(paths, logging.INFO, console=True)
    setup_logging(paths, logging.INFO, console=True)
    assert len(our_handlers(root)) == 2
    assert setup_logging(paths, logging.INFO, console=False) is first
    assert len(our_handlers(root)) == 1
    moved = setup_logging(paths.under(tmp_path / "elsewhere"), logging.INFO)
    assert moved is first and len(our_handlers(root)) == 1
    logging.getLogger("gui").warning("value kept-across-calls")
    text = (tmp_path / "elsewhere" / "log" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "kept-across-calls" not in text and REDACTED in text


def test_console_output_is_scrubbed_too(paths, clean_root_logger, capsys):
    setup_logging(paths, logging.INFO, console=True)
    logging.getLogger("gui").warning("client_secret=%s", SECRET)
    err = capsys.readouterr().err
    assert SECRET not in err and REDACTED in err


def test_pathological_text_is_scrubbed_quickly():
    """Long runs of backslashes or unterminated quotes must not make logging crawl."""
    import time

    started = time.perf_counter()
    for text in ("code=" + "\\" * 20000, '"refresh_token": "' + "a\\" * 20000,
                 'refresh_token=\\"' + "\\" * 20000, "Authorization: " + "\\" * 20000):
        redact(text)
    assert time.perf_counter() - started < 1.0
