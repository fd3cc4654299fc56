"""``POST /{module}/actions/mass_update`` and the job status call (seed 004).

With ``ids`` (at most 500) the update is applied at once with one result per id. With a
custom view id (``cvid``) it becomes a background job polled through
``GET /{module}/actions/mass_update?job_id=``.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from .errors import ApiError, RecordFailure, record_error
from .records_api import blocked, normalise_id, parse_triggers, run_workflows
from .schema import ModuleDef
from .validation import FieldChecker

if TYPE_CHECKING:
    from .store import Store

MAX_IDS = 500
MAX_JOB_RECORDS = 50_000


@dataclass
class CustomView:
    cvid: str
    name: str
    module: str
    accepts: Callable[[dict[str, Any], str], bool]  # (record, current user id) -> in view?


def custom_views(module: ModuleDef) -> list[CustomView]:
    """Every module has "All <plural>" and "My <plural>" (owned by the signed-in user)."""
    base = int(module.module_id) + 10_000
    return [
        CustomView(str(base + 1), f"All {module.plural}", module.api_name, lambda r, u: True),
        CustomView(str(base + 2), f"My {module.plural}", module.api_name,
                   lambda r, u: (r.get("Owner") or {}).get("id") == u),
    ]


@dataclass
class Job:
    job_id: str
    status: str = "SCHEDULED"
    total: int = 0
    updated: int = 0
    not_updated: int = 0
    failed: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"Status": self.status, "Total_Count": self.total, "Updated_Count": self.updated,
                "Not_Updated_Count": self.not_updated, "Failed_Count": self.failed}


def _answer(entry: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    # Seed 004: problems with the body come back inside data[] with HTTP 200.
    return 200, {"data": [entry]}


class MassUpdater:
    def __init__(self, store: "Store", jobs: dict[str, Job], job_serial: "itertools.count[int]"):
        self.store = store
        self.jobs = jobs
        self.job_serial = job_serial
        self.jobs_lock = threading.Lock()

    def run(self, module: ModuleDef, body: Any, user_id: str) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict):
            raise ApiError(400, "INVALID_DATA", "the body must be a JSON object", {})
        data = body.get("data")
        if not isinstance(data, list) or not data or not isinstance(data[0], dict) or not data[0]:
            return _answer(record_error("INVALID_DATA", "No field found"))
        values = data[0]
        if len(values) > module.mass_update_fields:
            # Guess: the wording for too many fields in one mass update is not in the seeds.
            return _answer(record_error("INVALID_DATA", f"only {module.mass_update_fields} field(s) can be "
                                        "updated in one mass update", json_path="$.data[0]"))
        checker = FieldChecker(self.store, module)
        prepared: dict[str, Any] = {}
        for key, value in values.items():
            f = module.get(key)
            where = f"$.data[0].{key}"
            if f is None or not f.mass_update or not f.editable:
                return _answer(record_error("INVALID_DATA", "This field cannot be updated in the Mass Update",
                                            api_name=key, json_path=where))
            try:
                with self.store.lock:
                    prepared[key] = checker.check(f, value, where, None, append=False)
            except RecordFailure as failure:
                return _answer(failure.entry)
        over_write = body.get("over_write", False)
        if not isinstance(over_write, bool):
            return _answer(record_error("INVALID_DATA", "invalid data", api_name="over_write",
                                        json_path="$.over_write"))
        triggers = parse_triggers(body)
        if "ids" in body:
            return self._by_ids(module, body["ids"], prepared, over_write, triggers, user_id)
        if "cvid" in body:
            return self._by_view(module, str(body["cvid"]), prepared, over_write, triggers, user_id)
        if "territory" in body:
            # Guess: the sandbox org has no territories; the real answer for that is undocumented.
            return _answer(record_error("INVALID_DATA", "territory management is not enabled in this org",
                                        api_name="territory", json_path="$.territory"))
        return _answer(record_error("MANDATORY_NOT_FOUND", "required field not found"))

    # -- by ids ------------------------------------------------------------------------
    def _by_ids(self, module: ModuleDef, ids: Any, prepared: dict[str, Any], over_write: bool,
                triggers: tuple[str, ...], user_id: str) -> tuple[int, dict[str, Any]]:
        if not isinstance(ids, list) or not ids:
            return _answer(record_error("MANDATORY_NOT_FOUND", "required field not found",
                                        api_name="ids", json_path="$.ids"))
        if len(ids) > MAX_IDS:
            # Guess: the 500-id cap is documented, its error wording is not.
            return _answer(record_error("LIMIT_EXCEEDED", "a maximum of 500 ids can be mass updated per call",
                                        api_name="ids", json_path="$.ids", limit=MAX_IDS))
        entries = []
        with self.store.lock:
            for raw in ids:
                entries.append(self._apply(module, raw, prepared, over_write, triggers, user_id))
        codes = {e["code"] for e in entries}
        if codes == {"SUCCESS"}:
            status = 200
        elif codes <= {"NOT_APPROVED", "RECORD_LOCKED"}:
            status = 400
        else:
            status = 207
        return status, {"data": entries}

    def _apply(self, module: ModuleDef, raw: Any, prepared: dict[str, Any], over_write: bool,
               triggers: tuple[str, ...], user_id: str) -> dict[str, Any]:
        record_id = normalise_id(raw)
        record = self.store.get_record(module.api_name, record_id) if record_id else None
        if record is None or record_id is None:
            return record_error("INVALID_DATA", "the id given seems to be invalid", id=str(raw))
        refusal = blocked(record, record_id)
        if refusal is not None:
            return refusal.entry
        changes = {}
        for key, value in prepared.items():
            f = module.get(key)
            if f is not None and f.data_type == "multiselectpicklist" and not over_write and value:
                merged = list(record.get(key) or [])
                merged.extend(v for v in value if v not in merged)
                value = merged
            changes[key] = list(value) if isinstance(value, list) else value
        self.store.apply_changes(module.api_name, record_id, changes, user_id)
        run_workflows(self.store, module, record, changes, triggers)
        return {"code": "SUCCESS", "details": self.store.success_details(record),
                "message": "record updated", "status": "success"}

    # -- by custom view (background job) ---------------------------------------------
    def _by_view(self, module: ModuleDef, cvid: str, prepared: dict[str, Any], over_write: bool,
                 triggers: tuple[str, ...], user_id: str) -> tuple[int, dict[str, Any]]:
        view = next((v for v in custom_views(module) if v.cvid == cvid), None)
        if view is None:
            return _answer(record_error("INVALID_DATA", "the custom view id given seems to be invalid",
                                        api_name="cvid", json_path="$.cvid"))
        with self.store.lock:
            ids = [str(i) for i in self.store.order[module.api_name]
                   if view.accepts(self.store.records[module.api_name][str(i)], user_id)][:MAX_JOB_RECORDS]
        job = Job(str(int(module.module_id) + 500_000 + next(self.job_serial)), total=len(ids))
        with self.jobs_lock:
            self.jobs[job.job_id] = job
        worker = threading.Thread(target=self._run_job, name=f"mass-update-{job.job_id}",
                                  args=(job, module, ids, prepared, over_write, triggers, user_id), daemon=True)
        worker.start()
        return 200, {"data": [{"code": "SUCCESS", "details": {"job_id": job.job_id},
                               "message": "mass update scheduled successfully", "status": "success"}]}

    def _run_job(self, job: Job, module: ModuleDef, ids: list[str], prepared: dict[str, Any],
                 over_write: bool, triggers: tuple[str, ...], user_id: str) -> None:
        job.status = "RUNNING"
        try:
            for start in range(0, len(ids), 200):
                with self.store.lock:
                    for rid in ids[start:start + 200]:
                        entry = self._apply(module, rid, prepared, over_write, triggers, user_id)
                        if entry["code"] == "SUCCESS":
                            job.updated += 1
                        elif entry["code"] in ("NOT_APPROVED", "RECORD_LOCKED", "NO_PERMISSION"):
                            job.not_updated += 1
                        else:
                            job.failed += 1
            job.status = "COMPLETED"
        except Exception:  # a job never takes the server down; it reports itself failed
            job.status = "FAILED"

    def status(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        job_id = query.get("job_id")
        if not job_id:
            raise ApiError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                           {"param": "job_id"})
        with self.jobs_lock:
            job = self.jobs.get(job_id)
        if job is None:
            raise ApiError(400, "INVALID_DATA", "the job id given seems to be invalid", {"param": "job_id"})
        return 200, {"data": [job.as_json()]}
