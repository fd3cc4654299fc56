"""Property tests of the field types: text ↔ value round trips in three locales, no crash on
any text, and every parsed value passes the sandbox's own field checks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gui.client.replies import fields_from
from gui.core.fieldtypes import (EMAIL_RE, PHONE_RE, WEBSITE_RE, CellError, LocaleSpec, ParseContext, Parsed,
                                 format_value, parse_cell, values_equal)
from gui.core.meta import FieldMeta, PicklistOption, User
from gui.sandbox import schema
from gui.sandbox.errors import RecordFailure
from gui.sandbox.store import Store
from gui.sandbox.validation import FieldChecker

LOCALES = {"en_us": LocaleSpec.en_us(), "de_de": LocaleSpec.de_de(), "en_gb": LocaleSpec.en_gb()}
USERS = (User("5725767000000281001", "Patricia Boyle", "patricia.boyle@zylker-demo.com"),
         User("5725767000000281018", "Marco Rossi", "marco.rossi@zylker-demo.com"),
         User("5725767000000281035", "Amara Okafor", "amara.okafor@zylker-demo.com"))
OPTIONS = (PicklistOption("-None-", "-None-"), PicklistOption("Hot lead", "hot"), PicklistOption("Warm", "warm"),
           PicklistOption("Cold", "COLD"), PicklistOption("Not Contacted", "Not Contacted"))
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def meta(data_type: str, **kw: Any) -> FieldMeta:
    return FieldMeta(data_type.title(), data_type.title(), data_type, **kw)


INT32, INT64 = (-(2**31), 2**31 - 1), (-(2**63), 2**63 - 1)
NUMBER = st.floats(min_value=-9_999_999_999_999_998.0, max_value=9_999_999_999_999_998.0, allow_nan=False)
ZONES = st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))])
ID = st.from_regex(r"[1-9][0-9]{18}", fullmatch=True)

LABEL = st.text(st.characters(whitelist_categories=["L", "Nd"], whitelist_characters="-_"), min_size=1, max_size=12)
# What the server may hold for each kind of field (its stored, wire form).
STORED: dict[str, tuple[FieldMeta, st.SearchStrategy[Any]]] = {
    "text": (meta("text", length=80), st.text(max_size=80)),
    "textarea": (meta("textarea", length=2000), st.text(max_size=300)),
    "email": (meta("email", length=100), st.from_regex(EMAIL_RE, fullmatch=True).filter(lambda v: len(v) <= 100)),
    "phone": (meta("phone", length=30), st.from_regex(PHONE_RE, fullmatch=True)
              .filter(lambda v: len(v) <= 30 and any(c.isdigit() for c in v))),
    "website": (meta("website"), st.builds(
        lambda scheme, labels, port, path: scheme + ".".join(labels) + port + path,
        st.sampled_from(["", "http://", "HTTPS://"]), st.lists(LABEL, min_size=2, max_size=4),
        st.sampled_from(["", ":8080"]), st.just("") | st.text(st.characters(blacklist_categories=["Zs", "Cc"]),
                                                            max_size=20).map(lambda p: "/" + p.replace(" ", "")))
        .filter(lambda v: WEBSITE_RE.fullmatch(v) is not None and len(v) <= 255)),
    "integer": (meta("integer"), st.integers(*INT32)),
    "bigint": (meta("bigint"), st.integers(*INT64)),
    "double": (meta("double"), NUMBER),
    "currency": (meta("currency"), NUMBER),
    "percent": (meta("percent"), NUMBER),
    "decimal": (meta("decimal"), NUMBER),
    "boolean": (meta("boolean"), st.booleans()),
    "date": (meta("date"), st.dates().map(lambda d: d.isoformat())),
    "datetime": (meta("datetime"), st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                                               timezones=ZONES)
                 .map(lambda m: m.replace(microsecond=0).isoformat())),
    "picklist": (meta("picklist", picklist=OPTIONS), st.sampled_from([o.actual for o in OPTIONS])),
    "multiselectpicklist": (meta("multiselectpicklist", picklist=OPTIONS),
                            st.lists(st.sampled_from([o.actual for o in OPTIONS]), unique=True)),
    "lookup": (meta("lookup", lookup_module="Accounts"),
               st.fixed_dictionaries({"id": ID}, optional={"name": st.none() | st.text(max_size=40)})),
    "ownerlookup": (meta("ownerlookup"), st.sampled_from(USERS).map(
        lambda u: {"name": u.full_name, "id": u.user_id, "email": u.email})),
}
EXACT = ("integer", "bigint", "double", "currency", "percent", "decimal", "boolean", "date", "picklist",
         "multiselectpicklist")


@pytest.mark.parametrize("kind", STORED)
def test_format_then_parse_gives_the_stored_value_back(kind):
    field, values = STORED[kind]

    @FEW
    @given(values)
    def round_trip(stored: Any) -> None:
        for locale in LOCALES.values():
            ctx = ParseContext(locale, USERS)
            text = format_value(field, stored, locale)
            parsed = parse_cell(field, text, ctx)
            assert values_equal(field, parsed.value, stored), (stored, text, parsed)
            if kind in EXACT:
                assert parsed.value == stored and type(parsed.value) is type(stored), (stored, text, parsed)
            if kind == "datetime":
                assert datetime.fromisoformat(parsed.value) == datetime.fromisoformat(stored)
            if kind in ("lookup", "ownerlookup"):
                assert parsed.value == {"id": stored["id"]}
            # what the parser produced is a fixed point: shown and read again, it stays the same
            again = parse_cell(field, format_value(field, parsed.value, locale), ctx)
            assert again.value == parsed.value or values_equal(field, again.value, parsed.value)

    round_trip()


def test_round_trip_through_repeated_local_hours():
    """Both moments that share the local time 1:30 AM on a fall-back day read back to themselves."""
    field, ctx = meta("datetime"), ParseContext(LOCALES["en_us"], USERS)
    for stored in ("2024-11-03T05:30:00+00:00", "2024-11-03T06:30:00+00:00", "1883-11-18T17:00:00+00:00"):
        parsed = parse_cell(field, format_value(field, stored, ctx.locale), ctx)
        assert values_equal(field, parsed.value, stored)


# -- no crash on any text ----------------------------------------------------------------------------
EVERY_FIELD = [f for f, _ in STORED.values()] + [
    meta("text", mandatory=True), meta("fileupload"), meta("imageupload"), meta("autonumber", read_only=True),
    meta("formula", read_only=True), meta("text", read_only=True), meta("subform"), meta("userlookup"),
    meta("picklist"), meta("multiselectpicklist")]
NUMBERISH = st.text(alphabet="0123456789 .,+-−eE$€%()/:TZ\u00a0\u202fAPMampm'١٢", max_size=30)
DATEISH = st.text(alphabet="0123456789 ./-:,TZ+APMampmMayJanDezSat", max_size=30)
ANY_TEXT = st.text() | NUMBERISH | DATEISH | st.text(max_size=3000)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(EVERY_FIELD), ANY_TEXT, st.sampled_from(list(LOCALES.values())))
def test_parse_never_crashes(field, text, locale):
    try:
        parsed = parse_cell(field, text, ParseContext(locale, USERS))
    except CellError as error:
        assert error.message and isinstance(error.message, str)
        return
    assert isinstance(parsed, Parsed)
    assert parsed.warning is None or isinstance(parsed.warning, str)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(EVERY_FIELD), st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["id", "name", "x"]), inner,
                                                                max_size=3), max_leaves=6),
       st.sampled_from(list(LOCALES.values())))
def test_format_never_crashes_on_any_json(field, stored, locale):
    assert isinstance(format_value(field, stored, locale), str)
    assert values_equal(field, stored, stored) in (True, False)


# -- the sandbox accepts what we parse -------------------------------------------------------------------
def _sandbox_fields() -> list[tuple[schema.ModuleDef, schema.FieldDef, FieldMeta]]:
    out = []
    for module in (schema.LEADS, schema.CONTACTS, schema.ACCOUNTS, schema.DEALS):
        metas = {m.api_name: m for m in fields_from({"fields": schema.fields_json(module)})}
        for f in module.fields:
            if f.editable and f.data_type not in ("fileupload", "imageupload", "lookup"):
                out.append((module, f, metas[f.api_name]))
    return out


SANDBOX_FIELDS = _sandbox_fields()
SANDBOX_USERS = tuple(User(u, name, f"{name.split()[0].lower()}@zylker-demo.com") for u, name in
                      (("5725767000000281001", "Patricia Boyle"), ("5725767000000281018", "Marco Rossi")))


def _store() -> Store:
    store = Store(lambda: 0.0)
    for user in SANDBOX_USERS:
        store.users[user.user_id] = {"id": user.user_id, "full_name": user.full_name, "email": user.email,
                                     "status": "active"}
    return store


STORE = _store()


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(SANDBOX_FIELDS), st.text(max_size=40) | NUMBERISH | DATEISH,
       st.sampled_from(list(LOCALES.values())))
def test_whatever_parses_is_accepted_by_the_sandbox(entry, text, locale):
    module, fdef, field = entry
    try:
        parsed = parse_cell(field, text, ParseContext(locale, SANDBOX_USERS))
    except CellError:
        return
    checker = FieldChecker(STORE, module)
    try:
        checker.check(fdef, parsed.value, f"$.data[0].{fdef.api_name}", current=None)
    except RecordFailure as failure:  # pragma: no cover - the assertion explains
        raise AssertionError(f"sandbox refused {parsed.value!r} for {fdef.api_name} from {text!r}: "
                             f"{failure}") from None


CHOICE_FIELDS = [e for e in SANDBOX_FIELDS if e[2].data_type in ("picklist", "multiselectpicklist")]


@FEW
@given(st.sampled_from(CHOICE_FIELDS), st.data())
def test_sandbox_choices_round_trip(entry, data):
    """The sandbox's own picklists, read through fields_from: format → parse is the identity."""
    _, _, field = entry
    actuals = [o.actual for o in field.picklist]
    stored = (data.draw(st.sampled_from(actuals)) if field.data_type == "picklist"
              else data.draw(st.lists(st.sampled_from(actuals), unique=True)))
    for locale in LOCALES.values():
        text = format_value(field, stored, locale)
        assert parse_cell(field, text, ParseContext(locale)).value == stored
