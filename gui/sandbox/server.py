"""The sandbox's HTTP server: a threaded stdlib server in front of :class:`SandboxApp`.

:class:`SandboxServer` runs in-process (tests, ``--demo``, benchmarks) or in the foreground
(``zcrm-sandbox``). It keeps connections alive (HTTP/1.1), writes one JSON line per request
to the log with the Authorization value redacted, and saves ``--data`` atomically.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

from .api import Request, Response, SandboxApp
from .config import SandboxConfig
from .demo import build_demo
from .store import Store

log = logging.getLogger(__name__)
SAVE_INTERVAL = 0.5  # seconds between saves of a changed store


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    sandbox: "SandboxServer"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "zcrm-sandbox"
    sys_version = ""
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every small reply on a kept-alive connection.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # the request log replaces stderr noise
        return

    def _serve(self) -> None:
        started = time.perf_counter()
        sandbox = self.server.sandbox
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(self.command, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                          headers, body)
        try:
            response = sandbox.app.handle(request)
        except Exception:  # never a stack trace on the wire
            log.exception("sandbox error on %s %s", self.command, parts.path)
            response = Response.json(500, {"code": "INTERNAL_ERROR", "details": {},
                                           "message": "Internal Server Error", "status": "error"})
        if response.fault in ("reset", "timeout"):
            if response.fault == "timeout":
                sandbox.stall(sandbox.config.fault_stall_s)
            self.close_connection = True
            sandbox.log_request(self.command, parts.path, response, started, "authorization" in headers)
            return
        if response.fault == "badjson" and response.body:
            response.body = response.body[: max(1, len(response.body) // 2)]
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)
        sandbox.log_request(self.command, parts.path, response, started, "authorization" in headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def __getattr__(self, name: str) -> Any:
        # Any other method (COPY, OPTIONS, HEAD, ...) reaches the app too, which answers
        # INVALID_REQUEST_METHOD as JSON (seed 004) instead of the stdlib's 501 HTML page.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionResetError, BrokenPipeError):
            self.close_connection = True


class SandboxServer:
    """A running sandbox. Use as a context manager or call :meth:`start` / :meth:`stop`."""

    def __init__(self, config: SandboxConfig | None = None, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, **overrides: Any):
        base = config or SandboxConfig()
        if overrides:
            base = SandboxConfig(**{**base.__dict__, **overrides})
        self.config = base
        self.store = Store(clock)
        self._load_or_seed()
        self.app = SandboxApp(self.config, self.store, clock, sleep)
        self._httpd = _Server((self.config.host, self.config.port), _Handler)
        self._httpd.sandbox = self
        self.port = self._httpd.server_address[1]
        self.app.base_url = self.base_url
        self._log_lock = threading.Lock()
        self._log_fh = open(self.config.log_file, "a", encoding="utf-8") if self.config.log_file else None
        self._thread: threading.Thread | None = None
        self._stop_saving = threading.Event()
        self._saver: threading.Thread | None = None

    # -- data ----------------------------------------------------------------------------
    def _load_or_seed(self) -> None:
        path = self.config.data_file
        if path is not None and Path(path).exists():
            with open(path, encoding="utf-8") as fh:
                self.store.load_json(json.load(fh))
            return
        if self.config.seed != "none":
            build_demo(self.store, self.config.records, self.config.seed)
        else:
            build_demo(self.store, 0, "none")
        if path is not None:
            self.store.save(Path(path))

    def save(self) -> None:
        if self.config.data_file is not None:
            self.store.save(Path(self.config.data_file))

    def _save_loop(self) -> None:
        while not self._stop_saving.wait(SAVE_INTERVAL):
            if self.store.dirty:
                try:
                    self.save()
                except OSError:
                    log.exception("could not save sandbox data to %s", self.config.data_file)

    # -- addresses -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host = self.config.host if ":" not in self.config.host else f"[{self.config.host}]"
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base_url

    @property
    def accounts_url(self) -> str:
        return self.base_url

    # -- life cycle --------------------------------------------------------------------
    def start(self) -> "SandboxServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="zcrm-sandbox", daemon=True)
        self._thread.start()
        self._start_saver()
        return self

    def _start_saver(self) -> None:
        if self.config.data_file is not None:
            self._saver = threading.Thread(target=self._save_loop, name="zcrm-sandbox-save", daemon=True)
            self._saver.start()

    def serve_forever(self) -> None:
        self._start_saver()
        try:
            self._httpd.serve_forever(poll_interval=0.1)
        finally:
            self._finish()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._finish()

    def stall(self, seconds: float) -> None:
        """Hold a connection open without answering (a "timeout" fault); ends early on stop."""
        self._stop_saving.wait(seconds)

    def shutdown_from_signal(self) -> None:
        """Ask a foreground :meth:`serve_forever` to return (safe from a signal handler)."""
        threading.Thread(target=self._httpd.shutdown, daemon=True).start()

    def _finish(self) -> None:
        self._stop_saving.set()
        if self._saver is not None:
            self._saver.join(timeout=5)
            self._saver = None
        if self.store.dirty:
            self.save()
        self._httpd.server_close()
        if self._log_fh is not None:
            self._log_fh.close()
            self._log_fh = None

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- request log -----------------------------------------------------------------
    def log_request(self, method: str, path: str, response: Response, started: float, had_auth: bool) -> None:
        if self._log_fh is None:
            return
        entry = {"ts": round(time.time(), 3), "method": method, "path": path, "status": response.status,
                 "records": response.records, "ms": round((time.perf_counter() - started) * 1000, 1)}
        if had_auth:
            entry["authorization"] = "[redacted]"
        if response.fault:  # an injected fault (faults.py): the status alone does not show reset or badjson
            entry["fault"] = response.fault
        line = json.dumps(entry) + "\n"
        with self._log_lock:
            if self._log_fh is not None:
                self._log_fh.write(line)
                self._log_fh.flush()
