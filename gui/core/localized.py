"""Numbers, dates and times as people write them, and as Zoho sends them.

The locale (:class:`LocaleSpec`) says how numbers and dates are written and which time zone a
time without one is in. Each parser takes the text of a cell and gives the exact value or
raises :class:`CellError` with a message for a person; each formatter does the reverse.
:mod:`gui.core.fieldtypes` builds the per-field rules on these. Qt-free and I/O-free.

Decisions (kept in one place so the tests and the docs agree):

* Dates: ISO (``2024-05-04``, also with ``/`` or ``.``) is never ambiguous. ``04/05/2024`` is
  read in the locale's order; when the other order is also a real date, the value is kept and
  a warning says how it was read. A date only one order can read (``31/01/2024`` in the US) is
  read that way, with a warning. A locale whose order is year-first gives no hint for
  ``04/05/2024``, so that is an error asking for ISO.
* Two-digit years are accepted the way spreadsheets read them (00–29 → 2000s, 30–99 → 1900s),
  always with a warning. English and German month names are accepted (``4 May 2024``).
* Times without a zone are in the locale's zone. A local time that happens twice (the clocks
  go back) is read as the first, with a warning; one that never happens (the clocks skip it)
  is an error. Formatting adds the offset only where the local time alone would be ambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DateOrder = Literal["DMY", "MDY", "YMD"]
NumberKind = Literal["whole", "number", "currency", "percent"]


class CellError(ValueError):
    """A cell's text that cannot become a value; ``message`` is for the person who typed it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# -- the locale -----------------------------------------------------------------------------
_OFFSET_ZONE = re.compile(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?")


@lru_cache(maxsize=64)
def zone_of(name: str) -> tzinfo:
    """``UTC``, a fixed offset (``+05:30``, ``UTC-3``) or an IANA name; ValueError if unknown."""
    text = name.strip()
    if text.upper() in ("UTC", "Z", "GMT", "ETC/UTC"):
        return timezone.utc
    match = _OFFSET_ZONE.fullmatch(text)
    if match:
        hours, minutes = int(match[2]), int(match[3] or 0)
        if hours > 18 or minutes > 59:
            raise ValueError(f"time zone offset out of range: {name!r}")
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if match[1] == "-" else delta)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


@dataclass(frozen=True)
class LocaleSpec:
    """How one person writes numbers and dates, and the zone of times written without one."""

    decimal_separator: str = "."
    group_separator: str = ","  # "" for none; any space-like character also groups digits
    date_order: DateOrder = "MDY"
    date_separator: str = "/"
    zone: str = "UTC"  # IANA name ("Europe/Berlin") or fixed offset ("+05:30")
    hour12: bool = False  # times shown as "2:30 PM" rather than "14:30"

    def __post_init__(self) -> None:
        if len(self.decimal_separator) != 1 or self.decimal_separator.isdigit():
            raise ValueError(f"bad decimal separator {self.decimal_separator!r}")
        if len(self.group_separator) > 1 or self.group_separator.isdigit() \
                or self.group_separator == self.decimal_separator:
            raise ValueError(f"bad group separator {self.group_separator!r}")
        if self.date_order not in ("DMY", "MDY", "YMD"):
            raise ValueError(f"bad date order {self.date_order!r}")
        if len(self.date_separator) != 1 or self.date_separator.isdigit():
            raise ValueError(f"bad date separator {self.date_separator!r}")
        zone_of(self.zone)  # fails early on an unknown zone

    @property
    def tz(self) -> tzinfo:
        return zone_of(self.zone)

    @classmethod
    def en_us(cls, zone: str = "America/New_York") -> LocaleSpec:
        return cls(".", ",", "MDY", "/", zone, hour12=True)

    @classmethod
    def en_gb(cls, zone: str = "Europe/London") -> LocaleSpec:
        return cls(".", ",", "DMY", "/", zone)

    @classmethod
    def de_de(cls, zone: str = "Europe/Berlin") -> LocaleSpec:
        return cls(",", ".", "DMY", ".", zone)


