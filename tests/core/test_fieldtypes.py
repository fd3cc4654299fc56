"""Field types as text: what each type accepts and refuses, with the words a person reads."""

from __future__ import annotations

from typing import Any

import pytest

from gui.core.fieldtypes import CellError, LocaleSpec, ParseContext, Parsed, format_value, parse_cell, values_equal
from gui.core.meta import FieldMeta, PicklistOption, User

US, DE, GB = LocaleSpec.en_us(), LocaleSpec.de_de(), LocaleSpec.en_gb()
PATRICIA = User("5725767000000281001", "Patricia Boyle", "patricia.boyle@zylker-demo.com")
MARCO = User("5725767000000281018", "Marco Rossi", "marco.rossi@zylker-demo.com")
GONE = User("5725767000000281035", "Gone Away", "gone@zylker-demo.com", active=False)
USERS = (PATRICIA, MARCO, GONE)
RATING = (PicklistOption("Hot", "Hot"), PicklistOption("Warm", "Warm"), PicklistOption("Cold", "Cold"))
STATUS = (PicklistOption("Contacted", "contacted"), PicklistOption("Not Contacted", "not_contacted"))
LEAD_ID = "5725767001000000001"


def meta(data_type: str, **kw: Any) -> FieldMeta:
    kw.setdefault("label", data_type.title())
    return FieldMeta(api_name=kw.pop("api_name", "X"), data_type=data_type, **kw)


def parse(data_type: str, text: str, locale: LocaleSpec = US, **kw: Any) -> Parsed:
    return parse_cell(meta(data_type, **kw), text, ParseContext(locale, USERS))


def value(data_type: str, text: str, locale: LocaleSpec = US, **kw: Any) -> Any:
    return parse(data_type, text, locale, **kw).value


def refusal(data_type: str, text: str, locale: LocaleSpec = US, **kw: Any) -> str:
    with pytest.raises(CellError) as caught:
        parse(data_type, text, locale, **kw)
    assert str(caught.value) == caught.value.message
    return caught.value.message


# -- empty, mandatory, read-only -------------------------------------------------------------
@pytest.mark.parametrize("data_type, cleared", [("text", None), ("integer", None), ("date", None),
                                                ("boolean", None), ("picklist", None),
                                                ("multiselectpicklist", []), ("lookup", None)])
def test_empty_text_clears(data_type, cleared):
    assert value(data_type, "", picklist=RATING) == cleared
    assert value(data_type, "  \t ", picklist=RATING) == cleared


def test_mandatory_field_refuses_empty():
    assert refusal("text", " ", label="Last Name", mandatory=True) == "Last Name is required"
    assert value("text", "Smith", label="Last Name", mandatory=True) == "Smith"


@pytest.mark.parametrize("kw, message", [
    ({"data_type": "fileupload"}, "Files are managed from the attachments dialog"),
    ({"data_type": "imageupload"}, "Images are managed from the attachments dialog"),
    ({"data_type": "autonumber", "read_only": True}, "This field is read-only: Zoho numbers each record itself"),
    ({"data_type": "formula", "read_only": True}, "This field is read-only: Zoho calculates it from other fields"),
    ({"data_type": "text", "read_only": True, "label": "Full Name"},
     "This field is read-only: Full Name can't be changed"),
    ({"data_type": "subform"}, "Fields of this kind (subform) can't be edited here"),
])
def test_fields_that_cannot_be_typed_into(kw, message):
    field = meta(**kw)
    for text in ("anything", ""):
        with pytest.raises(CellError) as caught:
            parse_cell(field, text, ParseContext(US))
        assert caught.value.message == message


# -- text family ---------------------------------------------------------------------------
def test_text_length_and_trimming():
    assert value("text", "  Smith ", length=80) == "Smith"
    assert refusal("text", "x" * 93, length=80) == "At most 80 characters (this has 93)"
    assert value("text", "x" * 80, length=80) == "x" * 80
    assert refusal("text", "x" * 256) == "At most 255 characters (this has 256)"  # default length
    assert value("textarea", "line one\r\nline two\n") == "line one\nline two\n"
    assert refusal("textarea", "y" * 32001) == "At most 32,000 characters (this has 32,001)"


