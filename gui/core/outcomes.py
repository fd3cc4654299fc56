"""Putting the server's answers back into the change set, one call at a time."""

from __future__ import annotations

from dataclasses import dataclass, field

from .changeset import ChangeSet, Edit
from .planner import Call
from .results import RecordError, RecordResult


@dataclass
class CallOutcome:
    updated: list[str] = field(default_factory=list)
    failed: list[tuple[str, RecordError]] = field(default_factory=list)


def results_by_record(call: Call, results: list[RecordResult]) -> list[tuple[str, tuple[Edit, ...], RecordResult]]:
    """Each record a call carried, with its edits and its result (shared by :func:`apply_results` and the journal).

    Results are matched by record id; a result without an id stands for the record at its
    position; a record the reply does not mention gets a BAD_REPLY error.
    """
    by_id = {r.record_id: r for r in results if r.record_id is not None}
    matched = []
    for index, (record_id, sent) in enumerate(call.sent):
        result = by_id.get(record_id)
        if result is None and index < len(results) and results[index].record_id is None:
            result = results[index]
        if result is None:
            result = RecordResult(record_id, RecordError("BAD_REPLY", "Zoho did not answer for this record"))
        matched.append((record_id, sent, result))
    return matched


def apply_results(changes: ChangeSet, call: Call, results: list[RecordResult]) -> CallOutcome:
    """Success clears the record's sent edits (unless changed since); failure keeps them, marked."""
    outcome = CallOutcome()
    for record_id, sent, result in results_by_record(call, results):
        changes.sending.discard(record_id)
        if result.ok:
            modified_by = result.details.get("Modified_By") if result.details else None
            changes.confirm(record_id, sent, result.modified_time, modified_by)
            outcome.updated.append(record_id)
        else:
            assert result.error is not None
            changes.fail(record_id, [edit.api_name for edit in sent], result.error)
            outcome.failed.append((record_id, result.error))
    return outcome


def mark_sending(changes: ChangeSet, call: Call) -> None:
    changes.sending.update(call.record_ids)
