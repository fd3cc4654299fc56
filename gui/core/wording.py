"""One place that turns Zoho's error codes into words a person can act on."""

from __future__ import annotations

from typing import Callable

from .results import RecordError


def describe(error: RecordError, label: Callable[[str], str] = lambda api_name: api_name) -> str:
    """A sentence for the user: what went wrong and what to do about it."""
    if (error.details or {}).get("read_back") == "not_saved":  # the answer was lost; the record was re-read
        return (f"{_words(error, label)} Reading the record back afterwards showed the change is not in Zoho."
                if error.code != "BAD_REPLY" else
                "Zoho's answer could not be read, and reading the record back showed the change is not in Zoho. "
                "Submit again.")
    return _words(error, label)


def _words(error: RecordError, label: Callable[[str], str]) -> str:
    field = label(error.api_name) if error.api_name else None
    details = error.details or {}
    code = error.code
    if code == "NOT_APPROVED":
        return ("This record is waiting for approval. It cannot be changed until a reviewer approves or "
                "rejects it.")
    if code == "RECORD_LOCKED":
        action = details.get("action")
        why = " while Zia checks its images" if action == "zia_vision_processing" else ""
        return f"This record is locked{why}. Try again in a few minutes."
    if code == "DUPLICATE_DATA":
        other = details.get("id") or (details.get("duplicate_record") or {}).get("id")
        what = field or "a unique field"
        where = f"Another record (id {other})" if other else "Another record"
        return f"{where} already has this {what}. Unique fields cannot repeat a value."
    if code == "MANDATORY_NOT_FOUND":
        if error.api_name == "id":
            return "The record id is missing."
        return f"{field} is required and cannot be empty." if field else "A required value is missing."
    if code == "INVALID_DATA":
        if details.get("id") and not field:
            return "This record no longer exists in Zoho (it may have been deleted or merged)."
        if "maximum_length" in details and field:
            return f"{field} is too long: at most {details['maximum_length']} characters."
        expected = details.get("expected_data_type")
        if field and expected:
            return f"{field}: Zoho did not accept this value as {_type_words(str(expected))}."
        if field:
            return f"{field}: {_sentence(error.message) or 'Zoho did not accept this value.'}"
        return _sentence(error.message) or "Zoho did not accept this change."
    if code in ("ID_ALREADY_DELETED",):
        return "This record was deleted in Zoho."
    if code == "LIMIT_EXCEEDED":
        limit = details.get("limit")
        tail = f" (at most {limit})" if limit else ""
        return f"{field + ': ' if field else ''}A Zoho limit was exceeded{tail}. {_sentence(error.message)}".strip()
    if code == "NO_PERMISSION":
        return "You do not have permission to change this record. Ask your Zoho administrator."
    if code in ("INVALID_TOKEN", "AUTHENTICATION_FAILURE", "SIGN_IN_REQUIRED"):
        return "Your Zoho sign-in has expired or was revoked. Sign in again; your edits are kept."
    if code == "OAUTH_SCOPE_MISMATCH":
        return ("This sign-in was not given the permission (scope) this change needs. Sign in again and "
                "accept all the permissions the editor asks for.")
    if code == "AUTHORIZATION_FAILED":
        return "Your Zoho user is not allowed to update records. Ask your Zoho administrator."
    if code in ("TOO_MANY_REQUESTS", "LIMIT_REACHED"):
        return "Zoho's API limit was reached. Your edits are kept; submit again later."
    if code == "NETWORK":
        return "Zoho could not be reached. Your edits are kept; check the connection and submit again."
    if code == "CANCELLED":
        return "Not sent: the submit was cancelled. Your edits are kept."
    if code == "OUTCOME_UNKNOWN":
        return ("Zoho's answer was lost and the record could not be read back, so this change may have been "
                "applied or not. Reload the records (or run the same file again) to see: a value Zoho already "
                "has is not sent again.")
    if code == "BAD_REPLY":
        return f"Zoho's answer could not be read, so this change is not confirmed. {_sentence(error.message)}".strip()
    if code == "INTERNAL_ERROR":
        return "Zoho had an internal error. Your edits are kept; submit again."
    if code == "INVALID_MODULE":
        return "This module is not available through Zoho's API for this user."
    message = _sentence(error.message)
    return f"Zoho refused this change ({code}){': ' + message if message else '.'}"


def _sentence(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _type_words(data_type: str) -> str:
    return {
        "integer": "a whole number", "bigint": "a whole number", "double": "a number",
        "currency": "an amount", "percent": "a percentage", "decimal": "a number", "boolean": "yes or no",
        "date": "a date (YYYY-MM-DD)", "datetime": "a date and time", "email": "an e-mail address",
        "phone": "a phone number", "website": "a web address", "picklist": "one of the list's values",
        "multiselectpicklist": "values from the list", "lookup": "an existing record",
        "ownerlookup": "an active user",
    }.get(data_type, data_type)