def test_email_shape():
    assert value("email", " ava.smith@example.com ") == "ava.smith@example.com"
    assert value("email", "Ava Smith <ava@example.com>") == "ava@example.com"
    for bad in ("ava@example", "ava example.com", "@example.com", "ava@@example.com", "ava@example.com."):
        assert refusal("email", bad) == f"“{bad}” is not an e-mail address"
    assert refusal("email", "a" * 95 + "@x.com") == "At most 100 characters (this has 101)"


def test_phone_shape():
    assert value("phone", "+1 (415) 555-0100 ext. 12") == "+1 (415) 555-0100 ext. 12"
    assert refusal("phone", "call me") == "“call me” is not a phone number"
    assert refusal("phone", "+()-") == "“+()-” is not a phone number"
    damaged = parse("phone", "4.15E+09")
    assert damaged.value == "4.15E+09" and "scientific notation" in (damaged.warning or "")


def test_website_shape():
    assert value("website", "https://www.zylker.example/path?q=1") == "https://www.zylker.example/path?q=1"
    assert value("website", "zylker.example:8080") == "zylker.example:8080"
    assert refusal("website", "not a site") == "“not a site” is not a web address"
    assert refusal("website", "ftp://zylker.example") == "“ftp://zylker.example” is not a web address"


# -- numbers -------------------------------------------------------------------------------------
@pytest.mark.parametrize("data_type, text, locale, expected", [
    ("integer", "1234", US, 1234), ("integer", "1,234", US, 1234), ("integer", "1.234", DE, 1234),
    ("integer", "1 234", DE, 1234), ("integer", "1\u202f234", US, 1234), ("integer", "-42", US, -42),
    ("integer", "+7", US, 7), ("integer", "12.00", US, 12), ("integer", "１２３", US, 123),
    ("integer", "\u2212 5", US, -5), ("bigint", "9,223,372,036,854,775,807", US, 2**63 - 1),
    ("double", "1,234.50", US, 1234.5), ("double", "1.234,50", DE, 1234.5), ("double", ".5", US, 0.5),
    ("double", "-0,25", DE, -0.25), ("double", "1234.", US, 1234.0), ("decimal", "3.14", GB, 3.14),
    ("currency", "$1,200", US, 1200.0), ("currency", "1.200,50 €", DE, 1200.5), ("currency", "-$3.5", US, -3.5),
    ("currency", "$-3.5", US, -3.5), ("currency", "(1,200.00)", US, -1200.0), ("currency", "USD 12", US, 12.0),
    ("currency", "£9.99", GB, 9.99), ("percent", "12 %", US, 12.0), ("percent", "12,5%", DE, 12.5),
    ("percent", "100", US, 100.0),
])
def test_numbers_accepted(data_type, text, locale, expected):
    parsed = parse(data_type, text, locale)
    assert parsed.value == expected and type(parsed.value) is type(expected)
    assert parsed.warning is None


@pytest.mark.parametrize("data_type, text, locale, message", [
    ("double", "12,5x", US, "“12,5x” is not a number"),
    ("double", "1,5", US, "“1,5” is not a number: here “.” marks decimals and “,” separates thousands"),
    ("double", "1.5", DE, "“1.5” is not a number: here “,” marks decimals and “.” separates thousands"),
    ("double", "1,234.50", DE, "“1,234.50” is not a number: here “,” marks decimals and “.” separates thousands"),
    ("double", "12 %", US, "“12 %” is not a number"),  # a percent sign only in percent fields
    ("double", "$5", US, "“$5” is not a number"),  # a currency sign only in currency fields
    ("double", "1,23,456", US, "“1,23,456” is not a number"),
    ("double", "--5", US, "“--5” is not a number"),
    ("double", "nan", US, "“nan” is not a number"), ("double", "inf", US, "“inf” is not a number"),
    ("double", "12345678901234567", US, "“12345678901234567” is too large: at most 16 digits before the decimal point"),
    ("double", "9999999999999999.9", US,
     "“9999999999999999.9” is too large: at most 16 digits before the decimal point"),
    ("integer", "1.5", US, "“1.5” is not a whole number"),
    ("integer", "1,5", DE, "“1,5” is not a whole number"),
    ("integer", "2,147,483,648", US,
     "“2,147,483,648” is out of range: use a whole number from -2,147,483,648 to 2,147,483,647"),
    ("integer", "1e999", US, "“1e999” is out of range: use a whole number from -2,147,483,648 to 2,147,483,647"),
    ("integer", "twelve", US, "“twelve” is not a number"),
])
def test_numbers_refused(data_type, text, locale, message):
    assert refusal(data_type, text, locale) == message


