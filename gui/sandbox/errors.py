"""Error envelopes the sandbox answers with, shaped like Zoho CRM v2.1.

Two shapes exist on the real API:

* a top-level envelope ``{"code", "details", "message", "status": "error"}`` with no
  ``data`` key, for problems with the whole request (auth, module, method, body);
* per-record entries inside ``{"data": [...]}``, one per input record, built by
  :func:`record_error`.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A whole-request failure, answered as a top-level error envelope."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "details": self.details, "message": self.message, "status": "error"}


def record_error(code: str, message: str, **details: Any) -> dict[str, Any]:
    """One per-record error entry, as found inside ``data[]``."""
    return {"code": code, "details": details, "message": message, "status": "error"}


class RecordFailure(Exception):
    """A per-record failure raised while validating one record of a batch."""

    def __init__(self, code: str, message: str, **details: Any):
        super().__init__(f"{code}: {message}")
        self.entry = record_error(code, message, **details)
        self.code = code


# HTTP status the real API gives when every record of a call fails with this code
# (seed 000 for update, seed 004 for mass update). Mixed outcomes answer 207.
RECORD_CODE_STATUS = {
    "INVALID_DATA": 202,
    "MANDATORY_NOT_FOUND": 202,
    "DUPLICATE_DATA": 202,
    "LIMIT_EXCEEDED": 202,
    "ID_ALREADY_DELETED": 202,
    "RECORD_LOCKED": 400,
    "NOT_APPROVED": 400,
    # Guess: a per-record permission refusal is not in the seeds; 202 like the others.
    "NO_PERMISSION": 202,
}


def invalid_module(name: str) -> ApiError:
    return ApiError(400, "INVALID_MODULE", "the module name given seems to be invalid", {"resource_path_index": 0})


def invalid_url() -> ApiError:
    return ApiError(404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one")


def invalid_method() -> ApiError:
    return ApiError(400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one")


def invalid_body(message: str = "body is not a valid JSON", **details: Any) -> ApiError:
    return ApiError(400, "INVALID_DATA", message, details)