# -- shared helpers --------------------------------------------------------------------------
def quoted(text: str, limit: int = 40) -> str:
    """The user's text inside quotes, shortened, on one line."""
    one_line = " ".join(text.split()) if text.strip() else text
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    return f"“{one_line}”"


def normalized(text: str) -> str:
    """NFKC (full-width digits, no-break spaces), every decimal digit as ASCII, one space between words."""
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    if not text.isascii():
        text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    return " ".join(text.split())


def _is_space(sep: str) -> bool:
    return sep != "" and unicodedata.normalize("NFKC", sep).isspace()


# -- numbers -----------------------------------------------------------------------------------
_CURRENCY = r"(?:[A-Z]{0,2}[$€£¥₹₩₽₺₪₫฿₴₦]|[A-Z]{3})"
_CURRENCY_BEFORE = re.compile(rf"{_CURRENCY}\s*")
_CURRENCY_AFTER = re.compile(rf"\s*{_CURRENCY}$")
_PERCENT_AFTER = re.compile(r"\s*%$")


@lru_cache(maxsize=16)
def _number_re(decimal: str, group: str) -> re.Pattern[str]:
    groups = ["\\ "] + ([re.escape(group)] if group and not _is_space(group) else [])
    g = "|".join(groups)
    d = re.escape(decimal)
    whole = rf"(?P<int>\d{{1,3}}(?:(?P<g>{g})\d{{3}})(?:(?P=g)\d{{3}})*|\d+)"
    return re.compile(rf"(?:{whole}(?:{d}(?P<frac>\d*))?|{d}(?P<lead>\d+))(?:[eE](?P<exp>[+-]?\d{{1,4}}))?")


def _digits(match: re.Match[str]) -> Decimal:
    whole = re.sub(r"\D", "", match["int"] or "") or "0"
    frac = match["frac"] or match["lead"] or ""
    return Decimal(f"{whole}.{frac or '0'}e{match['exp'] or '0'}")


def parse_number(text: str, locale: LocaleSpec, kind: NumberKind = "number") -> tuple[Decimal, str | None]:
    """The exact value of a number written in ``locale`` and a warning, or CellError.

    Accepts group separators (the locale's, or spaces), a sign or accounting brackets, a
    currency sign for ``currency``, a trailing ``%`` for ``percent``, and scientific notation
    (with a warning, as spreadsheets use it for numbers they shortened).
    """
    s = normalized(text)
    bracketed = len(s) > 2 and s[0] == "(" and s[-1] == ")"
    negative = bracketed
    if bracketed:
        s = s[1:-1].strip()
    signs = 0
    for _ in range(2):  # "-$1,200" and "$-1,200" are both common
        if s and s[0] in "+-":
            negative ^= s[0] == "-"
            signs += 1
            s = s[1:].lstrip()
        elif kind == "currency" and (m := _CURRENCY_BEFORE.match(s)) and m.end() < len(s):
            s = s[m.end():]
    if kind == "currency":
        s = _CURRENCY_AFTER.sub("", s)
    elif kind == "percent":
        s = _PERCENT_AFTER.sub("", s)
    match = _number_re(locale.decimal_separator, locale.group_separator).fullmatch(s)
    if signs > 1 or (signs and bracketed):
        raise CellError(f"{quoted(text)} is not a number")
    if match is None:
        raise CellError(_not_a_number(text, s, locale))
    value = _digits(match)
    if negative:
        value = -value
    warning = None
    if match["exp"] is not None:
        shown = f"; read as {format_number(value, locale)}" if value == 0 or -20 < value.adjusted() < 20 else ""
        warning = f"{quoted(text)} is in scientific notation{shown}. Check that no digits were lost"
    return value, warning


def _not_a_number(text: str, core: str, locale: LocaleSpec) -> str:
    dec, grp = locale.decimal_separator, locale.group_separator
    swapped = {".": ",", ",": "."}.get(dec)
    if swapped and core and _number_re(swapped, dec).fullmatch(core):
        grouping = f" and “{grp}” separates thousands" if grp and not _is_space(grp) else ""
        return f"{quoted(text)} is not a number: here “{dec}” marks decimals{grouping}"
    return f"{quoted(text)} is not a number"