def test_scientific_notation_is_read_with_a_warning():
    parsed = parse("double", "1.5E+10")
    assert parsed.value == 15_000_000_000.0
    assert parsed.warning == ("“1.5E+10” is in scientific notation; read as 15,000,000,000. "
                              "Check that no digits were lost")
    assert parse("double", "1,5E+3", DE).value == 1500.0
    assert parse("bigint", "1.23457E+11").value == 123_457_000_000
    assert "scientific notation" in (parse("integer", "1e3").warning or "")


def test_number_formats_per_locale():
    currency, double, integer = meta("currency"), meta("double"), meta("integer")
    assert format_value(currency, 1234567.5, US) == "1,234,567.50"
    assert format_value(currency, 1234567.5, DE) == "1.234.567,50"
    assert format_value(double, 1234.0, US) == "1,234"
    assert format_value(double, -0.125, DE) == "-0,125"
    assert format_value(double, 0.1, GB) == "0.1"
    assert format_value(integer, 123456, US) == "123456"  # codes and counts: no grouping
    assert format_value(meta("percent"), 12.5, DE) == "12,5"
    assert format_value(meta("formula"), 1500.25, US) == "1,500.25"


# -- booleans ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["true", "TRUE", "Yes", "y", "1", "x", "X", "✓", "✔", "checked", "on", "WAHR",
                                  "vrai", "Ja", "sí", "Ｙｅｓ"])
def test_true_spellings(text):
    assert value("boolean", text) is True


@pytest.mark.parametrize("text", ["false", "False", "No", "n", "0", "unchecked", "off", "FALSCH", "faux", "nein",
                                  "✗", "☐"])
def test_false_spellings(text):
    assert value("boolean", text) is False


def test_boolean_refusal_and_format():
    assert refusal("boolean", "Mayb") == "“Mayb” is not yes or no"
    assert refusal("boolean", "2") == "“2” is not yes or no"
    field = meta("boolean")
    assert [format_value(field, v, US) for v in (True, False, None)] == ["Yes", "No", ""]


# -- dates ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, locale, expected", [
    ("2024-05-04", US, "2024-05-04"), ("2024/05/04", DE, "2024-05-04"), ("20240504", GB, "2024-05-04"),
    ("13/05/2024", GB, "2024-05-13"), ("05/13/2024", US, "2024-05-13"), ("13.05.2024", DE, "2024-05-13"),
    ("4.4.2024", DE, "2024-04-04"), ("4 May 2024", US, "2024-05-04"), ("May 4, 2024", GB, "2024-05-04"),
    ("4. Mai 2024", DE, "2024-05-04"), ("Sat, 4 May 2024", US, "2024-05-04"), ("2024-05-04 00:00:00", US, "2024-05-04"),
    ("2024-05-04T00:00:00Z", GB, "2024-05-04"), ("0024-05-04", US, "0024-05-04"), ("29.02.2024", DE, "2024-02-29"),
])
def test_unambiguous_dates(text, locale, expected):
    parsed = parse("date", text, locale)
    assert parsed == Parsed(expected, None)


def test_ambiguous_dates_follow_the_locale_with_a_warning():
    assert parse("date", "04/05/2024", GB) == Parsed(
        "2024-05-04", "Read as 4 May 2024 (day first); write 2024-05-04 to be sure")
    assert parse("date", "04/05/2024", US) == Parsed(
        "2024-04-05", "Read as April 5, 2024 (month first); write 2024-04-05 to be sure")
    assert parse("date", "04.05.2024", DE).value == "2024-05-04"


def test_a_date_only_the_other_order_can_read_is_read_with_a_warning():
    assert parse("date", "31/01/2024", US) == Parsed(
        "2024-01-31", "Read as January 31, 2024 (day first, not month first as usual here); write 2024-01-31 to be sure")
    assert parse("date", "01/31/2024", GB).warning == (
        "Read as 31 January 2024 (month first, not day first as usual here); write 2024-01-31 to be sure")


