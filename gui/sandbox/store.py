"""The sandbox's data: records per module, users, uploaded files, and their persistence.

All access goes through one re-entrant lock; the HTTP layer holds it for each request
that reads or writes records, so a batch is applied as a unit.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import os
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from .schema import MODULES, ModuleDef
from .validation import format_datetime

STORE_FORMAT = 1
ORG_PREFIX = 5725767  # the first digits every id of this org shares, like a real Zoho org


class Store:
    def __init__(self, clock: Callable[[], float]):
        self.clock = clock
        self.lock = threading.RLock()
        self.records: dict[str, dict[str, dict[str, Any]]] = {m: {} for m in MODULES}
        self.order: dict[str, list[int]] = {m: [] for m in MODULES}
        # The state keys ($approved, $editable, …) the records of each module carry.
        self.state_keys: dict[str, tuple[str, ...]] = {m: () for m in MODULES}
        self.users: dict[str, dict[str, Any]] = {}
        self.current_user_id = ""
        self.files: dict[str, dict[str, Any]] = {}
        self.serial = 0
        self.unique: dict[tuple[str, str], dict[str, str]] = {}
        self.dirty = False
        self._now: tuple[float, str] = (float("nan"), "")

    # -- ids and time -------------------------------------------------------------
    def new_id(self) -> str:
        """A fresh 19-digit id, larger than any id handed out before."""
        self.serial += 1
        return str(ORG_PREFIX * 10**12 + 9 * 10**9 + self.serial)

    def now(self) -> str:
        # Stamps have seconds precision: format each second once, not once per record.
        second = math.floor(self.clock())
        cached = self._now
        if cached[0] != second:
            cached = (second, format_datetime(datetime.fromtimestamp(second, tz=timezone.utc)))
            self._now = cached
        return cached[1]

    # -- records --------------------------------------------------------------------
    def add_record(self, module: str, record: dict[str, Any]) -> None:
        rid = record["id"]
        self.records[module][rid] = record
        known = self.state_keys[module]
        fresh = [key for key in record if key[:1] == "$" and key not in known]
        if fresh:
            self.state_keys[module] = known + tuple(fresh)
        bisect.insort(self.order[module], int(rid))
        self._index_unique(module, record)

    def get_record(self, module: str, record_id: str) -> dict[str, Any] | None:
        return self.records[module].get(record_id)

    def _index_unique(self, module: str, record: dict[str, Any]) -> None:
        for f in MODULES[module].fields:
            if f.unique:
                value = record.get(f.api_name)
                if isinstance(value, str) and value:
                    self.unique.setdefault((module, f.api_name), {})[value.lower()] = record["id"]

    def duplicate_of(self, module: str, api_name: str, value: Any, record_id: str) -> str | None:
        """The id of another record that already holds ``value`` in a unique field."""
        if not isinstance(value, str) or not value:
            return None
        other = self.unique.get((module, api_name), {}).get(value.lower())
        return other if other and other != record_id else None

    def apply_changes(self, module: str, record_id: str, changes: dict[str, Any], user_id: str) -> dict[str, Any]:
        """Write validated values to one record and stamp it; returns the record."""
        mod = MODULES[module]
        record = self.records[module][record_id]
        for api_name, value in changes.items():
            f = mod.get(api_name)
            if f is not None and f.unique:
                old = record.get(api_name)
                index = self.unique.setdefault((module, api_name), {})
                if isinstance(old, str) and index.get(old.lower()) == record_id:
                    del index[old.lower()]
                if isinstance(value, str) and value:
                    index[value.lower()] = record_id
            record[api_name] = value
        if not DERIVED_FROM.isdisjoint(changes):
            compute_derived(mod, record)
        record["Modified_Time"] = self.now()
        record["Modified_By"] = {"id": user_id}
        self.dirty = True
        return record

    def success_details(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "Modified_Time": record["Modified_Time"],
            "Modified_By": self.user_ref(record["Modified_By"]["id"]),
            "Created_Time": record["Created_Time"],
            "id": record["id"],
            "Created_By": self.user_ref(record["Created_By"]["id"]),
        }

    # -- rendering --------------------------------------------------------------------
    def user_ref(self, user_id: str, with_email: bool = False) -> dict[str, Any]:
        user = self.users.get(user_id)
        ref: dict[str, Any] = {"name": user["full_name"] if user else None, "id": user_id}
        if with_email:
            ref["email"] = user["email"] if user else None
        return ref

    def lookup_ref(self, module: str, record_id: str) -> dict[str, Any]:
        target = self.records[module].get(record_id)
        name = target.get(MODULES[module].name_field) if target else None
        return {"name": name, "id": record_id}

    def render(self, module: ModuleDef, record: dict[str, Any], fields: list[str] | None = None) -> dict[str, Any]:
        """The record as the API shows it, optionally limited to some fields (plus id)."""
        if fields is None:
            return self._render_keys(module, record, list(record))
        out = self._render_keys(module, record, fields)
        out["id"] = record["id"]
        # Guess: the record's state keys ($approved, $editable, …) come with every record,
        # as in the real API's replies that name fields, so clients can tell blocked rows.
        for key in self.state_keys[module.api_name]:
            if key in record:
                out[key] = record[key]
        return out

    def _render_keys(self, module: ModuleDef, record: dict[str, Any], keys: list[str]) -> dict[str, Any]:
        refs = module.refs
        out: dict[str, Any] = {}
        for key in keys:
            if key not in record:
                if module.get(key) is not None:
                    out[key] = None
                continue
            value = record[key]
            ref = refs.get(key)
            if ref is not None and isinstance(value, dict):
                if ref == "owner":
                    value = self.user_ref(value["id"], with_email=key == "Owner")
                else:
                    value = self.lookup_ref(ref, value["id"])
            elif value.__class__ is list:
                value = [dict(v) if isinstance(v, dict) else v for v in value]
            out[key] = value
        return out

    # -- files ----------------------------------------------------------------------
    def add_upload(self, name: str, size: int, content_type: str) -> dict[str, Any]:
        # Deterministic, like the rest of the demo org: a hash of a running number.
        self.serial += 1
        file_id = hashlib.sha256(f"upload:{self.serial}:{name}".encode()).hexdigest()
        upload = {"id": file_id, "name": name, "size": size, "content_type": content_type}
        self.files[file_id] = upload
        self.dirty = True
        return upload

    def attach_file(self, upload: dict[str, Any]) -> dict[str, Any]:
        name = upload["name"]
        return {
            "attachment_Id": self.new_id(),
            "file_Id": upload["id"],
            "file_Name": name,
            "file_Size": str(upload["size"]),
            "extn": name.rsplit(".", 1)[-1].lower() if "." in name else "",
            "is_Preview_Available": False,
            "creator_Id": self.current_user_id,
        }

    def attach_image(self, upload: dict[str, Any], sequence: int) -> dict[str, Any]:
        return {
            "id": self.new_id(),
            "File_Id": upload["id"],
            "Preview_Id": upload["id"][:32],
            "File_Name": upload["name"],
            "Size": str(upload["size"]),
            "State": "active",
            "Description": None,
            "Sequence_Number": sequence,
        }

    # -- persistence ----------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "format": STORE_FORMAT,
            "serial": self.serial,
            "current_user_id": self.current_user_id,
            "users": list(self.users.values()),
            "files": list(self.files.values()),
            "records": {m: list(recs.values()) for m, recs in self.records.items()},
        }

    def load_json(self, data: dict[str, Any]) -> None:
        if data.get("format") != STORE_FORMAT:
            raise ValueError(f"unsupported sandbox data format {data.get('format')!r}")
        self.serial = int(data["serial"])
        self.current_user_id = data["current_user_id"]
        self.users = {u["id"]: u for u in data["users"]}
        self.files = {f["id"]: f for f in data["files"]}
        for module in MODULES:
            for record in data["records"].get(module, []):
                self.add_record(module, record)

    def save(self, path: Path) -> None:
        """Write the store atomically: a temporary file in the same folder, then replace."""
        with self.lock:
            payload = json.dumps(self.to_json(), separators=(",", ":"))
            self.dirty = False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


# The fields that full names and formulas are computed from (see compute_derived).
DERIVED_FROM = frozenset({"First_Name", "Last_Name", "Annual_Revenue", "No_of_Employees", "Amount", "Probability"})


def compute_derived(module: ModuleDef, record: dict[str, Any]) -> None:
    """Recompute read-only fields that depend on others (full names, formulas)."""
    if module.get("Full_Name") is not None:
        parts = [record.get("First_Name") or "", record.get("Last_Name") or ""]
        record["Full_Name"] = " ".join(p for p in parts if p)
    if module.api_name == "Leads":
        revenue, staff = record.get("Annual_Revenue"), record.get("No_of_Employees")
        record["Revenue_per_Employee"] = round(revenue / staff, 2) if revenue is not None and staff else None
    elif module.api_name == "Deals":
        amount, chance = record.get("Amount"), record.get("Probability")
        record["Expected_Revenue"] = (round(amount * chance / 100, 2)
                                      if amount is not None and chance is not None else None)