def format_number(value: Decimal | float | int, locale: LocaleSpec, min_decimals: int = 0,
                  group: bool = True) -> str:
    """Positional notation with the locale's separators; exact for any float (shortest digits)."""
    if isinstance(value, Decimal):
        exact = value
    elif isinstance(value, int):
        exact = Decimal(value)
    else:
        exact = Decimal(repr(float(value)))
    sign = "-" if exact < 0 else ""
    whole, _, frac = format(abs(exact), "f").partition(".")
    frac = frac.rstrip("0").ljust(min_decimals, "0")
    if group and locale.group_separator:
        head = len(whole) % 3 or 3
        whole = locale.group_separator.join([whole[:head]] + [whole[i:i + 3] for i in range(head, len(whole), 3)])
    return sign + whole + (locale.decimal_separator + frac if frac else "")


def whole_number(value: Decimal, text: str, bounds: tuple[int, int]) -> int:
    """An exact integer within ``bounds``, or CellError."""
    if value != 0 and value.adjusted() > 20:
        raise CellError(_out_of_range(text, bounds))
    try:
        integral = value == value.to_integral_value()
    except InvalidOperation:  # pragma: no cover - guarded by the exponent limit above
        integral = False
    if not integral:
        raise CellError(f"{quoted(text)} is not a whole number")
    number = int(value)
    if not bounds[0] <= number <= bounds[1]:
        raise CellError(_out_of_range(text, bounds))
    return number


def _out_of_range(text: str, bounds: tuple[int, int]) -> str:
    return f"{quoted(text)} is out of range: use a whole number from {bounds[0]:,} to {bounds[1]:,}"


# -- dates ---------------------------------------------------------------------------------------
MONTHS = {name: n for n, names in enumerate((
    ("january", "jan", "januar", "jänner", "jän"), ("february", "feb", "februar"),
    ("march", "mar", "märz", "maerz", "mär", "mrz"), ("april", "apr"), ("may", "mai"),
    ("june", "jun", "juni"), ("july", "jul", "juli"), ("august", "aug"),
    ("september", "sep", "sept"), ("october", "oct", "oktober", "okt"), ("november", "nov"),
    ("december", "dec", "dezember", "dez")), start=1) for name in names}
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"(\d{1,4})\s?([./-])\s?(\d{1,2})\s?\2\s?(\d{1,4})")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NAMED_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s.-]*([^\W\d_]+)\.?[\s.,-]*(\d{4}|\d{2})", re.IGNORECASE)
_NAMED_MDY = re.compile(r"([^\W\d_]+)\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4}|\d{2})", re.IGNORECASE)
_MAX_DATE_TEXT = 80


def long_date(day: date, locale: LocaleSpec, with_year: bool = True) -> str:
    month = MONTH_NAMES[day.month - 1]
    if locale.date_order == "MDY":
        return f"{month} {day.day}, {day.year}" if with_year else f"{month} {day.day}"
    return f"{day.day} {month} {day.year}" if with_year else f"{day.day} {month}"


def _century(two_digits: str) -> int:
    year = int(two_digits)
    return 2000 + year if year < 30 else 1900 + year


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str, locale: LocaleSpec) -> tuple[date, str | None]:
    """A calendar date and a warning about how it was read, or CellError."""
    s = _WEEKDAY.sub("", normalized(text), count=1) if len(text) <= _MAX_DATE_TEXT else ""
    found = _read_date(s, locale, text)
    if found is None:
        raise CellError(f"{quoted(text)} is not a date")
    return found


def _read_date(s: str, locale: LocaleSpec, raw: str) -> tuple[date, str | None] | None:
    if m := _COMPACT_DATE.fullmatch(s):
        day = _make(int(m[1]), int(m[2]), int(m[3]))
        return None if day is None else (day, None)
    if m := _NUMERIC_DATE.fullmatch(s):
        return _numeric_date(m[1], m[3], m[4], locale, raw)
    for pattern, (d_at, m_at) in ((_NAMED_DMY, (1, 2)), (_NAMED_MDY, (2, 1))):
        if (m := pattern.fullmatch(s)) and m[m_at].lower() in MONTHS:
            year_text = m[3]
            year = _century(year_text) if len(year_text) == 2 else int(year_text)
            day = _make(year, MONTHS[m[m_at].lower()], int(m[d_at]))
            if day is None:
                return None
            return day, (_read_as(day, locale, ["a two-digit year"]) if len(year_text) == 2 else None)
    return None


