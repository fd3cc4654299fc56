"""The submit planner: which pending edits become which calls.

A pure function. Records that set the same fields to the same values are grouped into
mass updates when that saves calls (≤500 ids a call; only fields Zoho allows in a mass
update); everything else goes out as updates of ≤100 records. A record is always in
exactly one call, so no two calls race on the same record.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from .attachments import removal_entries
from .changeset import APPEND, DELETE_FILES, REMOVE, SET, Edit, resulting_value
from .meta import FieldMeta
from .results import Record

UPDATE_LIMIT = 100
MASS_UPDATE_LIMIT = 500
TRIGGERS = ("approval", "workflow", "blueprint")


def mass_update_field_limit(module: str) -> int:
    """Fields one mass update may set: three in Deals, one elsewhere (Zoho's rule)."""
    return 3 if module == "Deals" else 1


@dataclass(frozen=True)
class UpdateCall:
    records: tuple[dict[str, Any], ...]  # request body entries, each with "id"
    sent: tuple[tuple[str, tuple[Edit, ...]], ...]  # per record: its id and the edits this call carries

    @property
    def record_ids(self) -> list[str]:
        return [rid for rid, _ in self.sent]


@dataclass(frozen=True)
class MassUpdateCall:
    values: dict[str, Any]
    over_write: bool
    sent: tuple[tuple[str, tuple[Edit, ...]], ...]

    @property
    def record_ids(self) -> list[str]:
        return [rid for rid, _ in self.sent]


Call = UpdateCall | MassUpdateCall


@dataclass(frozen=True)
class SubmitPlan:
    module: str
    calls: tuple[Call, ...]
    trigger: tuple[str, ...] | None  # None: Zoho runs every trigger

    @property
    def updates(self) -> list[UpdateCall]:
        return [c for c in self.calls if isinstance(c, UpdateCall)]

    @property
    def mass_updates(self) -> list[MassUpdateCall]:
        return [c for c in self.calls if isinstance(c, MassUpdateCall)]

    @property
    def record_count(self) -> int:
        return sum(len(c.sent) for c in self.calls)

    def record_ids(self) -> set[str]:
        """Every record the plan sends."""
        return {rid for call in self.calls for rid, _ in call.sent}

    @property
    def credits(self) -> int:
        """Estimated API credits: one a call (Zoho's base rate for these calls)."""
        return len(self.calls)

    def summary(self) -> str:
        n_up, n_mass = len(self.updates), len(self.mass_updates)
        return (f"{self.record_count} record(s) in {len(self.calls)} call(s): {n_up} update(s), "
                f"{n_mass} mass update(s); about {self.credits} API credit(s)")


def field_payload(edit: Edit, original: Any, meta: FieldMeta) -> tuple[Any, bool]:
    """The value to send for one edit, and whether it appends (``$append_values``)."""
    if edit.kind == SET:
        return edit.value, False
    if edit.kind == APPEND:
        return list(edit.value or []), True
    if edit.kind == REMOVE:
        return resulting_value(edit, original), False
    if edit.kind == DELETE_FILES:
        ids = None if edit.value is None else {str(i) for i in edit.value}
        return removal_entries(original, ids, image=meta.data_type == "imageupload"), False
    raise ValueError(f"unknown kind of edit {edit.kind!r}")


def record_payload(record_id: str, edits: list[Edit], record: Record | None,
                   fields: dict[str, FieldMeta]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": record_id}
    appends: dict[str, bool] = {}
    for edit in edits:
        original = record.values.get(edit.api_name) if record is not None else None
        value, append = field_payload(edit, original, fields[edit.api_name])
        body[edit.api_name] = value
        if append:
            appends[edit.api_name] = True
    if appends:
        body["$append_values"] = appends
    return body


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _mass_key(edits: list[Edit], record: Record | None, fields: dict[str, FieldMeta],
              field_limit: int) -> tuple[Any, ...] | None:
    """The grouping key of a record's edits if they could go out as one mass update."""
    if len(edits) > field_limit:
        return None
    over_write: bool | None = None
    parts = []
    for edit in sorted(edits, key=lambda e: e.api_name):
        meta = fields[edit.api_name]
        if not meta.mass_update or edit.kind == DELETE_FILES or meta.data_type in ("fileupload", "imageupload"):
            return None
        original = record.values.get(edit.api_name) if record is not None else None
        value, append = field_payload(edit, original, meta)
        if meta.data_type == "multiselectpicklist":
            wanted = not append  # mass update: over_write true replaces, false appends
            if over_write is not None and over_write != wanted:
                return None
            over_write = wanted
        parts.append((edit.api_name, _canonical(value)))
    return (bool(over_write), tuple(parts))


def plan_submit(module: str, edits: Iterable[Edit], records: dict[str, Record], fields: dict[str, FieldMeta],
                *, use_mass_update: bool = True, trigger: Iterable[str] | None = None,
                mass_update_fields: int | None = None) -> SubmitPlan:
    """The fewest calls that send exactly ``edits`` (invalid edits are never sent)."""
    chosen_trigger = None if trigger is None else tuple(trigger)
    if chosen_trigger is not None and any(t not in TRIGGERS for t in chosen_trigger):
        raise ValueError(f"triggers must be among {', '.join(TRIGGERS)}")
    by_record: dict[str, list[Edit]] = defaultdict(list)
    for edit in edits:
        if edit.invalid is None and edit.api_name in fields:
            by_record[edit.record_id].append(edit)
    limit = mass_update_fields if mass_update_fields is not None else mass_update_field_limit(module)

    groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    if use_mass_update:
        for record_id, record_edits in by_record.items():
            key = _mass_key(record_edits, records.get(record_id), fields, limit)
            if key is not None:
                groups[key].append(record_id)

    # Take a group as mass updates only when that lowers the total number of calls.
    remaining = len(by_record)
    mass_groups: list[tuple[tuple[Any, ...], list[str]]] = []
    for key, ids in sorted(groups.items(), key=lambda item: -len(item[1])):
        n = len(ids)
        saved = math.ceil(remaining / UPDATE_LIMIT) - math.ceil((remaining - n) / UPDATE_LIMIT)
        if math.ceil(n / MASS_UPDATE_LIMIT) < saved:
            mass_groups.append((key, ids))
            remaining -= n

    calls: list[Call] = []
    in_mass: set[str] = set()
    for (over_write, _), ids in mass_groups:
        first = by_record[ids[0]]
        values = {e.api_name: field_payload(e, records[ids[0]].values.get(e.api_name) if ids[0] in records else None,
                                            fields[e.api_name])[0] for e in first}
        for start in range(0, len(ids), MASS_UPDATE_LIMIT):
            chunk = ids[start:start + MASS_UPDATE_LIMIT]
            sent = tuple((rid, tuple(by_record[rid])) for rid in chunk)
            calls.append(MassUpdateCall(dict(values), over_write, sent))
        in_mass.update(ids)

    rest = [rid for rid in by_record if rid not in in_mass]
    for start in range(0, len(rest), UPDATE_LIMIT):
        chunk = rest[start:start + UPDATE_LIMIT]
        bodies = tuple(record_payload(rid, by_record[rid], records.get(rid), fields) for rid in chunk)
        sent = tuple((rid, tuple(by_record[rid])) for rid in chunk)
        calls.append(UpdateCall(bodies, sent))
    return SubmitPlan(module, tuple(calls), chosen_trigger)
