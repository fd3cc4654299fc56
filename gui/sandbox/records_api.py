"""Reading and updating records: ``GET /{module}``, ``GET /{module}/{id}``, ``PUT /{module}[/{id}]``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .errors import RECORD_CODE_STATUS, ApiError, RecordFailure
from .schema import ModuleDef
from .validation import FieldChecker

if TYPE_CHECKING:
    from .store import Store

PAGE_CAP = 2000  # records reachable with page/per_page
MAX_PER_PAGE = 200
MAX_UPDATE = 100
TRIGGERS = ("approval", "workflow", "blueprint")
SORTABLE = ("id", "Created_Time", "Modified_Time")
# Fields the API fills itself; copies of them in an update body are ignored, the way the
# real API accepts a fetched record as update input.
SYSTEM_FIELDS = ("id", "Created_Time", "Modified_Time", "Created_By", "Modified_By")


def _positive_int(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "INVALID_DATA", f"invalid value for {name}", {"param": name}) from None
    if value < 1:
        raise ApiError(400, "INVALID_DATA", f"invalid value for {name}", {"param": name})
    return value


def parse_fields(module: ModuleDef, raw: str | None) -> list[str] | None:
    if not raw:
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    for name in names:
        if module.get(name) is None and name != "id":
            # Guess: the real API's answer to an unknown name in ?fields= is not documented.
            raise ApiError(400, "INVALID_DATA", "invalid field in fields parameter", {"api_name": name})
    return names


def list_records(store: "Store", module: ModuleDef, query: dict[str, str]) -> tuple[int, dict[str, Any] | None]:
    page = _positive_int(query, "page", 1)
    # Guess: asking for more than 200 a page is served as 200, as the real API does.
    per_page = min(_positive_int(query, "per_page", MAX_PER_PAGE), MAX_PER_PAGE)
    fields = parse_fields(module, query.get("fields"))
    sort_by = query.get("sort_by") or None
    sort_order = (query.get("sort_order") or "asc").lower()
    if sort_by is not None and sort_by not in SORTABLE:
        raise ApiError(400, "INVALID_DATA", "sort_by must be one of id, Created_Time, Modified_Time",
                       {"param": "sort_by", "supported_values": list(SORTABLE)})
    if sort_order not in ("asc", "desc"):
        raise ApiError(400, "INVALID_DATA", "sort_order must be asc or desc", {"param": "sort_order"})
    approval = approval_filter(query.get("approved"))
    start = (page - 1) * per_page
    if start >= PAGE_CAP:
        raise ApiError(400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                       "cannot fetch more than 2000 records with page and per_page; page by a filter instead",
                       {"limit": PAGE_CAP})
    end = min(start + per_page, PAGE_CAP)
    with store.lock:
        table = store.records[module.api_name]
        if query.get("ids"):
            wanted = [i.strip() for i in query["ids"].split(",") if i.strip()]
            rows = [table[i] for i in wanted if i in table and (approval is None or approval(table[i]))]
        elif approval is not None:
            rows = [r for r in (table[str(i)] for i in store.order[module.api_name]) if approval(r)]
        elif sort_by in (None, "id"):
            # The common case, kept cheap: slice the sorted id list before touching records.
            order = store.order[module.api_name]
            size = len(order)
            picked = order[start:end] if sort_order == "asc" else order[::-1][start:end]
            chunk = [table[str(i)] for i in picked]
            data = [store.render(module, r, fields) for r in chunk]
            more = size > start + len(chunk)
            rows = None
        else:
            rows = [table[str(i)] for i in store.order[module.api_name]]
        if rows is not None:
            if sort_by is not None and sort_by != "id":
                rows = sorted(rows, key=lambda r: (r.get(sort_by) or "", int(r["id"])))
            if sort_order == "desc":
                rows = list(reversed(rows))
            chunk = rows[start:end]
            data = [store.render(module, r, fields) for r in chunk]
            more = len(rows) > start + len(chunk)
    if not data:
        return 204, None
    info = {"per_page": per_page, "count": len(data), "page": page, "more_records": more,
            "sort_by": sort_by or "id", "sort_order": sort_order}
    return 200, {"data": data, "info": info}


def approval_filter(raw: str | None) -> Callable[[dict[str, Any]], bool] | None:
    """Which records ``approved=`` lists: ``true`` approved ones, ``false`` those awaiting
    approval, ``both`` all of them.

    Guess: Zoho's docs give ``true`` as the default; without the parameter the sandbox lists
    every record, as it always has (clients that care, like the editor, send it).
    """
    if raw is None or raw == "" or raw.lower() == "both":
        return None
    if raw.lower() == "true":
        return lambda r: r.get("$approved") is not False
    if raw.lower() == "false":
        return lambda r: r.get("$approved") is False
    raise ApiError(400, "INVALID_DATA", "invalid value for approved", {"param": "approved",
                                                                        "supported_values": ["true", "false", "both"]})


def get_record(store: "Store", module: ModuleDef, record_id: str) -> tuple[int, dict[str, Any] | None]:
    if not record_id.isdigit():
        raise ApiError(400, "INVALID_DATA", "the id given seems to be invalid", {"id": record_id})
    with store.lock:
        record = store.get_record(module.api_name, record_id)
        if record is None:
            return 204, None
        return 200, {"data": [store.render(module, record)]}


def parse_triggers(body: dict[str, Any]) -> tuple[str, ...]:
    """The triggers to run: all when the key is absent, none for ``[]``."""
    if "trigger" not in body:
        return TRIGGERS
    value = body["trigger"]
    if not isinstance(value, list) or any(t not in TRIGGERS for t in value):
        raise ApiError(400, "INVALID_DATA", "invalid data", {"api_name": "trigger", "json_path": "$.trigger"})
    return tuple(value)


def normalise_id(value: Any) -> str | None:
    """Ids arrive as strings or as 19-digit JSON numbers (never through float)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    return None


