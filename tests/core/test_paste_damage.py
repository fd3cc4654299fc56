"""Warnings about values a spreadsheet probably changed before they were copied."""

from __future__ import annotations

import pytest

from gui.core.meta import FieldMeta
from gui.core.paste import (AMBIGUOUS_DATE, ERROR_CELL, FORMULA_LIKE, INFO, LEADING_ZERO,
                            SCIENTIFIC_NOTATION, damage_warnings)

ZIP = FieldMeta("Zip_Code", "Zip Code", "text", length=30)
MAILING_ZIP = FieldMeta("Mailing_Zip", "Mailing Zip", "text")
POSTCODE = FieldMeta("Postcode__c", "Postal Code", "text", custom=True)
PHONE = FieldMeta("Phone", "Phone", "phone")
MOBILE_TEXT = FieldMeta("Mobile_Number", "Mobile number", "text", custom=True)
TEXT = FieldMeta("Company", "Company", "text")
BIGINT = FieldMeta("Account_Number", "Account Number", "bigint")
CURRENCY = FieldMeta("Annual_Revenue", "Annual Revenue", "currency")
DATE = FieldMeta("Follow_Up_Date", "Follow-up Date", "date")
DATETIME = FieldMeta("Next_Call", "Next Call", "datetime")
INTEGER = FieldMeta("Employees", "Employees", "integer")


def kinds(field: FieldMeta, text: str) -> list[str]:
    return [d.kind for d in damage_warnings(field, text)]


def test_zip_code_that_lost_its_leading_zero_is_explained_in_plain_words() -> None:
    [damage] = damage_warnings(ZIP, "2108")
    assert damage.kind == LEADING_ZERO
    assert damage.message.startswith("Leading zero may have been lost: Excel shows 2108 for the ZIP code 02108")
    assert "02108-1234" in damage_warnings(MAILING_ZIP, "2108-1234")[0].message
    assert "00501" in damage_warnings(POSTCODE, "501")[0].message


@pytest.mark.parametrize("text", ["02108", "12345", "SW1A 1AA", "75008", "12", "2108 Boston", ""])
def test_complete_zip_codes_and_other_text_do_not_warn(text: str) -> None:
    assert kinds(ZIP, text) == []


def test_four_digits_outside_zip_like_fields_do_not_warn() -> None:
    assert kinds(TEXT, "2108") == []
    assert kinds(INTEGER, "2108") == []


def test_short_all_digit_phone_numbers_warn() -> None:
    assert kinds(PHONE, "79460") == [LEADING_ZERO]
    assert kinds(MOBILE_TEXT, "123456") == [LEADING_ZERO]
    for fine in ("1234567", "02079460958", "+44 20 7946 0958", "(555) 123-4567", "ext 12"):
        assert kinds(PHONE, fine) == [], fine


@pytest.mark.parametrize("text", ["1.23E+11", "4.47701E+11", "5E+15", "1,5E+12", "-2.5e-05"])
def test_scientific_notation_warns_in_text_phone_and_whole_number_fields(text: str) -> None:
    for field in (TEXT, PHONE, BIGINT, ZIP):
        assert SCIENTIFIC_NOTATION in kinds(field, text)
    assert "digits after the first few are lost" in damage_warnings(PHONE, text)[0].message


def test_scientific_notation_is_a_number_in_real_number_fields_and_codes_do_not_warn() -> None:
    assert kinds(CURRENCY, "1.23E+11") == []
    assert kinds(TEXT, "3E10") == []  # no sign in the exponent: a product code, not Excel's display
    assert kinds(TEXT, "E+11") == []


@pytest.mark.parametrize("text, day_first, month_first", [
    ("03/04/2024", "3 April 2024", "March 4, 2024"),
    ("3.4.24", "3 April 24", "March 4, 24"),
    ("11-12-2023", "11 December 2023", "November 12, 2023"),
])
def test_ambiguous_day_month_order(text: str, day_first: str, month_first: str) -> None:
    [damage] = damage_warnings(DATE, text)
    assert damage.kind == AMBIGUOUS_DATE
    assert day_first in damage.message and month_first in damage.message
    assert "year-month-day" in damage.message


def test_datetime_with_time_is_checked_too() -> None:
    assert kinds(DATETIME, "05/06/2024 10:30") == [AMBIGUOUS_DATE]


@pytest.mark.parametrize("text", ["2024-03-04", "13/04/2024", "04/13/2024", "05/05/2024", "2024/03/04", "3/4"])
def test_unambiguous_dates_do_not_warn(text: str) -> None:
    assert kinds(DATE, text) == []


def test_dates_in_text_fields_are_not_judged() -> None:
    assert kinds(TEXT, "03/04/2024") == []


@pytest.mark.parametrize("text", ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!",
                                  "#SPILL!", "#ERROR!", "Err:502", " #n/a "])
def test_error_cells_warn_in_any_field(text: str) -> None:
    for field in (TEXT, PHONE, DATE, CURRENCY):
        [damage] = damage_warnings(field, text)
        assert damage.kind == ERROR_CELL
        assert "spreadsheet error" in damage.message


def test_hash_text_that_is_not_an_error_does_not_warn() -> None:
    assert kinds(TEXT, "#1 customer") == []
    assert kinds(TEXT, "#N/A please") == []


@pytest.mark.parametrize("text", ["=SUM(A1:A3)", "+ADD", "-minus sign", "@mention", "=1+1"])
def test_formula_like_text_is_information_only(text: str) -> None:
    [damage] = damage_warnings(TEXT, text)
    assert damage.kind == FORMULA_LIKE
    assert damage.severity == INFO
    assert "pasted as plain text" in damage.message


def test_numbers_and_international_phones_are_not_formula_like() -> None:
    assert kinds(INTEGER, "-5") == []
    assert kinds(CURRENCY, "-1,234.50") == []
    assert kinds(PHONE, "+44 20 7946 0958") == []
    assert kinds(PHONE, "+1 (555) 123-4567 ext 9") == []


def test_plain_values_have_no_warnings() -> None:
    for field, text in ((TEXT, "Acme Ltd"), (PHONE, "020 7946 0958"), (DATE, "2024-01-31"),
                        (BIGINT, "123456789012"), (ZIP, "  "), (TEXT, "😀 emoji"), (TEXT, "مرحبا")):
        assert damage_warnings(field, text) == []
