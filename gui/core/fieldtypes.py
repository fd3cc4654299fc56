"""Every Zoho field type as text: parse what a person typed or pasted, show a stored value.

:func:`parse_cell` turns a cell's text into the exact JSON value Zoho accepts for the field
(or raises :class:`CellError` with a message for a person), :func:`format_value` shows a
stored value as the text a person sees and copies, and the two round-trip.
:func:`values_equal` says whether two stored values are the same, for "is this cell dirty".

Decisions:

* Empty text (or only spaces) clears the field: ``None``, or ``[]`` for multi-select;
  a mandatory field refuses it ("Last Name is required").
* Booleans are shown as ``Yes`` / ``No``; parsing accepts those and true/false, y/n, 1/0,
  x, ✓, checked/unchecked, on/off, and the TRUE/FALSE of German, French, Spanish, Italian and
  Portuguese spreadsheets, in any letter case.
* Single-line text, e-mail, phone and website lose surrounding spaces; text areas keep
  their text, with Windows line ends (CRLF) made plain.
* Numbers follow the locale (see :mod:`gui.core.localized`); integers are shown without
  group separators (they are often codes), other numbers with them; currency shows two
  decimals at least. Percent is shown as a plain number (12.5) and accepts "12.5 %".
* Lookups are shown as ``Name [id]`` so that a copied cell pastes back to the same record;
  owners are shown by name and matched by name, e-mail or id.
* Multi-select values are compared as sets: the same choices in another order are not a change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from .localized import (CellError, LocaleSpec, NumberKind, format_date, format_datetime, format_number,
                        normalized, parse_date, parse_datetime, parse_number, quoted, read_wire_datetime,
                        whole_number)
from .meta import FieldMeta, PicklistOption, User

__all__ = ["CellError", "LocaleSpec", "ParseContext", "Parsed", "parse_cell", "format_value", "values_equal"]

# The sandbox's checks (gui/sandbox/validation.py), mirrored: what we send must pass them.
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
PHONE_RE = re.compile(r"[0-9+()\-.\s/#*xXextEXT]+")
WEBSITE_RE = re.compile(r"(https?://)?[\w-]+(\.[\w-]+)+(:\d+)?(/\S*)?", re.IGNORECASE)
TEXT_LIMITS = {"text": 255, "textarea": 32000, "email": 100, "phone": 30, "website": 255, "picklist": 120}
WHOLE_RANGES = {"integer": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
NUMBER_KINDS: dict[str, NumberKind] = {"double": "number", "decimal": "number", "currency": "currency",
                                       "percent": "percent"}
NUMBER_LIMIT = 1e16  # the server refuses numbers this large or larger
TEXT_TYPES = ("text", "textarea", "email", "phone", "website")
_STRIPPED_TYPES = frozenset(("text", "email", "phone", "website"))  # single-line: outer spaces never count
OWNER_TYPES = ("ownerlookup", "userlookup")

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "x", "✓", "✔", "☑", "checked", "on", "t", "wahr", "ja", "j",
                        "vrai", "oui", "verdadero", "vero", "verdadeiro", "sí", "si", "sim"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "✗", "✘", "☐", "unchecked", "off", "f", "falsch", "nein",
                         "faux", "non", "falso", "não", "nao"})
_ID_RE = re.compile(r"[0-9]{10,20}")
_NAMED_ID_RE = re.compile(r"(.*?)\s*\[\s*([0-9]{1,20})\s*\]", re.DOTALL)
_NAMED_EMAIL_RE = re.compile(r"(.*?)\s*<([^<>]+)>", re.DOTALL)
_SCIENTIFIC_RE = re.compile(r"[0-9]([.,][0-9]+)?E\+[0-9]+", re.IGNORECASE)


@dataclass(frozen=True)
class ParseContext:
    locale: LocaleSpec = dataclass_field(default_factory=LocaleSpec.en_us)
    users: tuple[User, ...] = ()  # for owner fields


@dataclass(slots=True, unsafe_hash=True, init=False)
class Parsed:
    """A cell's text, read. Treat as read-only (not frozen: a paste builds one per cell)."""

    value: Any  # the JSON value to send, exactly as Zoho accepts it
    warning: str | None  # how an uncertain text was read (e.g. a date's day/month order)

    def __init__(self, value: Any, warning: str | None = None) -> None:
        self.value = value
        self.warning = warning


