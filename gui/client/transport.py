"""HTTP to Zoho CRM: one session per profile, time-outs, retries with backoff, the
concurrency limit, credits, cooperative cancel and quiet, redacted logging.

Only this module and :mod:`oauth` touch ``requests``.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Protocol
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from .errors import Cancelled, NetworkError

log = logging.getLogger("zcrm.client")

API_PATH = "/crm/v2.1/"
TIMEOUT = (5.0, 60.0)  # connect, read
LOOPBACK = ("127.0.0.1", "localhost", "::1")
AUTH_FAILURES = ("INVALID_TOKEN", "AUTHENTICATION_FAILURE")
RAW_KEEP = 2000  # characters of a senseless reply kept for the log
READ_CHUNK = 1 << 18  # bytes read from a reply at a time


class CancelToken:
    """Set once by the user; every call checks it before it starts."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


class TokenSource(Protocol):
    def access_token(self) -> str: ...

    def refresh_after_rejection(self, rejected: str) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # tries in all, the first included
    base_delay: float = 0.5
    max_delay: float = 16.0
    budget: float = 120.0  # seconds of waiting allowed for one call


@dataclass(frozen=True)
class Wait:
    """A pause before a retry, for the status line: why, how long, which attempt."""

    reason: str  # "rate_limited", "server_error", "network" or "cut_short"
    seconds: float
    attempt: int
    path: str

    @property
    def message(self) -> str:
        if self.reason == "rate_limited":
            why = "Zoho asked us to slow down"
        elif self.reason == "server_error":
            why = "Zoho had a server error"
        elif self.reason == "cut_short":
            why = "Zoho's answer was cut short"
        else:
            why = "Zoho could not be reached"
        seconds = f"{self.seconds:.1f}" if self.seconds < 10 else f"{self.seconds:.0f}"  # never "in 0 s"
        return f"{why}; retrying in {seconds} s"


@dataclass
class HttpReply:
    status: int
    body: Any  # parsed JSON, or None for an empty or non-JSON body
    text: str  # the body as text, cut to RAW_KEEP characters, for the log
    credits_remaining: int | None = None
    # An earlier attempt of this call went out and its answer was lost (dropped connection,
    # read time-out): the server may have applied the call even if this reply says it failed.
    after_lost_answer: bool = False

    @property
    def json_ok(self) -> bool:
        return self.body is not None

    def error_code(self) -> str | None:
        if isinstance(self.body, dict) and self.body.get("status") == "error" and "data" not in self.body:
            return str(self.body.get("code"))
        return None


def check_tls(url: str, verify: bool) -> None:
    host = urlsplit(url).hostname or ""
    if not verify and host not in LOOPBACK:
        raise ValueError("TLS verification cannot be turned off for a non-loopback host")
    if urlsplit(url).scheme != "https" and host not in LOOPBACK:
        raise ValueError(f"{url} is not an https URL; Zoho is only reached over TLS")