def test_a_year_first_locale_gives_no_hint_for_day_and_month():
    iso = LocaleSpec(".", ",", "YMD", "-", "UTC")
    assert refusal("date", "04/05/2024", iso) == "“04/05/2024” could be 4 May or 5 April: write it as 2024-05-04"
    assert value("date", "24-05-04", iso) == "2024-05-04"
    assert value("date", "13/05/2024", iso) == "2024-05-13"


def test_two_digit_years_pivot_like_spreadsheets_with_a_warning():
    assert parse("date", "04/05/24", GB) == Parsed(
        "2024-05-04", "Read as 4 May 2024 (day first, a two-digit year); write 2024-05-04 to be sure")
    assert value("date", "31.12.29", DE) == "2029-12-31"
    assert value("date", "01.01.30", DE) == "1930-01-01"
    assert parse("date", "04-May-61", US) == Parsed(
        "1961-05-04", "Read as May 4, 1961 (a two-digit year); write 1961-05-04 to be sure")


@pytest.mark.parametrize("text, message", [
    ("31/02/2024", "“31/02/2024” is not a date"), ("2024-13-01", "“2024-13-01” is not a date"),
    ("tomorrow", "“tomorrow” is not a date"), ("4 Smarch 2024", "“4 Smarch 2024” is not a date"),
    ("04/05-2024", "“04/05-2024” is not a date"), ("2024-05-04 09:30", "“2024-05-04 09:30” has a time of day, "
                                                                       "but this field holds only a date"),
])
def test_dates_refused(text, message):
    assert refusal("date", text, GB) == message


def test_date_formats_per_locale():
    field = meta("date")
    assert format_value(field, "2024-05-04", US) == "05/04/2024"
    assert format_value(field, "2024-05-04", GB) == "04/05/2024"
    assert format_value(field, "2024-05-04", DE) == "04.05.2024"
    assert format_value(field, "not a date", DE) == "not a date"  # shown as it is, never a crash


# -- datetimes --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, locale, expected", [
    ("2024-05-04T14:30:00+02:00", US, "2024-05-04T14:30:00+02:00"),
    ("2024-05-04T12:30:00Z", DE, "2024-05-04T12:30:00+00:00"),
    ("2024-05-04T12:30:00.999Z", DE, "2024-05-04T12:30:00+00:00"),
    ("2024-05-04 14:30", DE, "2024-05-04T14:30:00+02:00"),
    ("2024-01-04 14:30", DE, "2024-01-04T14:30:00+01:00"),
    ("2024-05-04 14:30", US, "2024-05-04T14:30:00-04:00"),
    ("2024-05-04 2:30 pm", US, "2024-05-04T14:30:00-04:00"),
    ("2024-05-04 12:05 AM", US, "2024-05-04T00:05:00-04:00"),
    ("2024-05-04 9 a.m.", US, "2024-05-04T09:00:00-04:00"),
    ("2024-05-04 14:30:15 UTC+5:30", US, "2024-05-04T14:30:15+05:30"),
    ("2024-05-04 14:30 -0800", GB, "2024-05-04T14:30:00-08:00"),
    ("May 4, 2024, 2:30 PM", GB, "2024-05-04T14:30:00+01:00"),
    ("13.05.2024 08:00", DE, "2024-05-13T08:00:00+02:00"),
])
def test_datetimes_accepted(text, locale, expected):
    assert value("datetime", text, locale) == expected


def test_datetime_local_form_warns_about_ambiguous_dates():
    assert parse("datetime", "04/05/2024 14:30", GB) == Parsed(
        "2024-05-04T14:30:00+01:00", "Read as 4 May 2024 (day first); write 2024-05-04 to be sure")


def test_daylight_saving_gaps_and_repeats():
    assert refusal("datetime", "2024-03-10 02:30", US) == (
        "“2024-03-10 02:30” does not exist in America/New_York: the clocks skip that hour")
    assert parse("datetime", "2024-11-03 01:30", US) == Parsed(
        "2024-11-03T01:30:00-04:00", "1:30 AM happens twice that day in America/New_York (the clocks go back); "
                                     "read as the first (-04:00). Add -05:00 for the second")
    assert value("datetime", "2024-11-03 01:30 -05:00", US) == "2024-11-03T01:30:00-05:00"


