"""Request routing and the org-wide rules: auth, scopes, concurrency, credits, latency.

:class:`SandboxApp` is independent of the HTTP server: it takes a :class:`Request` and
returns a :class:`Response`, so the whole API can be driven from a test or a server.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, Callable
from urllib.parse import parse_qsl

from . import auth, coql, records_api
from .config import SandboxConfig
from .errors import ApiError, invalid_body, invalid_method, invalid_module, invalid_url
from .faults import FaultPlan
from .mass_update import Job, MassUpdater, custom_views
from .schema import fields_json, find_module, modules_json
from .store import Store

API_PREFIX = "/crm/v2.1/"
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)  # replies are plain trees
MAX_UPLOAD = 20 * 1024 * 1024
HEAVY_LIMIT = 10  # concurrent mass updates allowed, whatever the edition


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = "application/json;charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    records: int = 0  # how many records the call carried, for the request log
    fault: str | None = None  # "reset", "timeout" or "badjson": the server misbehaves on purpose

    @classmethod
    def json(cls, status: int, payload: Any, records: int = 0) -> "Response":
        if payload is None:
            return cls(status, b"", None, records=records)
        return cls(status, _ENCODER.encode(payload).encode("utf-8"), records=records)


class SandboxApp:
    def __init__(self, config: SandboxConfig, store: Store, clock: Callable[[], float],
                 sleep: Callable[[float], None] = time.sleep):
        self.config = config
        self.store = store
        self.sleep = sleep
        self.oauth = auth.OAuthState(config.client_id, config.client_secret, float(config.token_ttl), clock,
                                     store.current_user_id)
        self.oauth.add_refresh_token(config.refresh_token)
        self.jobs: dict[str, Job] = {}
        self.mass = MassUpdater(store, self.jobs, itertools.count(1))
        self.credits = config.credits
        self.limit_lock = threading.Lock()
        self.in_flight = 0
        self.heavy_in_flight = 0
        self.base_url = ""  # set by the server once bound
        self.faults = FaultPlan(config.fault_rate, config.fault_kinds, config.fault_seed, config.fault_stall_s)

    # -- entry point -------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        try:
            if req.path.startswith("/crm/"):
                return self._crm(req)
            return self._accounts(req)
        except ApiError as err:
            return Response.json(err.status, err.body())

    # -- accounts server -----------------------------------------------------------
    def _accounts(self, req: Request) -> Response:
        path = req.path.rstrip("/") or "/"
        if path == "/oauth/v2/token" and req.method == "POST":
            form = {**req.query, **_form(req.body)}
            return Response.json(200, self.oauth.token(form, self.base_url))
        if path == "/oauth/v2/token/revoke" and req.method == "POST":
            form = {**req.query, **_form(req.body)}
            revoked = self.oauth.revoke(form.get("token", ""))
            return Response.json(200, {"status": "success"} if revoked else {"error": "invalid_token"})
        if path == "/oauth/v2/auth" and req.method == "GET":
            if req.query.get("client_id") != self.config.client_id:
                return _html(400, "<h1>Invalid client</h1><p>The client id is not known to this sandbox.</p>")
            redirect = req.query.get("redirect_uri", "")
            if not auth.is_loopback_uri(redirect):
                return _html(400, "<h1>Invalid redirect URI</h1><p>Only loopback redirect URIs "
                                  "(http://127.0.0.1:PORT/...) are registered for this client.</p>")
            user = self.store.users[self.store.current_user_id]["full_name"]
            return _html(200, auth.consent_page(req.query, user))
        if path == "/oauth/v2/auth/consent" and req.method == "POST":
            form = _form(req.body)
            if not auth.is_loopback_uri(form.get("redirect_uri", "")):
                return _html(400, "<h1>Invalid redirect URI</h1>")
            target = auth.consent_redirect(self.oauth, form, self.base_url)
            return Response(302, b"", None, {"Location": target})
        if path == "/" and req.method == "GET":
            return _html(200, "<h1>zcrm-sandbox</h1><p>A local Zoho CRM v2.1 emulator. API base: "
                              "<code>/crm/v2.1/</code>; accounts: <code>/oauth/v2/</code>.</p>")
        raise invalid_url()

    # -- CRM API -------------------------------------------------------------------------
    def _crm(self, req: Request) -> Response:
        heavy = req.method == "POST" and req.path.rstrip("/").endswith("/actions/mass_update")
        if not self._enter(heavy):
            self._delay()
            return Response.json(429, {"code": "TOO_MANY_REQUESTS", "details": {},
                                       "message": "too many concurrent requests; please retry later",
                                       "status": "error"})
        # The latency is the round trip of a call: half of it passes before the work, while
        # the request is on its way, and the rest after, while the reply is. The sandbox's own
        # work (which one interpreter does for every call in turn) happens within it, as Zoho's
        # servers work on concurrent calls side by side: a call takes the latency, or longer
        # only when the sandbox cannot keep up.
        deadline = time.monotonic() + self.config.latency_ms / 1000.0
        try:
            self._wait(self.config.latency_ms / 2000.0)
            fault = self.faults.pick()
            if fault in ("500", "429"):
                code, message = (("INTERNAL_ERROR", "Internal Server Error") if fault == "500"
                                 else ("TOO_MANY_REQUESTS", "too many requests; please retry later"))
                refusal = Response.json(int(fault), {"code": code, "details": {}, "message": message,
                                                     "status": "error"})
                refusal.fault = fault  # named in the request log, like the other faults
                return refusal
            if fault == "timeout":
                return Response(0, fault="timeout")
            access = self.oauth.authenticate(req.headers.get("authorization"))
            remaining = self._charge()
            try:
                response = self._route(req, access)
            except ApiError as err:
                response = Response.json(err.status, err.body())
            response.headers["X-API-CREDITS-REMAINING"] = str(remaining)
            response.fault = fault
            return response
        finally:
            self._wait(deadline - time.monotonic())
            self._leave(heavy)

    def _enter(self, heavy: bool) -> bool:
        with self.limit_lock:
            if self.in_flight >= self.config.max_concurrency:
                return False
            if heavy and self.heavy_in_flight >= min(HEAVY_LIMIT, self.config.max_concurrency):
                return False
            self.in_flight += 1
            if heavy:
                self.heavy_in_flight += 1
            return True

    def _leave(self, heavy: bool) -> None:
        with self.limit_lock:
            self.in_flight -= 1
            if heavy:
                self.heavy_in_flight -= 1

    def _delay(self) -> None:
        self._wait(self.config.latency_ms / 1000.0)

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.sleep(seconds)

    def _charge(self) -> int:
        with self.limit_lock:
            if self.credits <= 0:
                # Guess: the documented limits say "429 when over a limit"; the code name is ours.
                raise ApiError(429, "LIMIT_REACHED", "API credits for the last 24 hours are used up",
                               {"credits_remaining": 0})
            self.credits -= 1
            return self.credits

    def _route(self, req: Request, access: auth.AccessToken) -> Response:
        if not req.path.startswith(API_PREFIX):
            raise invalid_url()
        parts = [p for p in req.path[len(API_PREFIX):].split("/") if p]
        method = req.method
        if not parts:
            raise invalid_url()
        if parts[0] == "settings":
            return self._settings(parts[1:], method, req.query, access)
        if parts == ["users"]:
            _only(method, "GET")
            auth.require_scope(access, "users", "READ")
            return self._users(req.query)
        if parts == ["coql"]:
            _only(method, "POST")
            auth.require_scope(access, "coql", "READ")
            body = _json(req.body)
            module_name = _coql_module(body)
            if module_name:
                auth.require_scope(access, "modules", "READ", module_name)
            status, payload = coql.run_query(self.store, body)
            return Response.json(status, payload, len(payload["data"]) if payload else 0)
        if parts == ["files"]:
            _only(method, "POST")
            auth.require_scope(access, "files", "CREATE")
            return self._upload(req)
        module = find_module(parts[0])
        if module is None:
            raise invalid_module(parts[0])
        if len(parts) == 1:
            if method == "GET":
                auth.require_scope(access, "modules", "READ", module.api_name)
                status, payload = records_api.list_records(self.store, module, req.query)
                return Response.json(status, payload, len(payload["data"]) if payload else 0)
            if method == "PUT":
                auth.require_scope(access, "modules", "UPDATE", module.api_name)
                body = _json(req.body)
                status, payload = records_api.RecordUpdater(self.store, module, access.user_id).update(body)
                return Response.json(status, payload, len(payload["data"]))
            raise invalid_method()
        if parts[1:] == ["actions", "count"]:
            _only(method, "GET")
            auth.require_scope(access, "modules", "READ", module.api_name)
            with self.store.lock:
                total = len(self.store.records[module.api_name])
            return Response.json(200, {"count": total})
        if parts[1:] == ["actions", "mass_update"]:
            if method == "POST":
                auth.require_scope(access, "mass_update", "UPDATE", module.api_name)
                body = _json(req.body)
                status, payload = self.mass.run(module, body, access.user_id)
                return Response.json(status, payload, len(payload["data"]))
            if method == "GET":
                auth.require_scope(access, "mass_update", "READ", module.api_name)
                status, payload = self.mass.status(req.query)
                return Response.json(status, payload)
            raise invalid_method()
        if len(parts) == 2:
            record_id = parts[1]
            if method == "GET":
                auth.require_scope(access, "modules", "READ", module.api_name)
                status, payload = records_api.get_record(self.store, module, record_id)
                return Response.json(status, payload, 1 if payload else 0)
            if method == "PUT":
                auth.require_scope(access, "modules", "UPDATE", module.api_name)
                if not record_id.isdigit():
                    raise ApiError(400, "INVALID_DATA", "the id given seems to be invalid", {"id": record_id})
                body = _json(req.body)
                updater = records_api.RecordUpdater(self.store, module, access.user_id)
                status, payload = updater.update(body, url_id=record_id)
                return Response.json(status, payload, len(payload["data"]))
            raise invalid_method()
        raise invalid_url()

    def _settings(self, parts: list[str], method: str, query: dict[str, str], access: auth.AccessToken) -> Response:
        _only(method, "GET")
        if parts == ["modules"]:
            auth.require_scope(access, "settings", "READ", "modules")
            return Response.json(200, {"modules": modules_json()})
        if parts in (["fields"], ["custom_views"]):
            auth.require_scope(access, "settings", "READ", parts[0])
            name = query.get("module")
            if not name:
                raise ApiError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                               {"param": "module"})
            module = find_module(name)
            if module is None:
                raise invalid_module(name)
            if parts == ["fields"]:
                return Response.json(200, {"fields": fields_json(module)})
            views = [{"id": v.cvid, "name": v.name, "display_value": v.name, "system_name": v.name.upper(),
                      "default": i == 0, "category": "public_views"}
                     for i, v in enumerate(custom_views(module))]
            return Response.json(200, {"custom_views": views})
        raise invalid_url()

    def _users(self, query: dict[str, str]) -> Response:
        kind = query.get("type", "AllUsers")
        with self.store.lock:
            users = list(self.store.users.values())
            if kind == "CurrentUser":
                users = [self.store.users[self.store.current_user_id]]
            elif kind == "ActiveUsers":
                users = [u for u in users if u["status"] == "active"]
            elif kind != "AllUsers":
                raise ApiError(400, "INVALID_DATA", "invalid value for type", {"param": "type"})
            data = [dict(u) for u in users]
        return Response.json(200, {"users": data, "info": {"per_page": 200, "count": len(data), "page": 1,
                                                           "more_records": False}})

    def _upload(self, req: Request) -> Response:
        content_type = req.headers.get("content-type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            raise ApiError(400, "INVALID_DATA", "the request is not a multipart file upload",
                           {"expected": "multipart/form-data"})
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + req.body)
        entries = []
        for part in message.iter_parts():
            name = part.get_filename()
            if part.get_param("name", header="content-disposition") != "file" or not name:
                continue
            payload = part.get_payload(decode=True) or b""
            if len(payload) > MAX_UPLOAD:
                entries.append({"code": "FILE_SIZE_MORE_THAN_ALLOWED_SIZE", "details": {"name": name},
                                "message": "the file is larger than 20 MB", "status": "error"})
                continue
            with self.store.lock:
                upload = self.store.add_upload(name, len(payload), part.get_content_type())
            entries.append({"code": "SUCCESS", "details": {"name": name, "id": upload["id"]},
                            "message": "file uploaded.", "status": "success"})
        if not entries:
            raise ApiError(400, "MANDATORY_NOT_FOUND", "required field not found", {"param": "file"})
        return Response.json(200, {"data": entries}, len(entries))


def _only(method: str, allowed: str) -> None:
    if method != allowed:
        raise invalid_method()


def _json(body: bytes) -> Any:
    """Parse a request body as JSON whatever its Content-Type; integers stay exact."""
    if not body.strip():
        raise invalid_body("the request body is empty")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise invalid_body("the request body is not valid JSON") from None


def _form(body: bytes) -> dict[str, str]:
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return {}


def _coql_module(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("select_query"), str):
        words = body["select_query"].split()
        lowered = [w.lower() for w in words]
        if "from" in lowered and lowered.index("from") + 1 < len(words):
            return words[lowered.index("from") + 1]
    return None


def _html(status: int, text: str) -> Response:
    if not text.lstrip().startswith("<!doctype"):
        text = "<!doctype html><html><head><meta charset='utf-8'><title>zcrm-sandbox</title></head><body>" \
               + text + "</body></html>"
    return Response(status, text.encode("utf-8"), "text/html;charset=utf-8")
