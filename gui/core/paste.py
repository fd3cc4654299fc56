"""Spreadsheet clipboard text: parsing, writing, and the damage a spreadsheet does to values.

Excel, Google Sheets and LibreOffice put a block of cells on the clipboard as text: cells
separated by tabs, rows by CRLF (Excel on Windows), LF (Sheets, LibreOffice) or a lone CR
(old Mac programs), usually with one newline after the last row. A cell that holds a tab or
a line break is wrapped in double quotes, with each quote inside doubled (``"say ""hi"" now"``).

Rules of :func:`parse_clipboard` (and why):

- A BOM (U+FEFF) at the very start is dropped; anywhere else it is content.
- One newline at the end of the text ends the last row; it is not an extra empty row. A
  second one *is* a row holding one empty cell. Empty cells at the end of a row are kept
  (``"a\\t\\r\\n"`` is one row of two cells): a spreadsheet only writes them when they were
  selected, so they mean "clear this cell".
- A cell is quoted only when it *starts* with ``"`` and the closing quote is followed by a
  tab, a line break or the end of the text. Anything else is taken literally: a quote in the
  middle of a cell (``5" screen``), a cell like ``"Big" deal`` that Excel writes unquoted,
  a lone ``"`` and an unterminated quoted cell (the opening quote stays in the cell and the
  text after it is parsed as ordinary cells and rows). Nothing is ever dropped or merged
  away, and nothing raises.
- Rows keep the number of cells they had (ragged rows are not padded; see
  :func:`grid_width`). Spreadsheets always write rectangles; a ragged grid comes from a text
  editor, and the mapping treats a missing cell as "not pasted" rather than "empty".
- Line breaks inside a quoted cell are kept as they are (Excel writes LF inside cells).

The one ambiguity: a cell whose whole content is ``"x"`` written unquoted by a program that
does not quote such cells reads back as ``x``. Spreadsheets we know quote it, and
:func:`to_clipboard` always does, so our own copies round-trip.

:func:`damage_warnings` explains, in plain words, values that a spreadsheet has most likely
changed before they reached the clipboard (see its docstring for the exact rules).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

from gui.core.meta import FieldMeta

BOM = "\ufeff"

# One cell and the separator after it. The quoted branch only wins when the closing quote is
# followed by a separator; otherwise the regex falls back to the literal branch, which reads
# up to the next tab or line break. Possessive quantifiers keep a 1 MB cell linear.
_TOKEN = re.compile(r'(?:"([^"]*+(?:""[^"]*+)*+)"|([^\t\r\n]*+))(\t|\r\n|\r|\n|\Z)')
_NEEDS_QUOTES = re.compile(r"[\t\r\n]")


def parse_clipboard(text: str) -> list[list[str]]:
    """Rows of cells from spreadsheet clipboard text (rules in the module docstring).

    ``""`` gives ``[]``; every other text gives at least one row of at least one cell.
    """
    if text.startswith(BOM):
        text = text[1:]
    if not text:
        return []
    if not _starts_a_cell_with_quote(text):
        # Fast path: no cell is quoted, so splitting is exact.
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if text.endswith("\n"):
            text = text[:-1]
        return [line.split("\t") for line in text.split("\n")]
    rows: list[list[str]] = []
    row: list[str] = []
    for match in _TOKEN.finditer(text):
        quoted, plain, sep = match.groups()
        row.append(quoted.replace('""', '"') if quoted is not None else plain)
        if sep == "\t":
            continue
        rows.append(row)
        row = []
        if not sep:
            break
    if len(rows) > 1 and text[-1] in "\r\n" and rows[-1] == [""]:
        rows.pop()  # the newline after the last row
    return rows


def _starts_a_cell_with_quote(text: str) -> bool:
    return '"' in text and (text[0] == '"' or '\t"' in text or '\n"' in text or '\r"' in text)


def quote_cell(cell: str) -> str:
    """A cell as it goes on the clipboard: quoted when a reader could take it for structure."""
    if cell and (cell[0] in ('"', BOM) or _NEEDS_QUOTES.search(cell)):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def to_clipboard(grid: list[list[str]]) -> str:
    """Clipboard text for a grid, as Excel writes it: tabs, CRLF, a CRLF after the last row.

    ``parse_clipboard(to_clipboard(grid)) == grid`` for every grid whose rows have at least one
    cell (a row of no cells cannot be written as text; it comes back as one empty cell).
    """
    if not grid:
        return ""
    return "".join("\t".join([quote_cell(c) for c in row]) + "\r\n" for row in grid)


def grid_width(grid: list[list[str]]) -> int:
    """The number of columns of a (possibly ragged) grid: its longest row."""
    return max((len(row) for row in grid), default=0)


# --------------------------------------------------------------------------------------------
# Spreadsheet damage

LEADING_ZERO = "leading_zero"
SCIENTIFIC_NOTATION = "scientific_notation"
AMBIGUOUS_DATE = "ambiguous_date"
ERROR_CELL = "error_cell"
FORMULA_LIKE = "formula_like"

WARNING = "warning"
INFO = "info"


@dataclass(frozen=True, slots=True)
class Damage:
    """One sign that a spreadsheet changed a value; ``severity`` is "warning" or "info"."""

    kind: str
    message: str
    severity: str = WARNING


ERROR_VALUES = frozenset({
    "#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!",  # Excel, Sheets, Calc
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#GETTING_DATA", "#UNKNOWN!", "#BUSY!",  # Excel 365
    "#ERROR!", "#N/A!",  # Google Sheets
})
_CALC_ERROR = re.compile(r"Err:\d{3}\Z")  # LibreOffice Calc: Err:502 …
_ZIP_NAME = re.compile(r"zip|postal|post_?code|postcode|\bplz\b|pin_?code", re.IGNORECASE)
_PHONE_NAME = re.compile(r"phone|mobile|fax", re.IGNORECASE)
_ZIP_DAMAGED = re.compile(r"(\d{3,4})(-\d{4})?\Z")
_DIGITS = re.compile(r"\d{1,6}\Z")
# How Excel and Sheets display a number too long for the cell: one digit, maybe decimals,
# and an exponent written with its sign and at least two digits ("1.23E+11", "5E+15").
_SCIENTIFIC = re.compile(r"[+-]?\d(?:[.,]\d+)?E[+-]\d{2,3}\Z", re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?(?:\d[\d,.]*)?\d%?\Z|[+-]?\.\d+\Z")
_PHONE_SHAPED = re.compile(r"\+[\d\s().\-/]+(?:\s*(?:x|ext\.?)\s*\d+)?\Z", re.IGNORECASE)
_DAY_MONTH = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d./-])")
_RULE_STARTS = frozenset("#E=+-@")
_REAL_NUMBER_TYPES = frozenset({"double", "currency", "decimal", "percent"})
_DATE_TYPES = frozenset({"date", "datetime"})
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True, slots=True)
class _Checks:
    zip_like: bool
    phone_like: bool
    date: bool
    scientific: bool


@lru_cache(maxsize=512)
def _checks_for(field: FieldMeta) -> _Checks:
    names = f"{field.api_name} {field.label}"
    text_like = field.data_type in ("text", "textarea", "phone")
    return _Checks(
        zip_like=text_like and bool(_ZIP_NAME.search(names)),
        phone_like=field.data_type == "phone" or (text_like and bool(_PHONE_NAME.search(names))),
        date=field.data_type in _DATE_TYPES,
        scientific=field.data_type not in _REAL_NUMBER_TYPES,
    )


def damage_warnings(field: FieldMeta, text: str) -> list[Damage]:
    """Signs that a spreadsheet changed ``text`` before it was copied, for a cell of ``field``.

    The rules, each deliberately narrow so that a warning is worth reading:

    - ``error_cell``: the cell is a spreadsheet error value (``#N/A``, ``#REF!``, ``#VALUE!``,
      ``#DIV/0!``, ``#NAME?``, ``#NUM!``, ``#NULL!``, Excel 365's ``#SPILL!`` …, Sheets'
      ``#ERROR!``, Calc's ``Err:502``), in any field.
    - ``leading_zero`` in a ZIP-like field (a text field whose API name or label says zip,
      postal, postcode, PLZ or PIN code): 3 or 4 digits, optionally ``-`` and 4 more. A US ZIP
      code has 5 digits and Excel shows ``02108`` as ``2108`` and ``00501`` as ``501``.
      Countries with 4-digit postcodes get the warning too, which is why it says "may".
    - ``leading_zero`` in a phone field (data type phone, or a text field named phone,
      mobile or fax): only digits, and fewer than 7 of them; no real phone number is that
      short, but ``0049 …`` stored as a number loses its zeros.
    - ``scientific_notation``: the cell looks like the way a spreadsheet displays a number
      too long for the cell (``1.23E+11``: one digit, maybe decimals, ``E``, a sign, two or
      three digits), in any field except double, currency, decimal and percent (where it is
      still a number). The digits after the first few are gone.
    - ``ambiguous_date`` in date and datetime fields: ``a/b/yyyy`` (or ``.``/``-``, or a
      2-digit year) with both ``a`` and ``b`` between 1 and 12 and different, so day-first
      and month-first read differently. ISO ``yyyy-mm-dd`` never warns.
    - ``formula_like`` (info only): text starting with ``=``, ``+``, ``-`` or ``@`` that a
      spreadsheet would take for a formula; not for plain numbers (``-5``) nor for phone
      numbers written ``+44 20 …`` in phone fields.
    """
    return _damage(_checks_for(field), text)


def damage_checker(field: FieldMeta) -> Callable[[str], list[Damage]]:
    """:func:`damage_warnings` for one field, prepared once for checking a whole column."""
    return partial(_damage, _checks_for(field))


def may_be_damaged(text: str) -> bool:
    """False when no damage rule can apply: each needs a digit, "#", "E", "=", "+", "-" or "@" first."""
    if not text:
        return False
    first = text[0]
    return first in _RULE_STARTS or first.isdigit() or first.isspace()


def _damage(checks: _Checks, text: str) -> list[Damage]:
    if not may_be_damaged(text):
        return []
    value = text.strip()
    if not value:
        return []
    out: list[Damage] = []
    first = value[0]
    if (first == "#" and value.upper() in ERROR_VALUES) or (first == "E" and _CALC_ERROR.match(value)):
        out.append(Damage(ERROR_CELL, f"“{value}” is a spreadsheet error, not a value: a formula "
                          "in the spreadsheet failed. Fix it there, or clear this cell."))
        return out
    if first.isdigit():
        if checks.zip_like:
            m = _ZIP_DAMAGED.match(value)
            if m:
                full = m.group(1).zfill(5) + (m.group(2) or "")
                out.append(Damage(LEADING_ZERO, f"Leading zero may have been lost: Excel shows {value} "
                                  f"for the ZIP code {full}. Format the column as Text in the "
                                  "spreadsheet and copy again."))
        elif checks.phone_like and _DIGITS.match(value):
            out.append(Damage(LEADING_ZERO, f"Leading zero may have been lost: {value} is too short "
                              "for a phone number, which happens when a spreadsheet stores a phone "
                              "number as a number (0049 … becomes 49 …). Format the column as Text "
                              "in the spreadsheet and copy again."))
        if checks.date:
            out.extend(_date_damage(value))
    if checks.scientific and ("E" in value or "e" in value) and _SCIENTIFIC.match(value):
        out.append(Damage(SCIENTIFIC_NOTATION, f"“{value}” is how a spreadsheet displays a long "
                          "number in scientific notation; the digits after the first few are lost. "
                          "Format the column as Text (or as a number with no decimals) in the "
                          "spreadsheet and copy again."))
    elif first in "=+-@" and not _NUMBER.match(value):
        if not (checks.phone_like and _PHONE_SHAPED.match(value)):
            out.append(Damage(FORMULA_LIKE, f"Starts with “{first}”: a spreadsheet would read "
                              "this as a formula. It is pasted as plain text.", INFO))
    return out


def _date_damage(value: str) -> list[Damage]:
    m = _DAY_MONTH.match(value)
    if not m:
        return []
    a, b, year = int(m.group(1)), int(m.group(3)), m.group(4)
    if not (1 <= a <= 12 and 1 <= b <= 12) or a == b:
        return []
    day_first = f"{a} {_MONTHS[b - 1]} {year}"
    month_first = f"{_MONTHS[a - 1]} {b}, {year}"
    iso_year = year if len(year) == 4 else "20" + year
    return [Damage(AMBIGUOUS_DATE, f"{m.group(0)} could be {day_first} (day first) or {month_first} "
                   f"(month first). Write dates as year-month-day, e.g. {iso_year}-{b:02d}-{a:02d}, "
                   "to be sure.")]