def blocked(record: dict[str, Any], record_id: str) -> RecordFailure | None:
    """Why a record cannot be updated at all right now, if it cannot."""
    if record.get("$approved") is False:
        return RecordFailure("NOT_APPROVED", "cannot update record that is not approved yet", id=record_id)
    if record.get("$locked_for_me") is True:
        return RecordFailure("RECORD_LOCKED", "cannot update record that is not approved yet",
                             action="zia_vision_processing", id=record_id)
    if record.get("$editable") is False:
        # Guess: the seeds do not show this case; NO_PERMISSION is the real API's code for it.
        return RecordFailure("NO_PERMISSION", "permission denied to update", id=record_id)
    return None


def run_workflows(store: "Store", module: ModuleDef, record: dict[str, Any], changes: dict[str, Any],
                  triggers: tuple[str, ...]) -> None:
    """The demo org's one workflow rule: a lead marked Contacted gets its activity time stamped."""
    if "workflow" in triggers and module.api_name == "Leads" and changes.get("Lead_Status") == "Contacted":
        record["Last_Activity_Time"] = store.now()


def status_for(entries: list[dict[str, Any]]) -> int:
    codes = {e["code"] for e in entries}
    if codes == {"SUCCESS"}:
        return 200
    if "SUCCESS" not in codes and len(codes) == 1:
        return RECORD_CODE_STATUS.get(codes.pop(), 207)
    return 207


class RecordUpdater:
    """Applies one update call, record by record; a record is applied whole or not at all."""

    def __init__(self, store: "Store", module: ModuleDef, user_id: str):
        self.store = store
        self.module = module
        self.user_id = user_id
        self.checker = FieldChecker(store, module)

    def update(self, body: Any, url_id: str | None = None) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict):
            raise ApiError(400, "INVALID_DATA", "the body must be a JSON object", {})
        if "data" not in body:
            raise ApiError(400, "MANDATORY_NOT_FOUND", "required field not found",
                           {"api_name": "data", "json_path": "$.data"})
        data = body["data"]
        if not isinstance(data, list) or not data:
            raise ApiError(400, "INVALID_DATA", "invalid data", {"api_name": "data", "json_path": "$.data"})
        if url_id is not None and len(data) != 1:
            raise ApiError(400, "INVALID_DATA", "only one record can be updated through this URL",
                           {"api_name": "data", "json_path": "$.data"})
        if len(data) > MAX_UPDATE:
            # Guess: the seed states the 100-record cap but not the error that enforces it.
            raise ApiError(400, "LIMIT_EXCEEDED", "a maximum of 100 records can be updated per call",
                           {"limit": MAX_UPDATE, "api_name": "data"})
        triggers = parse_triggers(body)
        entries = []
        with self.store.lock:
            for index, item in enumerate(data):
                try:
                    entries.append(self._one(index, item, url_id, triggers))
                except RecordFailure as failure:
                    entries.append(failure.entry)
        return status_for(entries), {"data": entries}

    def _one(self, index: int, item: Any, url_id: str | None, triggers: tuple[str, ...]) -> dict[str, Any]:
        path = f"$.data[{index}]"
        if not isinstance(item, dict):
            raise RecordFailure("INVALID_DATA", "invalid data", json_path=path)
        if url_id is not None:
            record_id: str | None = url_id
        elif "id" not in item or item["id"] in (None, ""):
            raise RecordFailure("MANDATORY_NOT_FOUND", "required field not found",
                                api_name="id", json_path=f"{path}.id")
        else:
            record_id = normalise_id(item["id"])
        record = self.store.get_record(self.module.api_name, record_id) if record_id else None
        if record is None or record_id is None:
            raise RecordFailure("INVALID_DATA", "the id given seems to be invalid", id=str(item.get("id", url_id)))
        refusal = blocked(record, record_id)
        if refusal is not None:
            raise refusal
        changes = self.validate(item, path, record)
        self.store.apply_changes(self.module.api_name, record_id, changes, self.user_id)
        run_workflows(self.store, self.module, record, changes, triggers)
        return {"code": "SUCCESS", "details": self.store.success_details(record),
                "message": "record updated", "status": "success"}

    def validate(self, item: dict[str, Any], path: str, record: dict[str, Any]) -> dict[str, Any]:
        append = item.get("$append_values", {})
        if not isinstance(append, dict):
            raise RecordFailure("INVALID_DATA", "invalid data", api_name="$append_values",
                                json_path=f"{path}.$append_values")
        changes: dict[str, Any] = {}
        for key, value in item.items():
            if key.startswith("$") or key in SYSTEM_FIELDS:
                continue
            f = self.module.get(key)
            where = f"{path}.{key}"
            if f is None:
                # Guess: the real API may drop unknown keys silently; refusing them keeps typos visible.
                raise RecordFailure("INVALID_DATA", "the field is not available in this module",
                                    api_name=key, json_path=where)
            changes[key] = self.checker.check(f, value, where, record.get(key), append.get(key) is True)
            if f.unique:
                other = self.store.duplicate_of(self.module.api_name, key, changes[key], record["id"])
                if other is not None:
                    raise RecordFailure("DUPLICATE_DATA", "duplicate data", api_name=key, json_path=where,
                                        id=other, duplicate_record={
                                            "id": other,
                                            "module": {"api_name": self.module.api_name, "id": self.module.module_id}})
        return changes
