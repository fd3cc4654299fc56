"""Putting the server's answers back into the change set, one call at a time, and settling
answers that were lost: whether such a change reached Zoho is read back, never guessed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .changeset import ChangeSet, Edit, changes_anything, default_equal
from .meta import FieldMeta
from .planner import Call
from .results import Record, RecordError, RecordResult

# The call may have been applied although this is what came back: the connection dropped or
# timed out after the request went out, the reply was cut short or made no sense, or the
# server failed after a retried attempt may already have been applied. Such results are
# settled by reading the records back (:func:`settle_results`).
UNSURE_CODES = frozenset({"NETWORK", "BAD_REPLY", "CLIENT_ERROR", "INTERNAL_ERROR", "TOO_MANY_REQUESTS"})
# Of those, the ones where no answer at all was understood: if the records cannot be read
# back either, their outcome is unknown. (An INTERNAL_ERROR or TOO_MANY_REQUESTS reply is
# Zoho saying it did not do it, and stands when nothing better is known, unless an earlier
# attempt of the same call lost its answer: ``details["after_lost_answer"]``.)
LOST_ANSWER_CODES = frozenset({"NETWORK", "BAD_REPLY", "CLIENT_ERROR"})
OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN"


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
    with changes.notifications_held():  # one update of the table (and the journal) per call, not per record
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


def needs_settling(result: RecordResult) -> bool:
    """Whether this failure leaves open that the server applied the change anyway."""
    return result.error is not None and result.error.code in UNSURE_CODES


def settle_results(call: Call, results: list[RecordResult], now: dict[str, Record] | None,
                   fields: dict[str, FieldMeta],
                   equal: Callable[[FieldMeta, Any, Any], bool] = default_equal) -> list[RecordResult]:
    """One result per record of ``call``, with unsure failures decided by the records as read back.

    ``now``: the call's unsure records as Zoho has them now (None when they could not be read).
    A record that holds every edit the call carried was updated; one that does not keeps its
    failure, marked ``details["read_back"] == "not_saved"`` (Zoho does not have the change).
    Without ``now``, a record whose answer was lost gets an OUTCOME_UNKNOWN error that says the
    change may have been applied.
    """
    out = []
    for record_id, sent, result in results_by_record(call, results):
        if not needs_settling(result):
            out.append(result)
            continue
        error = result.error
        assert error is not None
        record = None if now is None else now.get(record_id)
        if record is not None and all(e.api_name in fields for e in sent) and not any(
                changes_anything(e, record.values.get(e.api_name), fields[e.api_name], equal) for e in sent):
            modified = record.values.get("Modified_Time")
            out.append(RecordResult(record_id, None, None if modified is None else str(modified),
                                    {"id": record_id, "checked_after": error.code}))
        elif now is None and (error.code in LOST_ANSWER_CODES or error.details.get("after_lost_answer")):
            out.append(RecordResult(record_id, RecordError(
                OUTCOME_UNKNOWN, f"{error.message}; reading the record back failed too, so the change may have "
                                 "been applied or not", details={"cause": error.code}, top_level=error.top_level,
                raw=error.raw)))
        elif record is not None:  # read back: Zoho does not have the change, so the failure stands
            out.append(RecordResult(record_id, RecordError(
                error.code, error.message, error.api_name, error.json_path, {**error.details, "read_back": "not_saved"},
                error.top_level, error.raw)))
        else:
            out.append(result)
    return out
