"""Column headers and key values of a paste, compared the way a person means them.

A header names a field by API name or label, in any letter case and spacing; ``+Field`` and
``-Field`` ask to add to or remove from a multi-select (or file/image) field. Key values
(``id``, Email, …) match records trimmed and case-insensitively.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from gui.core.meta import FieldMeta

SET = "set"
APPEND = "append"
REMOVE = "remove"

# Header texts that name the record id when the table has no field called that.
ID_HEADERS = frozenset({"id", "record id", "record_id", "recordid"})
_NUMBER_TYPES = frozenset({"integer", "bigint", "double", "currency", "decimal", "percent"})


def normalize_text(text: str) -> str:
    """Trimmed, inner whitespace collapsed, Unicode-normalized (NFC), case-insensitive."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def normalize_key(value: Any, key_field: FieldMeta | str) -> str:
    """The form a key value is compared in; ``""`` means "no key" (never matches).

    ``key_field`` is a field or ``"id"``. Ids are trimmed; numbers compare by value
    (``42`` = ``42.0``); lookups by their id; everything else (e-mail, text, picklist) by
    :func:`normalize_text`.
    """
    if value is None or isinstance(value, (list, tuple, set, bool)):
        return ""
    if isinstance(value, dict):
        value = value.get("id") or value.get("name") or ""
    if isinstance(value, (int, float, Decimal)):
        value = str(value)
    if not isinstance(value, str):
        return ""
    data_type = key_field if isinstance(key_field, str) else key_field.data_type
    if data_type == "id":
        return value.strip()
    if data_type in _NUMBER_TYPES:
        try:
            number = Decimal(value.strip().replace(",", ""))
            if number.is_finite():
                return format(number.normalize(), "f")
        except InvalidOperation:
            pass
    return normalize_text(value)


def build_key_index(values_by_id: dict[str, Any], field: FieldMeta | str) -> dict[str, list[str]]:
    """Normalized key value → ids of the records holding it, in the order given.

    ``field`` is the key field, or ``"id"`` to key by record id (pass ``{id: id}``).
    Records with no value for the key are left out.
    """
    index: dict[str, list[str]] = {}
    for record_id, value in values_by_id.items():
        key = normalize_key(value, "id" if field == "id" else field)
        if key:
            index.setdefault(key, []).append(record_id)
    return index


class HeaderNames:
    """Header text → field, by API name first, then by label when only one field has it."""

    def __init__(self, fields: list[FieldMeta]) -> None:
        self.by_name: dict[str, FieldMeta] = {}
        self.by_label: dict[str, list[FieldMeta]] = {}
        for f in fields:
            self.by_name.setdefault(normalize_text(f.api_name), f)
        for f in fields:
            self.by_label.setdefault(normalize_text(f.label), []).append(f)

    def lookup(self, name: str) -> tuple[FieldMeta | None, list[FieldMeta], bool]:
        """(field, fields sharing the label when ambiguous, is_id) for a normalized name."""
        if name in self.by_name:
            return self.by_name[name], [], False
        labelled = self.by_label.get(name, [])
        if len(labelled) == 1:
            return labelled[0], [], False
        if labelled:
            return None, labelled, False
        return None, [], name in ID_HEADERS

    def resolve(self, header: str) -> tuple[FieldMeta | None, str, list[FieldMeta], bool]:
        """(field, mode, ambiguous fields, is_id); ``+Field``/``-Field`` give append/remove.

        A header that is itself a field name wins over the prefix reading.
        """
        name = normalize_text(header)
        found, ambiguous, is_id = self.lookup(name)
        if found or ambiguous or is_id or name[:1] not in ("+", "-"):
            return found, SET, ambiguous, is_id
        found, ambiguous, _ = self.lookup(normalize_text(name[1:]))
        return found, APPEND if name[0] == "+" else REMOVE, ambiguous, False


def detect_header(grid: list[list[str]], fields: list[FieldMeta]) -> bool:
    """True when more than half of the non-empty cells of the first row name a field (or the id)."""
    if not grid:
        return False
    names = HeaderNames(fields)
    cells = [c for c in grid[0] if c.strip()]
    if not cells:
        return False
    named = 0
    for cell in cells:
        found, _, ambiguous, is_id = names.resolve(cell)
        named += bool(found or ambiguous or is_id)
    return named * 2 > len(cells)