def _read_as(day: date, locale: LocaleSpec, reasons: list[str]) -> str:
    return f"Read as {long_date(day, locale)} ({', '.join(reasons)}); write {day.isoformat()} to be sure"


def _numeric_date(a: str, b: str, c: str, locale: LocaleSpec, raw: str) -> tuple[date, str | None] | None:
    if len(a) >= 3 or (len(a) <= 2 and len(c) <= 2 and locale.date_order == "YMD"):
        if len(a) == 3 or len(c) > 2:
            return None
        two_digit = len(a) <= 2
        day = _make(_century(a) if two_digit else int(a), int(b), int(c))
        if day is None:
            return None
        return day, (_read_as(day, locale, ["a two-digit year"]) if two_digit else None)
    if len(c) == 3 or len(a) > 2:
        return None
    two_digit = len(c) <= 2
    year = _century(c) if two_digit else int(c)
    day_first = _make(year, int(b), int(a))
    month_first = _make(year, int(a), int(b))
    prefer = {"DMY": "day", "MDY": "month"}.get(locale.date_order)
    reasons = ["a two-digit year"] if two_digit else []
    if day_first is not None and month_first is not None and day_first != month_first:
        if prefer is None:
            raise CellError(f"{quoted(raw)} could be {long_date(day_first, locale, False)} or "
                            f"{long_date(month_first, locale, False)}: write it as {day_first.isoformat()}")
        chosen = day_first if prefer == "day" else month_first
        return chosen, _read_as(chosen, locale, [f"{prefer} first"] + reasons)
    chosen_or_none = day_first or month_first
    if chosen_or_none is None:
        return None
    chosen = chosen_or_none
    if day_first == month_first:
        return chosen, (_read_as(chosen, locale, reasons) if reasons else None)
    order = "day" if chosen is day_first else "month"
    if prefer is not None and order != prefer:
        reasons.insert(0, f"{order} first, not {prefer} first as usual here")
    return chosen, (_read_as(chosen, locale, reasons) if reasons else None)


def format_date(day: date, locale: LocaleSpec) -> str:
    sep = locale.date_separator
    parts = {"D": f"{day.day:02d}", "M": f"{day.month:02d}", "Y": f"{day.year:04d}"}
    return sep.join(parts[key] for key in locale.date_order)


# -- times and datetimes ---------------------------------------------------------------------------
_OFFSET = r"(?P<off>Z|(?:UTC|GMT)?\s?[+-]\d{1,2}(?::?\d{2})?|UTC|GMT)"
_AMPM = r"(?P<ap>[ap]\.?\s?m\.?)"
_DATETIME = re.compile(
    r"(?P<date>.+?)(?:T|\s?,\s?|\s)(?:at\s)?"
    r"(?:(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?|(?P<h12>\d{1,2}))"
    rf"\s?{_AMPM}?\s?{_OFFSET}?", re.IGNORECASE)


def _offset_of(text: str) -> timedelta | None:
    token = text.upper().replace(" ", "")
    if token in ("Z", "UTC", "GMT"):
        return timedelta(0)
    match = _OFFSET_ZONE.fullmatch(token)
    if match is None:
        return None
    hours, minutes = int(match[2]), int(match[3] or 0)
    if hours > 18 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return -delta if match[1] == "-" else delta


