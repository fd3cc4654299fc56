"""Logging for the app, with secrets scrubbed out of everything that reaches a log.

:class:`RedactingFilter` rewrites each record's final message (its arguments merged in),
its traceback text and its stack text, replacing with ``[redacted]``:

- anything shaped like a Zoho token or grant code (``1000.<hex>.<hex>``);
- the value of ``access_token``, ``refresh_token``, ``client_secret``, ``code``,
  ``code_verifier`` and ``password``, written as JSON (``"refresh_token": "…"``), as a
  Python dict, as a form or query string (``client_secret=…&``) or as ``key: value`` text.
  Values of ``code`` that look like an API error code (``INVALID_DATA``) or a number are
  kept, so error replies stay readable;
- ``Authorization: …`` header values and ``Zoho-oauthtoken …`` / ``Bearer …`` anywhere;
- any exact string registered at run time with :meth:`RedactingFilter.register_secret`
  or :func:`register_secret` (the client registers client secrets and tokens it learns).

:func:`setup_logging` puts the filter on the app's handlers (not on a logger), so records
from every logger, including requests and urllib3, are scrubbed before they are written.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Iterable
from logging.handlers import RotatingFileHandler
from urllib.parse import quote, quote_plus

from gui.services.paths import PRIVATE_FILE_MODE, AppPaths, ensure_private_dir

REDACTED = "[redacted]"
LOG_FILE_NAME = "zcrm-editor.log"
MAX_BYTES = 2_000_000
BACKUP_COUNT = 3
FORMAT = "%(asctime)s %(levelname)-7s [%(threadName)s] %(name)s: %(message)s"
MIN_SECRET_LENGTH = 4  # shorter registered strings would scrub ordinary words
_MARK = "_zcrm_editor_handler"  # attribute naming the handlers setup_logging installed

_NOT_REDACTED = r"(?!\[redacted\])"
_KEYS = r"(?:access_token|refresh_token|client_secret|code_verifier|code|password)"
_PAIR = re.compile(
    r"(?:(?<![\w\\-])|(?<=\\[nrt]))(?P<key>(?P<kq>\\*+[\"']?)" + _KEYS + r"(?P=kq))(?P<sep>\s*[:=]\s*)"
    r"(?:\"(?P<dq>(?:\\.|[^\"\\])*)\"|'(?P<sq>(?:\\.|[^'\\])*)'"
    r"|(?P<bs>\\+)\"(?P<eq>.*?)(?<!\\)(?P=bs)\"|" + _NOT_REDACTED + r"(?P<val>[^\s&\"'\\,;)}\]]+))",
    re.IGNORECASE,
)
_AUTH_HEADER = re.compile(
    r"(?P<pre>\bauthorization\\*[\"']?\s*[:=]\s*\\*[\"']?)"
    r"(?P<scheme>(?:Zoho-oauthtoken|Bearer|Basic|Token)\s+)?"
    r"(?!(?:Zoho-oauthtoken|Bearer|Basic|Token)\s)" + _NOT_REDACTED
    + r"(?P<val>[^\s\"'\\,;)}\]]+)",
    re.IGNORECASE,
)
_AUTH_SCHEME = re.compile(
    r"\b(?P<scheme>Zoho-oauthtoken|Bearer)(?P<gap>\s+)" + _NOT_REDACTED + r"(?P<val>[^\s\"'\\,;)}\]]+)",
    re.IGNORECASE,
)
_ZOHO_TOKEN = re.compile(r"\b1000\.[0-9a-fA-F]{8,}\.[0-9a-fA-F]{8,}\b")
_HARMLESS_CODE = re.compile(r"[A-Z][A-Z0-9_]*|\d+")


def _replace_pair(match: re.Match[str]) -> str:
    group = next(g for g in ("dq", "sq", "eq", "val") if match.group(g) is not None)
    value = match.group(group)
    key = match.group("key").strip("\\\"'").lower()
    if not value or value in ("null", "None", REDACTED):
        return match.group(0)
    if key == "code" and _HARMLESS_CODE.fullmatch(value):
        return match.group(0)
    start, end = match.start(group) - match.start(), match.end(group) - match.start()
    return match.group(0)[:start] + REDACTED + match.group(0)[end:]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the patterns of the module docstring and the exact ``secrets`` scrubbed."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _AUTH_HEADER.sub(lambda m: m.group("pre") + (m.group("scheme") or "") + REDACTED, text)
    text = _AUTH_SCHEME.sub(lambda m: m.group("scheme") + m.group("gap") + REDACTED, text)
    text = _PAIR.sub(_replace_pair, text)
    return _ZOHO_TOKEN.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Scrubs secrets from every record it sees (see the module docstring); never drops one."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()

    def register_secret(self, value: str | None) -> None:
        """Scrub this exact string (and its URL- and JSON-escaped forms) from now on.

        Strings shorter than four characters are ignored: they would hide ordinary words
        (and so is a piece of ``[redacted]`` itself, which would scrub the scrubbing).
        """
        if not value or len(value) < MIN_SECRET_LENGTH or value in REDACTED:
            return
        forms = {value, quote(value, safe=""), quote_plus(value, safe=""), json.dumps(value)[1:-1]}
        with self._lock:
            self._secrets = tuple(sorted(set(self._secrets) | forms, key=len, reverse=True))

    def redact(self, text: str) -> str:
        """``text`` scrubbed of the known patterns and the registered secrets."""
        return redact(text, self._secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad format arguments: keep what there is, scrubbed
            message = f"{record.msg!s} (arguments: {record.args!r})"
        record.msg = self.redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def register_secret(value: str | None) -> int:
    """Register ``value`` with every :class:`RedactingFilter` on the root logger's handlers.

    Returns how many filters now know it (0 before :func:`setup_logging` has run). Code
    that is handed the filter itself may call :meth:`RedactingFilter.register_secret`.
    """
    filters = _installed_filters()
    for found in filters:
        found.register_secret(value)
    return len(filters)


class _PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log file that is created (and re-created on rotation) with mode 0600."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
        if os.name == "posix":
            os.fchmod(fd, PRIVATE_FILE_MODE)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def _installed_filters() -> list[RedactingFilter]:
    found: list[RedactingFilter] = []
    for handler in logging.getLogger().handlers:
        for item in handler.filters:
            if isinstance(item, RedactingFilter) and item not in found:
                found.append(item)
    return found


def setup_logging(paths: AppPaths, level: int | str = logging.INFO, console: bool = False) -> RedactingFilter:
    """Log to a rotating, private file in ``paths.log_dir`` (and stderr if ``console``).

    Calling it again does not add handlers twice: it adjusts the level, adds or removes the
    console handler, and moves the file handler if the log folder changed. The same
    :class:`RedactingFilter` (with the secrets registered so far) is kept and returned.
    """
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, _MARK, None)]
    redactor = next((f for h in ours for f in h.filters if isinstance(f, RedactingFilter)), None)
    redactor = redactor or RedactingFilter()
    formatter = logging.Formatter(FORMAT)

    ensure_private_dir(paths.log_dir)
    log_file = os.path.abspath(paths.log_dir / LOG_FILE_NAME)
    for handler in ours:
        kind = getattr(handler, _MARK)
        stale_file = kind == "file" and getattr(handler, "baseFilename", None) != log_file
        if stale_file or (kind == "console" and not console):
            root.removeHandler(handler)
            handler.close()
    kinds = {getattr(h, _MARK) for h in root.handlers if getattr(h, _MARK, None)}

    new: list[logging.Handler] = []
    if "file" not in kinds:
        new.append(_PrivateRotatingFileHandler(log_file, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                               encoding="utf-8"))
        setattr(new[-1], _MARK, "file")
    if console and "console" not in kinds:
        new.append(logging.StreamHandler(sys.stderr))
        setattr(new[-1], _MARK, "console")
    for handler in new:
        handler.setFormatter(formatter)
        handler.addFilter(redactor)
        root.addHandler(handler)
    root.setLevel(level)
    return redactor