@pytest.mark.parametrize("text, message", [
    ("2024-05-04", "“2024-05-04” has no time of day: write it like 2024-05-04 14:30"),
    ("2024-05-04 25:00", "“2024-05-04 25:00” is not a date and time"),
    ("2024-05-04 13:00 PM", "“2024-05-04 13:00 PM” is not a date and time"),
    ("soon", "“soon” is not a date and time"),
    ("2024-05-04 10:00 +25:00", "“2024-05-04 10:00 +25:00” has a time zone offset that does not exist"),
])
def test_datetimes_refused(text, message):
    assert refusal("datetime", text, GB) == message


def test_datetime_formats_in_the_locale_zone():
    field = meta("datetime")
    wire = "2024-05-04T12:30:00+00:00"
    assert format_value(field, wire, US) == "05/04/2024 8:30 AM"
    assert format_value(field, wire, DE) == "04.05.2024 14:30"
    assert format_value(field, wire, GB) == "04/05/2024 13:30"
    assert format_value(field, "2024-05-04T12:30:45+00:00", LocaleSpec.en_gb("UTC")) == "04/05/2024 12:30:45"
    # a repeated local hour shows its offset, so that the text reads back to the same moment
    assert format_value(field, "2024-11-03T06:30:00+00:00", US) == "11/03/2024 1:30 AM -05:00"


# -- picklists ----------------------------------------------------------------------------------------
def test_picklist_matches_display_or_actual_case_insensitively():
    assert value("picklist", "cold", picklist=RATING) == "Cold"
    assert value("picklist", "  HOT ", picklist=RATING) == "Hot"
    assert value("picklist", "not contacted", picklist=STATUS) == "not_contacted"
    assert value("picklist", "NOT_CONTACTED", picklist=STATUS) == "not_contacted"
    assert value("picklist", "Not   Contacted", picklist=STATUS) == "not_contacted"
    assert refusal("picklist", "Mild", picklist=RATING) == "“Mild” is not on the list. Choose one of: Hot, Warm, Cold"
    assert format_value(meta("picklist", picklist=STATUS), "not_contacted", US) == "Not Contacted"


def test_long_picklists_are_shortened_in_messages():
    options = tuple(PicklistOption(f"Option {i}", f"o{i}") for i in range(15))
    assert refusal("picklist", "x", picklist=options) == (
        "“x” is not on the list. Choose one of: Option 0, Option 1, Option 2, Option 3, Option 4, Option 5, "
        "Option 6, Option 7, Option 8, Option 9, … (15 in all)")


def test_multiselect_splits_matches_dedupes_and_keeps_order():
    assert value("multiselectpicklist", "cold; hot;COLD ;; warm", picklist=RATING) == ["Cold", "Hot", "Warm"]
    assert value("multiselectpicklist", "Contacted\nnot contacted", picklist=STATUS) == ["contacted", "not_contacted"]
    assert refusal("multiselectpicklist", "Hot; Mild", picklist=RATING) == (
        "“Mild” is not on the list. Choose from: Hot, Warm, Cold (separate choices with “;”)")
    assert refusal("multiselectpicklist", "Mild; Spicy", picklist=RATING) == (
        "“Mild”, “Spicy” are not on the list. Choose from: Hot, Warm, Cold (separate choices with “;”)")
    field = meta("multiselectpicklist", picklist=STATUS)
    assert format_value(field, ["contacted", "not_contacted"], US) == "Contacted; Not Contacted"
    assert format_value(field, [], US) == ""


# -- lookups and owners -------------------------------------------------------------------------------
def test_lookup_takes_an_id_or_name_with_id():
    assert value("lookup", LEAD_ID) == {"id": LEAD_ID}
    assert value("lookup", f"Blue Logistics Inc [{LEAD_ID}]") == {"id": LEAD_ID}
    assert value("lookup", f"Odd [name] here [{LEAD_ID}]") == {"id": LEAD_ID}
    assert refusal("lookup", "Blue Logistics Inc", lookup_module="Accounts") == (
        "Pick the record from the Accounts list: a name like “Blue Logistics Inc” can't be matched on its own")
    field = meta("lookup", lookup_module="Accounts")
    assert format_value(field, {"name": "Blue Logistics Inc", "id": LEAD_ID}, US) == f"Blue Logistics Inc [{LEAD_ID}]"
    assert format_value(field, {"name": None, "id": LEAD_ID}, US) == LEAD_ID


