"""The operations the editor needs from Zoho CRM, typed in and typed out.

:class:`ZohoClient` is one signed-in connection (one profile). Calls that change records
never raise for a failed record or a broken reply: they return one
:class:`~gui.core.results.RecordResult` per record, in the order given.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ..core.meta import FieldMeta, ModuleMeta, User
from ..core.results import Record, RecordError, RecordResult
from .errors import Cancelled, NetworkError, SignInRequired, ZohoError
from .loader import NAME_FIELDS, LoadOutcome, ModuleLoader, Page
from .replies import fields_from, modules_from, record_from, results_from_reply, users_from
from .transport import CancelToken, HttpReply, Transport

log = logging.getLogger("zcrm.client.api")

UPDATE_BATCH = 100
MASS_UPDATE_BATCH = 500
TRIGGERS = ("approval", "workflow", "blueprint")
ResultsCallback = Callable[[list[RecordResult]], None]


@dataclass(frozen=True)
class JobStatus:
    job_id: str
    status: str  # SCHEDULED, RUNNING, COMPLETED or FAILED
    total: int
    updated: int
    not_updated: int
    failed: int

    @property
    def finished(self) -> bool:
        return self.status in ("COMPLETED", "FAILED")


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class ZohoClient:
    def __init__(self, transport: Transport, close_hooks: Iterable[Callable[[], None]] = ()):
        self.transport = transport
        # Twice the calls allowed at once: workers reading a reply leave their slot to one that sends.
        self._executor = ThreadPoolExecutor(max_workers=2 * transport.concurrency + 2, thread_name_prefix="zoho-call")
        self._fields: dict[str, list[FieldMeta]] = {}
        self._users: list[User] | None = None
        self._lock = threading.Lock()
        self._close_hooks = list(close_hooks)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self.transport.close()
        for hook in self._close_hooks:
            hook()

    def __enter__(self) -> "ZohoClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------
    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json_body: Any = None,
             files: Any = None, heavy: bool = False, cancel: CancelToken | None = None,
             on_send: Callable[[], None] | None = None) -> HttpReply:
        return self.transport.request(method, path, params=params, json_body=json_body, files=files,
                                      heavy=heavy, cancel=cancel, on_send=on_send)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = self.call(method, path, **kwargs)
        if reply.status == 204:
            return None
        code = reply.error_code()
        if code is not None:
            body = reply.body
            raise ZohoError(code, str(body.get("message")), reply.status,
                            body.get("details") if isinstance(body.get("details"), dict) else None)
        if reply.body is None or reply.status >= 400:
            raise ZohoError("BAD_REPLY", f"Zoho sent an unexpected reply (HTTP {reply.status})", reply.status,
                            {"raw": reply.text})
        return reply.body

    # -- metadata ----------------------------------------------------------------------
    def modules(self) -> list[ModuleMeta]:
        return [m for m in modules_from(self._json("GET", "settings/modules")) if m.api_supported]

    def fields(self, module: str, refresh: bool = False) -> list[FieldMeta]:
        with self._lock:
            cached = self._fields.get(module)
        if cached is not None and not refresh:
            return cached
        fields = fields_from(self._json("GET", "settings/fields", params={"module": module}))
        with self._lock:
            self._fields[module] = fields
        return fields

    def cached_fields(self, module: str) -> list[FieldMeta] | None:
        """The module's fields if they were read before, without a call; None otherwise."""
        with self._lock:
            return self._fields.get(module)

    def current_user(self) -> User:
        users = users_from(self._json("GET", "users", params={"type": "CurrentUser"}))
        if not users:
            raise ZohoError("BAD_REPLY", "Zoho did not say who is signed in")
        return users[0]

    def users(self, refresh: bool = False) -> list[User]:
        with self._lock:
            if self._users is not None and not refresh:
                return self._users
        users = users_from(self._json("GET", "users", params={"type": "AllUsers"}))
        with self._lock:
            self._users = users
        return users

    def count(self, module: str, cancel: CancelToken | None = None) -> int | None:
        """The module's record count, or None when the server cannot say."""
        try:
            body = self._json("GET", f"{module}/actions/count", cancel=cancel)
        except (ZohoError, NetworkError) as err:
            log.info("record count of %s unavailable: %s", module, err.code)
            return None
        value = body.get("count") if isinstance(body, dict) else None
        return value if isinstance(value, int) and value >= 0 else None

    def search_names(self, module: str, text: str, limit: int = 20,
                     cancel: CancelToken | None = None) -> list[tuple[str, str]]:
        """Records of ``module`` whose name contains ``text``: (id, name) pairs, for picking a lookup."""
        name_field = NAME_FIELDS.get(module, "Name")
        needle = text.strip().replace("\\", "").replace("'", "\\'").replace("%", "")
        where = f"{name_field} like '%{needle}%'" if needle else "id is not null"
        query = f"select {name_field} from {module} where {where} order by {name_field} limit {max(1, min(limit, 200))}"
        body = self._json("POST", "coql", json_body={"select_query": query}, cancel=cancel)
        found = []
        for item in (body or {}).get("data") or []:
            if isinstance(item, dict) and item.get("id") is not None:
                found.append((str(item["id"]), str(item.get(name_field) or item["id"])))
        return found

    # -- loading -------------------------------------------------------------------------
    def load(self, module: str, fields: list[str], on_page: Callable[[Page], None],
             cancel: CancelToken | None = None) -> LoadOutcome:
        """Every record of ``module`` with ``fields``; ``on_page`` gets pages in id order as they come.

        Raises ZohoError (or Cancelled) after delivering the pages that arrived before it.
        """
        return ModuleLoader(self, self._executor, module, fields, on_page, cancel).run()

    def fetch(self, module: str, ids: list[str], fields: list[str], cancel: CancelToken | None = None) -> list[Record]:
        """Re-read some records (100 ids a call, in parallel); ids that no longer exist are absent."""
        wanted = ",".join(dict.fromkeys([*fields, "Modified_Time"]))

        def one(batch: list[str]) -> list[Record]:
            # approved=both: a record that now awaits approval (an update can start an approval
            # process) is still read back; Zoho's default lists approved records only.
            params = {"ids": ",".join(batch), "fields": wanted, "approved": "both"}
            body = self._json("GET", module, params=params, cancel=cancel)
            items = body.get("data") if isinstance(body, dict) else None
            return [r for r in (record_from(item) for item in items or []) if r is not None]

        futures = [self._executor.submit(one, batch) for batch in chunks(list(dict.fromkeys(ids)), UPDATE_BATCH)]
        return [record for future in futures for record in future.result()]

    # -- updates ----------------------------------------------------------------------
    def update(self, module: str, records: list[dict[str, Any]], trigger: Iterable[str] | None = None,
               cancel: CancelToken | None = None, on_results: ResultsCallback | None = None) -> list[RecordResult]:
        """Update records (dicts with ``id``) in calls of at most 100; ``trigger=None`` runs all."""
        _trigger_body(trigger)  # a wrong trigger fails before anything is sent
        batches = chunks(records, UPDATE_BATCH)
        sent = [[_id_of(r) for r in batch] for batch in batches]
        return self._run_calls(batches, sent, lambda batch: self._put(module, batch, trigger, cancel), on_results)

    def mass_update(self, module: str, values: dict[str, Any], ids: list[str], over_write: bool = False,
                    trigger: Iterable[str] | None = None, cancel: CancelToken | None = None,
                    on_results: ResultsCallback | None = None) -> list[RecordResult]:
        """Set the same values on many records, 500 ids a call."""
        _trigger_body(trigger)  # a wrong trigger fails before anything is sent
        batches = chunks([str(i) for i in ids], MASS_UPDATE_BATCH)
        return self._run_calls(batches, [list(b) for b in batches],
                               lambda batch: self._post_mass(module, values, batch, over_write, trigger, cancel),
                               on_results)

    def mass_update_view(self, module: str, values: dict[str, Any], cvid: str, over_write: bool = False,
                         trigger: Iterable[str] | None = None) -> str:
        """Schedule a mass update of a custom view; returns the job id."""
        body = {"data": [values], "cvid": str(cvid), "over_write": over_write, **_trigger_body(trigger)}
        reply = self.call("POST", f"{module}/actions/mass_update", json_body=body, heavy=True)
        result = results_from_reply(reply, [None])[0]
        job_id = result.details.get("job_id") if result.ok else None
        if not job_id:
            error = result.error or RecordError("BAD_REPLY", "Zoho did not return a job id")
            raise ZohoError(error.code, error.message, reply.status, dict(error.details))
        return str(job_id)

    def mass_update_status(self, module: str, job_id: str) -> JobStatus:
        body = self._json("GET", f"{module}/actions/mass_update", params={"job_id": job_id})
        data = body.get("data") if isinstance(body, dict) else None
        item = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else None
        if item is None:
            raise ZohoError("BAD_REPLY", "Zoho sent no job status")

        def number(key: str) -> int:
            value = item.get(key)
            return int(value) if isinstance(value, (int, str)) and str(value).isdigit() else 0

        return JobStatus(job_id, str(item.get("Status")), number("Total_Count"), number("Updated_Count"),
                         number("Not_Updated_Count"), number("Failed_Count"))

    def wait_for_job(self, module: str, job_id: str, poll: float = 2.0, timeout: float = 3600.0,
                     cancel: CancelToken | None = None, sleep: Callable[[float], None] = time.sleep,
                     on_status: Callable[[JobStatus], None] | None = None) -> JobStatus:
        waited = 0.0
        while True:
            status = self.mass_update_status(module, job_id)
            if on_status is not None:
                on_status(status)
            if status.finished:
                return status
            if waited >= timeout:
                raise ZohoError("TIMEOUT", f"the mass update job {job_id} did not finish in time")
            if cancel is not None:
                cancel.check()
            sleep(poll)
            waited += poll

    def upload_file(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Upload a file for attaching to a file or image field; returns its file id."""
        reply = self.call("POST", "files", files={"file": (name, data, content_type)})
        result = results_from_reply(reply, [None])[0]
        file_id = result.details.get("id") if result.ok else None
        if not file_id:
            error = result.error or RecordError("BAD_REPLY", "Zoho did not return a file id")
            raise ZohoError(error.code, error.message, reply.status, dict(error.details))
        return str(file_id)

    def update_call(self, module: str, records: list[dict[str, Any]], trigger: Iterable[str] | None = None,
                    cancel: CancelToken | None = None, on_send: Callable[[], None] | None = None) -> list[RecordResult]:
        """One update call (at most 100 records), in the calling thread. ``on_send`` runs once,
        when the call has its place under the concurrency limit and is about to go out."""
        if len(records) > UPDATE_BATCH:
            raise ValueError(f"one update call takes at most {UPDATE_BATCH} records")
        _trigger_body(trigger)
        return self._single([_id_of(r) for r in records], lambda: self._put(module, records, trigger, cancel, on_send))

    def mass_update_call(self, module: str, values: dict[str, Any], ids: list[str], over_write: bool = False,
                         trigger: Iterable[str] | None = None, cancel: CancelToken | None = None,
                         on_send: Callable[[], None] | None = None) -> list[RecordResult]:
        """One mass-update call (at most 500 ids), in the calling thread; ``on_send`` as for :meth:`update_call`."""
        if len(ids) > MASS_UPDATE_BATCH:
            raise ValueError(f"one mass update takes at most {MASS_UPDATE_BATCH} ids")
        _trigger_body(trigger)
        batch = [str(i) for i in ids]
        return self._single(batch, lambda: self._post_mass(module, values, batch, over_write, trigger, cancel, on_send))

    def _put(self, module: str, records: list[dict[str, Any]], trigger: Iterable[str] | None,
             cancel: CancelToken | None, on_send: Callable[[], None] | None = None) -> HttpReply:
        return self.call("PUT", module, json_body={"data": records, **_trigger_body(trigger)}, cancel=cancel,
                         on_send=on_send)

    def _post_mass(self, module: str, values: dict[str, Any], ids: list[str], over_write: bool,
                   trigger: Iterable[str] | None, cancel: CancelToken | None,
                   on_send: Callable[[], None] | None = None) -> HttpReply:
        body = {"data": [values], "ids": ids, "over_write": over_write, **_trigger_body(trigger)}
        return self.call("POST", f"{module}/actions/mass_update", json_body=body, heavy=True, cancel=cancel,
                         on_send=on_send)

    # -- running many calls ----------------------------------------------------------
    def _single(self, ids: list[str | None], send: Callable[[], HttpReply],
                stop: threading.Event | None = None) -> list[RecordResult]:
        """Send one call and map its reply; every failure becomes a result, never an exception."""
        if stop is not None and stop.is_set():
            return _failed(ids, SignInRequired())
        try:
            return results_from_reply(send(), ids)
        except SignInRequired as err:
            if stop is not None:
                stop.set()
            return _failed(ids, err)
        except ZohoError as err:  # Cancelled, NetworkError, …
            return _failed(ids, err)
        except Exception as err:  # a bug must not lose the batch
            log.exception("unexpected error while sending a call")
            return _failed(ids, ZohoError("CLIENT_ERROR", f"unexpected error: {err.__class__.__name__}"))

    def _run_calls(self, batches: list[Any], sent: list[list[str | None]], send: Callable[[Any], HttpReply],
                   on_results: ResultsCallback | None) -> list[RecordResult]:
        stop = threading.Event()  # set once the sign-in is gone: no point sending more

        def one(index: int) -> list[RecordResult]:
            results = self._single(sent[index], lambda: send(batches[index]), stop)
            if on_results is not None:
                on_results(results)
            return results

        futures: list[Future[list[RecordResult]]] = [self._executor.submit(one, i) for i in range(len(batches))]
        out: list[RecordResult] = []
        for future in futures:
            out.extend(future.result())
        return out


def _failed(ids: list[str | None], err: ZohoError) -> list[RecordResult]:
    message = "not sent: the submit was cancelled" if isinstance(err, Cancelled) else err.message
    error = RecordError(err.code, message, details=dict(err.details), top_level=True)
    return [RecordResult(i, error) for i in ids]


def _id_of(record: dict[str, Any]) -> str | None:
    value = record.get("id")
    return None if value is None else str(value)


def _trigger_body(trigger: Iterable[str] | None) -> dict[str, Any]:
    if trigger is None:
        return {}
    chosen = list(trigger)
    unknown = [t for t in chosen if t not in TRIGGERS]
    if unknown:
        raise ValueError(f"unknown trigger(s): {', '.join(unknown)}")
    return {"trigger": chosen}