# -- parsing ---------------------------------------------------------------------------------
def parse_cell(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    """The value to send for ``text`` typed into ``field``; CellError if it cannot be one."""
    return parser_for(field, ctx)(text)


def parser_for(field: FieldMeta, ctx: ParseContext) -> Callable[[str], Parsed]:
    """:func:`parse_cell` for one field, with the per-field decisions made once (for big pastes)."""
    refusal = _refusal(field)
    parser = _PARSERS.get(field.data_type)
    empty = Parsed([] if field.data_type == "multiselectpicklist" else None)
    required = f"{field.label} is required"
    mandatory = field.mandatory
    if refusal is None and field.data_type == "text":
        limit = _limit(field)

        def parse_line(text: str) -> Parsed:  # the most common paste, without the general path's calls
            value = text.strip()
            if not value:
                if mandatory:
                    raise CellError(required)
                return empty
            if len(value) > limit:
                raise CellError(f"At most {limit:,} characters (this has {len(value):,})")
            return Parsed(value)

        return parse_line

    def parse(text: str) -> Parsed:
        if refusal is not None:
            raise CellError(refusal)
        if parser is None:
            raise CellError(f"Fields of this kind ({field.data_type}) can't be edited here")
        if not text.strip():
            if field.mandatory:
                raise CellError(required)
            return empty
        return parser(field, text, ctx)

    return parse


def _refusal(field: FieldMeta) -> str | None:
    kind = field.data_type
    if kind == "fileupload":
        return "Files are managed from the attachments dialog"
    if kind == "imageupload":
        return "Images are managed from the attachments dialog"
    if kind == "autonumber":
        return "This field is read-only: Zoho numbers each record itself"
    if kind == "formula":
        return "This field is read-only: Zoho calculates it from other fields"
    if field.read_only:
        return f"This field is read-only: {field.label} can't be changed"
    return None


def _limit(field: FieldMeta) -> int:
    return field.length if field.length else TEXT_LIMITS.get(field.data_type, 255)


def _checked_length(field: FieldMeta, value: str) -> str:
    limit = _limit(field)
    if len(value) > limit:
        raise CellError(f"At most {limit:,} characters (this has {len(value):,})")
    return value


def _text_value(kind: str, text: str) -> str:
    return text.replace("\r\n", "\n") if kind == "textarea" else text.strip()


def _parse_text(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    return Parsed(_checked_length(field, _text_value(field.data_type, text)))


def _parse_email(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    value = text.strip()
    if not EMAIL_RE.fullmatch(value) and (m := _NAMED_EMAIL_RE.fullmatch(value)):
        value = m[2].strip()  # "Ava Smith <ava@example.com>", as mail programs copy it
    if not EMAIL_RE.fullmatch(value):
        raise CellError(f"{quoted(text)} is not an e-mail address")
    return Parsed(_checked_length(field, value))


def _parse_phone(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    value = text.strip()
    if not PHONE_RE.fullmatch(value) or not any("0" <= ch <= "9" for ch in value):
        raise CellError(f"{quoted(text)} is not a phone number")
    warning = None
    if _SCIENTIFIC_RE.fullmatch(value):
        warning = (f"{quoted(text)} looks like a number a spreadsheet wrote in scientific notation; "
                   "digits of the phone number may be lost")
    return Parsed(_checked_length(field, value), warning)


def _parse_website(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    value = text.strip()
    if not WEBSITE_RE.fullmatch(value):
        raise CellError(f"{quoted(text)} is not a web address")
    return Parsed(_checked_length(field, value))


def _parse_whole(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    number, warning = parse_number(text, ctx.locale, "whole")
    return Parsed(whole_number(number, text, WHOLE_RANGES[field.data_type]), warning)


def _parse_number(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    number, warning = parse_number(text, ctx.locale, NUMBER_KINDS[field.data_type])
    value = float(number) if abs(number) < 10**17 else NUMBER_LIMIT
    if abs(value) >= NUMBER_LIMIT:
        raise CellError(f"{quoted(text)} is too large: at most 16 digits before the decimal point")
    return Parsed(value, warning)


def _parse_boolean(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    word = unicodedata.normalize("NFKC", text).strip().casefold().rstrip(".")
    if word in TRUE_WORDS:
        return Parsed(True)
    if word in FALSE_WORDS:
        return Parsed(False)
    raise CellError(f"{quoted(text)} is not yes or no")


def _parse_date(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    try:
        day, warning = parse_date(text, ctx.locale)
    except CellError as first_error:
        day, warning = _midnight_date(text, ctx, first_error)
    return Parsed(day.isoformat(), warning)


def _midnight_date(text: str, ctx: ParseContext, error: CellError) -> tuple[date, str | None]:
    """A date written with a time of 00:00, as spreadsheets export dates; other times are refused."""
    try:
        wire, warning = parse_datetime(text, ctx.locale)
    except CellError:
        raise error from None
    if wire[11:19] != "00:00:00":
        raise CellError(f"{quoted(text)} has a time of day, but this field holds only a date")
    return date.fromisoformat(wire[:10]), warning


def _parse_datetime(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    value, warning = parse_datetime(text, ctx.locale)
    return Parsed(value, warning)


def _match(options: tuple[PicklistOption, ...], text: str) -> PicklistOption | None:
    t = text.strip()
    folded = " ".join(t.split()).casefold()
    tests: tuple[Callable[[PicklistOption], bool], ...] = (
        lambda o: o.display == t, lambda o: o.actual == t,
        lambda o: " ".join(o.display.split()).casefold() == folded,
        lambda o: " ".join(o.actual.split()).casefold() == folded)
    for test in tests:
        for option in options:
            if test(option):
                return option
    return None


def _choices(options: tuple[PicklistOption, ...], most: int = 12) -> str:
    names = [o.display for o in options]
    if len(names) > most:
        return ", ".join(names[: most - 2]) + f", … ({len(names)} in all)"
    return ", ".join(names)


def _parse_picklist(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    if not field.picklist:  # no choices known: the server will judge
        return Parsed(_checked_length(field, text.strip()))
    option = _match(field.picklist, text)
    if option is None:
        raise CellError(f"{quoted(text)} is not on the list. Choose one of: {_choices(field.picklist)}")
    return Parsed(option.actual)


def _parse_multiselect(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    values: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        option = _match(field.picklist, part) if field.picklist else PicklistOption(part.strip(), part.strip())
        if option is None:
            unknown.append(quoted(part.strip()))
        elif option.actual not in values:
            values.append(option.actual)
    if unknown:
        verb = "is" if len(unknown) == 1 else "are"
        raise CellError(f"{', '.join(unknown)} {verb} not on the list. Choose from: {_choices(field.picklist)}"
                        " (separate choices with “;”)")
    return Parsed(values)


def _parse_lookup(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    value = text.strip()
    if _ID_RE.fullmatch(value):
        return Parsed({"id": value})
    if m := _NAMED_ID_RE.fullmatch(value):
        return Parsed({"id": m[2]})
    where = f"the {field.lookup_module} list" if field.lookup_module else "the list"
    raise CellError(f"Pick the record from {where}: a name like {quoted(text)} can't be matched on its own")


def _parse_owner(field: FieldMeta, text: str, ctx: ParseContext) -> Parsed:
    value = text.strip()
    found: list[User] = []
    if m := _NAMED_ID_RE.fullmatch(value):
        value = m[2]
    elif m := _NAMED_EMAIL_RE.fullmatch(value):
        value = m[2].strip()
    key = " ".join(value.split()).casefold()
    for test in (lambda u: u.user_id == value, lambda u: u.email.casefold() == key,
                 lambda u: " ".join(u.full_name.split()).casefold() == key):
        found = [u for u in ctx.users if test(u)]
        if found:
            break
    if not found and not ctx.users and _ID_RE.fullmatch(value):
        return Parsed({"id": value})  # no user list to check against: the server will judge
    if not found:
        raise CellError(f"Unknown owner {quoted(text)}: choose one of the users")
    if len(found) > 1:
        raise CellError(f"{len(found)} users are called {quoted(text)}: write the e-mail address instead")
    user = found[0]
    if not user.active:
        raise CellError(f"{user.full_name} is not an active user: choose an active one")
    return Parsed({"id": user.user_id})


_PARSERS: dict[str, Callable[[FieldMeta, str, ParseContext], Parsed]] = {
    "text": _parse_text, "textarea": _parse_text, "email": _parse_email, "phone": _parse_phone,
    "website": _parse_website, "integer": _parse_whole, "bigint": _parse_whole,
    "double": _parse_number, "decimal": _parse_number, "currency": _parse_number, "percent": _parse_number,
    "boolean": _parse_boolean, "date": _parse_date, "datetime": _parse_datetime,
    "picklist": _parse_picklist, "multiselectpicklist": _parse_multiselect,
    "lookup": _parse_lookup, "ownerlookup": _parse_owner, "userlookup": _parse_owner,
}


# -- formatting --------------------------------------------------------------------------------
def format_value(field: FieldMeta, value: Any, locale: LocaleSpec) -> str:
    """A stored (wire) value as the text a person sees and copies; never raises."""
    if value is None:
        return ""
    try:
        return _format(field, value, locale)
    except (TypeError, ValueError, ArithmeticError, KeyError, AttributeError):
        return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return _plain(value.get("name") if value.get("name") is not None else value.get("id", ""))
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else str(value)


def _display(field: FieldMeta, actual: Any) -> str:
    for option in field.picklist:
        if option.actual == actual:
            return option.display
    return _plain(actual)


def _format(field: FieldMeta, value: Any, locale: LocaleSpec) -> str:
    kind = field.data_type
    if kind in ("integer", "bigint") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value) if isinstance(value, int) else format_number(value, locale, group=False)
    if kind in NUMBER_KINDS or (kind == "formula" and isinstance(value, (int, float))):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return _plain(value)
        return format_number(value, locale, min_decimals=2 if kind == "currency" else 0)
    if kind == "boolean" and isinstance(value, bool):
        return "Yes" if value else "No"
    if kind == "date" and isinstance(value, str):
        return format_date(date.fromisoformat(value.strip()), locale)
    if kind == "datetime" and isinstance(value, str):
        return format_datetime(value, locale)
    if kind == "picklist":
        return _display(field, value)
    if kind == "multiselectpicklist" and isinstance(value, list):
        return "; ".join(_display(field, v) for v in value)
    if kind == "lookup" and isinstance(value, dict) and value.get("id") is not None:
        name = value.get("name")
        return f"{name} [{value['id']}]" if name else str(value["id"])
    if kind in ("fileupload", "imageupload") and isinstance(value, list):
        noun = "file" if kind == "fileupload" else "image"
        return f"{len(value)} {noun}{'' if len(value) == 1 else 's'}" if value else ""
    return _plain(value)


# -- comparing ----------------------------------------------------------------------------------
def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or (isinstance(value, str) and not value.strip()) \
        or (isinstance(value, dict) and value.get("id") in (None, ""))


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
    if isinstance(value, str):
        try:
            return Decimal(normalized(value))
        except InvalidOperation:
            return None
    return None


def _ref_id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    if value is None or isinstance(value, bool):
        return None
    return str(value).strip()


def values_equal(field: FieldMeta, a: Any, b: Any) -> bool:
    """Whether two stored values are the same, so that changing one into the other changes nothing."""
    if a.__class__ is str and field.data_type in _STRIPPED_TYPES:  # the common cases, quickly
        if b.__class__ is str:
            return a.strip() == b.strip()  # (blank counts as empty on both sides)
        if b is None:
            return not a.strip()
    if _empty(a) or _empty(b):
        return _empty(a) and _empty(b)
    kind = field.data_type
    if kind in TEXT_TYPES and isinstance(a, str) and isinstance(b, str):
        return _text_value(kind, a) == _text_value(kind, b)
    if kind in ("integer", "bigint", "formula", *NUMBER_KINDS):
        x, y = _number(a), _number(b)
        if x is not None and y is not None:
            return bool(x == y) if kind in ("integer", "bigint") else float(x) == float(y)
    if kind == "boolean":
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if kind == "datetime" and isinstance(a, str) and isinstance(b, str):
        try:
            return read_wire_datetime(a) == read_wire_datetime(b)
        except ValueError:
            return a.strip() == b.strip()
    if kind == "date" and isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    if kind == "multiselectpicklist" and isinstance(a, list) and isinstance(b, list):
        try:
            return set(a) == set(b)
        except TypeError:
            return bool(a == b)
    if kind in ("lookup", *OWNER_TYPES):
        return _ref_id(a) == _ref_id(b)
    return bool(a == b)