def _clock(match: re.Match[str]) -> time | None:
    ampm = (match["ap"] or "").lower().replace(".", "").replace(" ", "")
    if match["h12"] is not None and not ampm:
        return None
    hour = int(match["h"] if match["h"] is not None else match["h12"])
    minute, second = int(match["m"] or 0), int(match["s"] or 0)
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def wire_datetime(moment: datetime) -> str:
    """Zoho's form ``YYYY-MM-DDTHH:MM:SS+HH:MM``; CellError if the server could not hold it."""
    moment = moment.replace(microsecond=0)
    try:
        in_utc = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise CellError("This date and time is too far in the past or the future") from None
    offset = moment.utcoffset()
    if offset is None or offset % timedelta(minutes=1):
        moment = in_utc  # historic offsets with seconds (local mean time) are not in Zoho's form
    return moment.isoformat()


def parse_datetime(text: str, locale: LocaleSpec) -> tuple[str, str | None]:
    """Zoho's wire form of a date and time, and a warning, or CellError."""
    s = normalized(text) if len(text) <= _MAX_DATE_TEXT else ""
    match = _DATETIME.fullmatch(s)
    clock = _clock(match) if match else None
    if match is None or clock is None:
        try:
            day, _ = parse_date(text, locale)
        except CellError:
            raise CellError(f"{quoted(text)} is not a date and time") from None
        raise CellError(f"{quoted(text)} has no time of day: write it like {day.isoformat()} 14:30")
    date_text = _WEEKDAY.sub("", match["date"].strip(" ,"), count=1)
    found = _read_date(date_text, locale, text)
    if found is None:
        raise CellError(f"{quoted(text)} is not a date and time")
    day, warning = found
    naive = datetime.combine(day, clock)
    if match["off"] is not None:
        offset = _offset_of(match["off"])
        if offset is None:
            raise CellError(f"{quoted(text)} has a time zone offset that does not exist")
        return wire_datetime(naive.replace(tzinfo=timezone(offset))), warning
    moment, note = _localize(naive, locale, text)
    return wire_datetime(moment), " ".join(w for w in (warning, note) if w) or None


def _localize(naive: datetime, locale: LocaleSpec, raw: str) -> tuple[datetime, str | None]:
    tz = locale.tz
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    try:
        early, late = first.utcoffset(), second.utcoffset()
        if early == late or early is None or late is None:
            return first, None
        back = first.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
    except (OverflowError, ValueError):
        raise CellError(f"{quoted(raw)} is too far in the past or the future") from None
    if back != naive:
        raise CellError(f"{quoted(raw)} does not exist in {locale.zone}: the clocks skip that hour")
    when = format_time(naive.time(), locale)
    return first, (f"{when} happens twice that day in {locale.zone} (the clocks go back); read as the "
                   f"first ({offset_text(early)}). Add {offset_text(late)} for the second")


def format_time(clock: time, locale: LocaleSpec) -> str:
    seconds = f":{clock.second:02d}" if clock.second else ""
    if locale.hour12:
        hour = clock.hour % 12 or 12
        return f"{hour}:{clock.minute:02d}{seconds} {'AM' if clock.hour < 12 else 'PM'}"
    return f"{clock.hour:02d}:{clock.minute:02d}{seconds}"


def read_wire_datetime(value: str) -> datetime:
    """A datetime from Zoho's wire form; naive values are taken as UTC. ValueError if not one."""
    moment = datetime.fromisoformat(value.strip())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def format_datetime(value: str, locale: LocaleSpec) -> str:
    """Zoho's datetime as the locale writes it, in the locale's zone; ValueError if not a datetime."""
    moment = read_wire_datetime(value)
    tz = locale.tz
    try:
        local = moment.astimezone(tz)
        naive = local.replace(tzinfo=None)
        explicit = naive.replace(tzinfo=tz, fold=0).utcoffset() != naive.replace(tzinfo=tz, fold=1).utcoffset()
    except (OverflowError, ValueError):
        local, explicit = moment, True
    text = f"{format_date(local.date(), locale)} {format_time(local.time(), locale)}"
    if not explicit:
        return text
    offset = local.utcoffset() or timedelta(0)
    if offset % timedelta(minutes=1):
        local = moment.astimezone(timezone.utc)
        offset = timedelta(0)
        text = f"{format_date(local.date(), locale)} {format_time(local.time(), locale)}"
    return f"{text} {offset_text(offset)}"
