"""Server-side checks of one field value in an update, per Zoho data type.

:class:`FieldChecker` turns a value from a request body into the stored form, or raises
:class:`RecordFailure` with the details the real API gives (``api_name``, ``json_path``,
``expected_data_type``, ``maximum_length``, ``limit``).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from .errors import RecordFailure
from .schema import MAX_FILES, MAX_IMAGES, FieldDef, ModuleDef

if TYPE_CHECKING:
    from .store import Store

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
PHONE_RE = re.compile(r"^[0-9+()\-.\s/#*xXextEXT]+$")
WEBSITE_RE = re.compile(r"^(https?://)?[\w-]+(\.[\w-]+)+(:\d+)?(/\S*)?$", re.IGNORECASE)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")
NUMBER_TEXT_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
INT_TEXT_RE = re.compile(r"^[+-]?\d+$")
TEXT_TYPES = ("text", "textarea", "email", "phone", "website")
NUMBER_TYPES = ("double", "currency", "percent", "decimal")


def format_datetime(moment: datetime) -> str:
    """Zoho's datetime form: seconds precision with a ``+HH:MM`` offset."""
    return moment.replace(microsecond=0).isoformat()


class FieldChecker:
    """Validates values against one module's fields, using the store for lookups and files."""

    def __init__(self, store: "Store", module: ModuleDef):
        self.store = store
        self.module = module

    def fail(self, f: FieldDef, path: str, message: str = "invalid data", code: str = "INVALID_DATA",
             **extra: Any) -> RecordFailure:
        return RecordFailure(code, message, api_name=f.api_name, json_path=path, **extra)

    def type_error(self, f: FieldDef, path: str) -> RecordFailure:
        return self.fail(f, path, expected_data_type=f.data_type)

    def check(self, f: FieldDef, value: Any, path: str, current: Any, append: bool = False) -> Any:
        """Return the value to store, or raise RecordFailure."""
        if not f.editable:
            # Guess: the real API's wording for writes to read-only fields varies by field;
            # the code and details are what clients act on.
            raise self.fail(f, path, "the field is read only and cannot be updated")
        if _is_empty(value, f.data_type):
            if f.mandatory:
                raise self.fail(f, path, "required field not found", code="MANDATORY_NOT_FOUND")
            return [] if f.data_type in ("multiselectpicklist", "fileupload", "imageupload") else None
        handler = getattr(self, "_" + f.data_type, None)
        if handler is None:  # pragma: no cover - every editable type has a handler
            raise self.type_error(f, path)
        if f.data_type in ("multiselectpicklist", "fileupload", "imageupload"):
            return handler(f, value, path, current, append)
        return handler(f, value, path)

    # -- text family ---------------------------------------------------------------
    def _string(self, f: FieldDef, value: Any, path: str, pattern: re.Pattern[str] | None = None) -> str:
        if not isinstance(value, str):
            raise self.type_error(f, path)
        if len(value) > f.max_length:
            raise self.fail(f, path, maximum_length=f.max_length)
        if pattern is not None and not pattern.match(value.strip()):
            raise self.type_error(f, path)
        return value

    def _text(self, f: FieldDef, value: Any, path: str) -> str:
        return self._string(f, value, path)

    def _textarea(self, f: FieldDef, value: Any, path: str) -> str:
        return self._string(f, value, path)

    def _email(self, f: FieldDef, value: Any, path: str) -> str:
        return self._string(f, value, path, EMAIL_RE).strip()

    def _phone(self, f: FieldDef, value: Any, path: str) -> str:
        text = self._string(f, value, path, PHONE_RE)
        if not any(ch.isdigit() for ch in text):
            raise self.type_error(f, path)
        return text

    def _website(self, f: FieldDef, value: Any, path: str) -> str:
        return self._string(f, value, path, WEBSITE_RE).strip()

    # -- numbers -------------------------------------------------------------------
    def _whole(self, f: FieldDef, value: Any, path: str, bounds: tuple[int, int]) -> int:
        if isinstance(value, bool):
            raise self.type_error(f, path)
        if isinstance(value, str) and INT_TEXT_RE.match(value.strip()):
            value = int(value.strip())
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise self.type_error(f, path)
        if not bounds[0] <= value <= bounds[1]:
            raise self.fail(f, path, "the value is out of range", expected_data_type=f.data_type)
        return value

    def _integer(self, f: FieldDef, value: Any, path: str) -> int:
        return self._whole(f, value, path, INT32)

    def _bigint(self, f: FieldDef, value: Any, path: str) -> int:
        return self._whole(f, value, path, INT64)

    def _number(self, f: FieldDef, value: Any, path: str) -> float:
        if isinstance(value, bool):
            raise self.type_error(f, path)
        if isinstance(value, str) and NUMBER_TEXT_RE.match(value.strip()):
            value = float(value.strip())
        if not isinstance(value, (int, float)) or not math.isfinite(float(value)):
            raise self.type_error(f, path)
        number = float(value)
        if abs(number) >= 1e16:
            raise self.fail(f, path, "the value is out of range", expected_data_type=f.data_type)
        return number

    _double = _currency = _percent = _decimal = _number

    def _boolean(self, f: FieldDef, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.type_error(f, path)
        return value

    # -- dates -----------------------------------------------------------------------
    def _date(self, f: FieldDef, value: Any, path: str) -> str:
        if not isinstance(value, str) or not DATE_RE.match(value):
            raise self.type_error(f, path)
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise self.type_error(f, path) from None

    def _datetime(self, f: FieldDef, value: Any, path: str) -> str:
        if not isinstance(value, str) or not DATETIME_RE.match(value):
            raise self.type_error(f, path)
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self.type_error(f, path) from None
        # The org's time zone is UTC; the real API answers in the user's zone.
        return format_datetime(moment.astimezone(timezone.utc))

    # -- choices ---------------------------------------------------------------------
    def _picklist(self, f: FieldDef, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise self.type_error(f, path)
        if value not in f.picklist:
            raise self.fail(f, path, "invalid data", expected_data_type="picklist")
        return value

    def _multiselectpicklist(self, f: FieldDef, value: Any, path: str, current: Any, append: bool) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.type_error(f, path)
        for i, item in enumerate(value):
            if item not in f.picklist:
                raise self.fail(f, f"{path}[{i}]", expected_data_type="multiselectpicklist")
        base = list(current or []) if append else []
        for item in value:
            if item not in base:
                base.append(item)
        return base

    # -- lookups ---------------------------------------------------------------------
    def _id_of(self, value: Any) -> str | None:
        if isinstance(value, dict):
            value = value.get("id")
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str) and value.isdigit():
            return value
        return None

    def _lookup(self, f: FieldDef, value: Any, path: str) -> dict[str, str]:
        target = self._id_of(value)
        assert f.lookup_module is not None
        if target is None or self.store.get_record(f.lookup_module, target) is None:
            raise self.fail(f, path, expected_data_type="lookup")
        return {"id": target}

    def _ownerlookup(self, f: FieldDef, value: Any, path: str) -> dict[str, str]:
        user_id = self._id_of(value)
        user = self.store.users.get(user_id or "")
        if user is None or user["status"] != "active":
            raise self.fail(f, path, expected_data_type="ownerlookup")
        return {"id": user["id"]}

    # -- files and images ------------------------------------------------------------
    def _fileupload(self, f: FieldDef, value: Any, path: str, current: Any, append: bool) -> list[dict[str, Any]]:
        # Entries not mentioned are kept (guess: the seed only shows deletes and attaches).
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.type_error(f, path)
        files = [dict(entry) for entry in (current or [])]
        for i, entry in enumerate(value):
            where = f"{path}[{i}]"
            attachment = entry.get("attachment_id", entry.get("attachment_Id"))
            if attachment is not None:
                index = next((n for n, item in enumerate(files) if item["attachment_Id"] == str(attachment)), None)
                if index is None:
                    raise self.fail(f, where, "the attachment id given seems to be invalid")
                if "_delete" in entry:
                    files.pop(index)
            elif entry.get("file_id") or entry.get("file_Id"):
                upload = self.store.files.get(str(entry.get("file_id") or entry.get("file_Id")))
                if upload is None:
                    raise self.fail(f, where, "the file id given seems to be invalid")
                files.append(self.store.attach_file(upload))
            else:
                raise self.type_error(f, where)
        if len(files) > MAX_FILES:
            raise self.fail(f, path, f"only {MAX_FILES} files can be attached to this field",
                            code="LIMIT_EXCEEDED", limit=MAX_FILES)
        return files

    def _imageupload(self, f: FieldDef, value: Any, path: str, current: Any, append: bool) -> list[dict[str, Any]]:
        # Entries not mentioned are kept (guess, as for file fields above).
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.type_error(f, path)
        images = [dict(entry) for entry in (current or [])]
        for i, entry in enumerate(value):
            where = f"{path}[{i}]"
            if entry.get("Encrypted_Id"):
                upload = self.store.files.get(str(entry["Encrypted_Id"]))
                if upload is None:
                    raise self.fail(f, where, "the encrypted id given seems to be invalid")
                images.append(self.store.attach_image(upload, len(images) + 1))
            elif entry.get("id") is not None:
                index = next((n for n, item in enumerate(images) if item["id"] == str(entry["id"])), None)
                if index is None:
                    raise self.fail(f, where, "the image id given seems to be invalid")
                if "_delete" in entry:
                    images.pop(index)
                elif "Description" in entry:
                    images[index]["Description"] = entry["Description"]
            else:
                raise self.type_error(f, where)
        if len(images) > MAX_IMAGES:
            raise self.fail(f, path, f"only {MAX_IMAGES} images can be added to this field",
                            code="LIMIT_EXCEEDED", limit=MAX_IMAGES)
        for n, image in enumerate(images, start=1):
            image["Sequence_Number"] = n
        return images


def _is_empty(value: Any, data_type: str) -> bool:
    if value is None:
        return True
    if isinstance(value, str) and value == "" and data_type not in ("boolean",):
        return True
    if data_type == "multiselectpicklist" and value == []:
        return True
    return False