class Transport:
    def __init__(self, api_base: str, tokens: TokenSource, concurrency: int = 10, heavy_concurrency: int = 10,
                 retry: RetryPolicy = RetryPolicy(), on_wait: Callable[[Wait], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None,
                 timeout: tuple[float, float] = TIMEOUT, verify: bool = True):
        check_tls(api_base, verify)
        self.api_base = api_base.rstrip("/")
        self.tokens = tokens
        self.concurrency = max(1, concurrency)
        self.retry = retry
        self.on_wait = on_wait
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.timeout = timeout
        self.verify = verify
        self.credits_remaining: int | None = None
        self.calls = 0
        self._slots = FairSlots(self.concurrency)
        self._heavy = FairSlots(max(1, min(heavy_concurrency, self.concurrency)))
        self._lock = threading.Lock()
        # Held while a reply is turned into data (here, and by callers that build records from
        # it): one thread at a time does that work, so that threads with a call to send wait
        # behind at most one of them for Python's interpreter lock, not behind every reply
        # that arrived at the same moment, and the org's concurrency does not sit idle.
        self.reading = threading.Lock()
        self.session = requests.Session()
        # The environment's proxies and CA bundle are read once, here, instead of on every call
        # (requests re-reads them per request: a scan of the environment and a stat of ~/.netrc,
        # about a third of its own time per call). With trust_env off, a ~/.netrc entry for
        # Zoho's host can no longer put a Basic Authorization header in place of ours.
        self.session.trust_env = False
        self.session.proxies.update(requests.utils.get_environ_proxies(self.api_base))
        if verify is True:
            self.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self.concurrency + 2, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                json_body: Any = None, files: Any = None, heavy: bool = False,
                cancel: CancelToken | None = None, on_send: Callable[[], None] | None = None) -> HttpReply:
        """One API call with retries. Raises Cancelled (not sent), NetworkError or SignInRequired.

        ``on_send`` runs once, when the call holds its place under the limits and is about to
        go out for the first time (not for a call that is cancelled while it waits).
        """
        if cancel is not None:
            cancel.check()
        url = self.api_base + API_PATH + path.lstrip("/")
        data = None if json_body is None else json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        slot = _Slot(self._slots, self._heavy if heavy else None)
        try:
            return self._with_retries(method, url, path, params, data, files, cancel, slot, on_send)
        finally:
            slot.release()

    def _with_retries(self, method: str, url: str, path: str, params: dict[str, Any] | None, data: bytes | None,
                      files: Any, cancel: CancelToken | None, slot: "_Slot",
                      on_send: Callable[[], None] | None = None) -> HttpReply:
        """Send until the reply is final. The call holds its slot while on the wire and over the
        waits between retries; a reply that needs no retry gives its slot up before its body is
        parsed, so that the next call goes out while this one is read."""
        waited = 0.0
        refreshed = False
        lost = False  # some attempt may have reached the server without its answer reaching us
        attempt = 0
        while True:
            attempt += 1
            slot.acquire(again=attempt > 1)
            if cancel is not None:
                cancel.check()
            token = self.tokens.access_token()
            headers = {"Authorization": "Zoho-oauthtoken " + token}
            if data is not None:
                headers["Content-Type"] = "application/json"
            if on_send is not None:
                on_send()
                on_send = None
            started = time.perf_counter()
            try:
                raw = self.session.request(method, url, params=params, data=data, files=files, headers=headers,
                                           timeout=self.timeout, verify=self.verify, allow_redirects=False,
                                           stream=True)
                try:
                    # In large pieces: a page of records is a few hundred kB, which requests
                    # would otherwise read 10 kB at a time, each piece a turn for the interpreter.
                    content = b"".join(raw.iter_content(READ_CHUNK))
                finally:
                    raw.close()
            except (requests.ConnectionError, requests.Timeout) as err:
                reason, reply = "network", None
                failure = f"could not reach Zoho CRM ({err.__class__.__name__})"
                lost = lost or not isinstance(err, requests.ConnectTimeout)
            else:
                if raw.status_code != 401 and raw.status_code != 429 and raw.status_code < 500:
                    slot.release()  # final unless its body turns out cut short: parsed outside the slot
                reply = self._reply(raw, content)
                reply.after_lost_answer = lost
                log.debug("%s %s -> %s in %.0f ms", method, path, reply.status, (time.perf_counter() - started) * 1000)
                if reply.status == 401 and reply.error_code() in AUTH_FAILURES and not refreshed:
                    refreshed = True
                    self.tokens.refresh_after_rejection(token)  # raises SignInRequired when it cannot
                    attempt -= 1
                    continue
                if reply.status == 429:
                    reason = "rate_limited"
                elif reply.status >= 500:
                    reason = "server_error"
                elif reply.status < 300 and reply.body is None and reply.text.strip() and _reads_only(method, path):
                    reason = "cut_short"  # asking again changes nothing; a write's reply is settled by its caller
                else:
                    return reply
                failure = f"HTTP {reply.status}"
            delay = self._delay(attempt)
            if attempt >= self.retry.attempts or waited + delay > self.retry.budget:
                if reply is not None:
                    return reply
                raise NetworkError(failure)
            wait = Wait(reason, delay, attempt, path)
            log.info("%s %s: %s", method, path, wait.message)
            if self.on_wait is not None:
                self.on_wait(wait)
            self.sleep(delay)
            waited += delay
            if cancel is not None:
                cancel.check()

    def _delay(self, attempt: int) -> float:
        """Exponential backoff with jitter: half the step fixed, half random."""
        step = min(self.retry.max_delay, self.retry.base_delay * (2 ** (attempt - 1)))
        return step / 2 + self.rng.random() * step / 2

    def _reply(self, raw: requests.Response, content: bytes) -> HttpReply:
        with self._lock:
            self.calls += 1
            credits = raw.headers.get("X-API-CREDITS-REMAINING")
            if credits is not None and credits.strip().lstrip("-").isdigit():
                self.credits_remaining = int(credits)
        text = content[:RAW_KEEP * 4].decode("utf-8", "replace")[:RAW_KEEP]
        body: Any = None
        if content.strip():
            with self.reading:
                try:
                    body = json.loads(content.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    body = None
        return HttpReply(raw.status_code, body, text, self.credits_remaining)


def _reads_only(method: str, path: str) -> bool:
    """Whether a call only reads (so it can be sent again after a reply that was cut short)."""
    return method in ("GET", "HEAD") or (method == "POST" and path.strip("/") == "coql")


class FairSlots:
    """A counting semaphore that serves waiters first come, first served.

    ``threading.Semaphore`` lets a thread that has just released a slot take it straight
    back for its next call, ahead of threads already waiting; a page asked for early could
    then wait until the end of a load and hold back every page after it. A call that asks
    again (a retry after a reply cut short) goes to the head of the line.
    """

    def __init__(self, slots: int) -> None:
        self._lock = threading.Lock()
        self._free = slots
        self._waiting: deque[threading.Lock] = deque()

    def acquire(self, first: bool = False) -> None:
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            if first:
                self._waiting.appendleft(turn)
            else:
                self._waiting.append(turn)
        turn.acquire()  # released by release(), which hands its slot over directly

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1

    def __enter__(self) -> None:
        self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


class _Slot:
    """One call's place under the limits: a heavy slot (mass updates) then an ordinary one."""

    def __init__(self, slots: FairSlots, heavy: FairSlots | None) -> None:
        self._slots = slots
        self._heavy = heavy
        self._held = False

    def acquire(self, again: bool = False) -> None:
        if self._held:
            return
        if self._heavy is not None:
            self._heavy.acquire(first=again)
        try:
            self._slots.acquire(first=again)
        except BaseException:
            if self._heavy is not None:
                self._heavy.release()
            raise
        self._held = True

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        self._slots.release()
        if self._heavy is not None:
            self._heavy.release()
