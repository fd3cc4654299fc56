"""Turning Zoho's replies into the core's types. Nothing past this module sees a raw dict
of the wire format, and no reply, however broken, raises here: a reply that makes no
sense becomes an error result with the raw text kept for the log.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..core.meta import FieldMeta, ModuleMeta, PicklistOption, User
from ..core.results import Record, RecordError, RecordResult
from .transport import HttpReply

JSON_PATH_FIELD = re.compile(r"^\$\.data\[\d+\]\.([^.\[]+)")
# Codes the seeds and the fact sheet name; an error with any other code keeps the raw reply.
KNOWN_CODES = frozenset((
    "INVALID_DATA", "MANDATORY_NOT_FOUND", "DUPLICATE_DATA", "LIMIT_EXCEEDED", "RECORD_LOCKED", "NOT_APPROVED",
    "ID_ALREADY_DELETED", "NO_PERMISSION", "INVALID_MODULE", "INVALID_URL_PATTERN", "INVALID_REQUEST_METHOD",
    "AUTHORIZATION_FAILED", "AUTHENTICATION_FAILURE", "INVALID_TOKEN", "OAUTH_SCOPE_MISMATCH", "INTERNAL_ERROR",
    "TOO_MANY_REQUESTS", "REQUIRED_PARAM_MISSING", "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
))


def _text(value: Any, default: str = "") -> str:
    return default if value is None else str(value)


def record_error_from(entry: dict[str, Any], top_level: bool = False, raw: str | None = None) -> RecordError:
    details = entry.get("details") if isinstance(entry.get("details"), dict) else {}
    api_name = details.get("api_name")
    json_path = details.get("json_path")
    if not api_name and isinstance(json_path, str):
        match = JSON_PATH_FIELD.match(json_path)
        api_name = match.group(1) if match else None
    return RecordError(code=_text(entry.get("code"), "UNKNOWN_ERROR"), message=_text(entry.get("message")),
                       api_name=_text(api_name) or None, json_path=_text(json_path) or None,
                       details=dict(details), top_level=top_level, raw=raw)


def failed_call(sent_ids: list[str | None], error: RecordError) -> list[RecordResult]:
    return [RecordResult(record_id, error) for record_id in sent_ids]


def bad_reply(sent_ids: list[str | None], reply: HttpReply | None, why: str) -> list[RecordResult]:
    raw = reply.text if reply is not None else None
    status = f" (HTTP {reply.status})" if reply is not None else ""
    error = RecordError("BAD_REPLY", f"{why}{status}", top_level=True, raw=raw)
    return failed_call(sent_ids, error)


def results_from_reply(reply: HttpReply, sent_ids: list[str | None]) -> list[RecordResult]:
    """One result per sent record, in the order sent, whatever shape the reply has.

    When an earlier attempt of the call lost its answer, each error says so in its details
    (``after_lost_answer``): that attempt may have been applied whatever this reply says.
    """
    results = _results_from_reply(reply, sent_ids)
    if not reply.after_lost_answer:
        return results
    return [r if r.error is None else replace(r, error=replace(r.error, details={**r.error.details,
                                                                                 "after_lost_answer": True}))
            for r in results]


def _results_from_reply(reply: HttpReply, sent_ids: list[str | None]) -> list[RecordResult]:
    body = reply.body
    if isinstance(body, dict) and body.get("status") == "error" and "data" not in body:
        return failed_call(sent_ids, record_error_from(body, top_level=True, raw=_raw_if_unknown(body, reply)))
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        why = "Zoho sent a reply that is not JSON" if body is None else "Zoho's reply has no data list"
        return bad_reply(sent_ids, reply, why)
    entries = body["data"]
    if len(entries) == 1 and len(sent_ids) > 1 and _is_call_error(entries[0]):
        # One entry for a whole call (e.g. mass update's "No field found"): it applies to all.
        return failed_call(sent_ids, record_error_from(entries[0], top_level=True,
                                                       raw=_raw_if_unknown(entries[0], reply)))
    # Entries are matched by position, unless the reply is visibly out of order: then by id.
    if len(entries) == len(sent_ids):
        in_order = _by_position(entries, sent_ids, reply)
        if in_order is not None:
            return in_order
    by_position = len(entries) == len(sent_ids) and not _misplaced(entries, sent_ids)
    out: list[RecordResult] = []
    unmatched = list(entries)
    for index, record_id in enumerate(sent_ids):
        entry = entries[index] if by_position else _find_entry(unmatched, record_id)
        if entry is None:
            out.append(RecordResult(record_id, RecordError(
                "BAD_REPLY", f"Zoho answered for {len(entries)} of {len(sent_ids)} records; "
                             "this record's outcome is unknown", top_level=False, raw=reply.text)))
            continue
        out.append(_result_from_entry(entry, record_id, reply))
    return out


def _by_position(entries: list[Any], sent_ids: list[str | None], reply: HttpReply) -> list[RecordResult] | None:
    """The results of a reply with one entry per sent record, matched by position in one
    pass (the usual case, which a mass update answers 500 times over); None when a success
    entry sits in the place of another record of the call, which is then matched by id."""
    sent: set[str] | None = None
    out: list[RecordResult] = []
    for entry, record_id in zip(entries, sent_ids):
        if entry.__class__ is not dict or entry.get("status") != "success":
            out.append(_result_from_entry(entry, record_id, reply))
            continue
        details = entry.get("details")
        if details.__class__ is not dict:
            details = {}
        returned = details.get("id")
        if returned is not None and record_id is not None and str(returned) != record_id:
            if sent is None:
                sent = {i for i in sent_ids if i is not None}
            if str(returned) in sent:
                return None
            out.append(_result_from_entry(entry, record_id, reply))
            continue
        modified = details.get("Modified_Time")
        out.append(RecordResult(record_id, None, None if modified is None else str(modified), dict(details)))
    return out


def _raw_if_unknown(entry: dict[str, Any], reply: HttpReply) -> str | None:
    code = entry.get("code")
    return None if isinstance(code, str) and code in KNOWN_CODES else reply.text


def _misplaced(entries: list[Any], sent_ids: list[str | None]) -> bool:
    """Whether a success entry sits in the place of another record of the same call."""
    sent = {i for i in sent_ids if i is not None}
    for entry, record_id in zip(entries, sent_ids):
        returned = _entry_id(entry)
        if (isinstance(entry, dict) and entry.get("status") == "success" and returned in sent
                and record_id is not None and returned != record_id):
            return True
    return False


def _is_call_error(entry: Any) -> bool:
    if not isinstance(entry, dict) or entry.get("status") != "error":
        return False
    details = entry.get("details")
    return not (isinstance(details, dict) and details.get("id"))


def _entry_id(entry: Any) -> str | None:
    if isinstance(entry, dict) and isinstance(entry.get("details"), dict):
        value = entry["details"].get("id")
        return None if value is None else str(value)
    return None


def _find_entry(entries: list[Any], record_id: str | None) -> Any:
    for n, entry in enumerate(entries):
        if record_id is not None and _entry_id(entry) == record_id:
            return entries.pop(n)
    return None


def _result_from_entry(entry: Any, record_id: str | None, reply: HttpReply) -> RecordResult:
    if not isinstance(entry, dict):
        return RecordResult(record_id, RecordError("BAD_REPLY", "Zoho's answer for this record makes no sense",
                                                   raw=reply.text))
    returned = _entry_id(entry)
    if returned is not None and record_id is not None and returned != record_id and entry.get("status") == "success":
        return RecordResult(record_id, RecordError("BAD_REPLY", f"Zoho answered for record {returned} in this "
                                                                "record's place", raw=reply.text))
    if entry.get("status") == "success" or entry.get("code") == "SUCCESS":
        details = entry.get("details") if isinstance(entry.get("details"), dict) else {}
        modified = details.get("Modified_Time")
        return RecordResult(record_id, None, None if modified is None else str(modified), dict(details))
    return RecordResult(record_id, record_error_from(entry, raw=_raw_if_unknown(entry, reply)))


# -- metadata and records ---------------------------------------------------------------
def modules_from(body: Any) -> list[ModuleMeta]:
    items = body.get("modules") if isinstance(body, dict) else None
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("api_name"):
            out.append(ModuleMeta(str(item["api_name"]), _text(item.get("singular_label"), str(item["api_name"])),
                                  _text(item.get("plural_label"), str(item["api_name"])),
                                  item.get("editable") is not False, item.get("api_supported") is not False))
    return out


def fields_from(body: Any) -> list[FieldMeta]:
    items = body.get("fields") if isinstance(body, dict) else None
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not item.get("api_name") or not item.get("data_type"):
            continue
        lookup = item.get("lookup") if isinstance(item.get("lookup"), dict) else {}
        target = lookup.get("module")
        if isinstance(target, dict):
            target = target.get("api_name")
        picklist = tuple(PicklistOption(_text(p.get("display_value")), _text(p.get("actual_value")))
                         for p in item.get("pick_list_values") or [] if isinstance(p, dict))
        length = item.get("length")
        out.append(FieldMeta(
            api_name=str(item["api_name"]), label=_text(item.get("field_label") or item.get("display_label"),
                                                          str(item["api_name"])),
            data_type=str(item["data_type"]), json_type=item.get("json_type"),
            read_only=bool(item.get("read_only") or item.get("field_read_only")),
            mandatory=bool(item.get("system_mandatory")), length=length if isinstance(length, int) else None,
            unique=bool(item.get("unique")), mass_update=item.get("mass_update") is not False,
            picklist=picklist, lookup_module=str(target) if target else None, custom=bool(item.get("custom_field"))))
    return out


def users_from(body: Any) -> list[User]:
    items = body.get("users") if isinstance(body, dict) else None
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("id") is not None:
            out.append(User(str(item["id"]), _text(item.get("full_name")), _text(item.get("email")),
                            item.get("status", "active") == "active"))
    return out


def record_from(item: Any) -> Record | None:
    if not isinstance(item, dict) or item.get("id") is None:
        return None
    values = dict(item)
    record_id = values.pop("id")
    return Record(str(record_id), values, approved=values.get("$approved") is not False,
                  locked=values.get("$locked_for_me") is True, editable=values.get("$editable") is not False)