def test_owner_by_name_email_or_id():
    for text in ("Marco Rossi", "marco rossi", "MARCO.ROSSI@zylker-demo.com", MARCO.user_id,
                 f"Marco Rossi <{MARCO.email}>", f"M. Rossi [{MARCO.user_id}]"):
        assert value("ownerlookup", text) == {"id": MARCO.user_id}, text
    assert refusal("ownerlookup", "Bob") == "Unknown owner “Bob”: choose one of the users"
    assert refusal("ownerlookup", "gone away") == "Gone Away is not an active user: choose an active one"
    twins = (PATRICIA, User("5725767000000281099", "Patricia Boyle", "pb2@zylker-demo.com"))
    with pytest.raises(CellError, match="2 users are called “Patricia Boyle”: write the e-mail address instead"):
        parse_cell(meta("ownerlookup"), "Patricia Boyle", ParseContext(US, twins))
    assert format_value(meta("ownerlookup"), {"name": "Marco Rossi", "id": MARCO.user_id}, US) == "Marco Rossi"


def test_files_and_images_are_counted():
    assert format_value(meta("fileupload"), [{"attachment_Id": "1"}, {"attachment_Id": "2"}], US) == "2 files"
    assert format_value(meta("imageupload"), [{"id": "1"}], US) == "1 image"
    assert format_value(meta("imageupload"), [], US) == ""


# -- comparing ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data_type, a, b, same", [
    ("text", None, "", True), ("text", "", "   ", True), ("multiselectpicklist", None, [], True),
    ("lookup", None, {"id": None}, True), ("text", "Smith", "Smith ", True), ("text", "Smith", "smith", False),
    ("textarea", "a\r\nb", "a\nb", True), ("double", 1200, 1200.0, True), ("currency", 0.1, "0.1", True),
    ("double", 1.0, 1.5, False), ("integer", 5, 5.0, True), ("boolean", True, 1, False),
    ("boolean", False, None, False), ("boolean", False, False, True),
    ("multiselectpicklist", ["A", "B"], ["B", "A"], True), ("multiselectpicklist", ["A"], ["A", "B"], False),
    ("lookup", {"id": LEAD_ID, "name": "X"}, {"id": LEAD_ID}, True), ("ownerlookup", {"id": 5}, "5", True),
    ("lookup", {"id": LEAD_ID}, {"id": "5725767001000000004"}, False),
    ("datetime", "2024-05-04T12:30:00+00:00", "2024-05-04T14:30:00+02:00", True),
    ("datetime", "2024-05-04T12:30:00+00:00", "2024-05-04T12:31:00+00:00", False),
    ("date", "2024-05-04", "2024-05-05", False), ("picklist", "Hot", "Hot", True), ("picklist", "Hot", "hot", False),
    ("text", "x", None, False),
])
def test_values_equal(data_type, a, b, same):
    field = meta(data_type)
    assert values_equal(field, a, b) is same
    assert values_equal(field, b, a) is same


# -- locales ---------------------------------------------------------------------------------------------
def test_locale_spec_checks_itself():
    assert str(LocaleSpec.de_de().tz) == "Europe/Berlin"
    assert str(LocaleSpec(zone="+05:30").tz) == "UTC+05:30"
    for bad in ({"zone": "Mars/Olympus"}, {"decimal_separator": ",", "group_separator": ","},
                {"date_order": "DYM"}, {"decimal_separator": "1"}):
        with pytest.raises(ValueError):
            LocaleSpec(**bad)  # type: ignore[arg-type]


def test_locale_with_spaces_as_group_separator():
    fr = LocaleSpec(",", "\u202f", "DMY", "/", "Europe/Paris")
    assert value("double", "1\u202f234,5", fr) == 1234.5
    assert value("double", "1 234,5", fr) == 1234.5
    assert format_value(meta("double"), 1234.5, fr) == "1\u202f234,5"
