"""End to end: values typed the way people type them, parsed with the sandbox's own metadata,
sent over HTTP in one update, and accepted (SUCCESS) — then shown back as the same text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from gui.client.replies import fields_from, users_from
from gui.core.fieldtypes import LocaleSpec, ParseContext, format_value, parse_cell, values_equal
from gui.core.meta import FieldMeta
from gui.sandbox import SandboxServer

API = "/crm/v2.1"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[SandboxServer, requests.Session]]:
    with SandboxServer(records=30) as server:
        reply = requests.post(server.base_url + "/oauth/v2/token", timeout=10, data={
            "grant_type": "refresh_token", "refresh_token": "demo-refresh-token",
            "client_id": "demo-client", "client_secret": "demo-secret"})
        assert reply.status_code == 200, reply.text
        session = requests.Session()
        session.headers["Authorization"] = f"Zoho-oauthtoken {reply.json()['access_token']}"
        yield server, session
        session.close()


def get(sandbox: tuple[SandboxServer, requests.Session], path: str, **params: Any) -> Any:
    server, session = sandbox
    reply = session.get(server.base_url + API + path, params=params, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def put(sandbox: tuple[SandboxServer, requests.Session], path: str, body: Any) -> dict[str, Any]:
    server, session = sandbox
    reply = session.put(server.base_url + API + path, json=body, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def fields(sandbox: tuple[SandboxServer, requests.Session], module: str) -> dict[str, FieldMeta]:
    return {f.api_name: f for f in fields_from(get(sandbox, "/settings/fields", module=module))}


def editable_record(sandbox: tuple[SandboxServer, requests.Session], module: str) -> dict[str, Any]:
    rows = get(sandbox, f"/{module}", per_page=10)["data"]
    return next(r for r in rows if r["$approved"] and r["$editable"] and not r["$locked_for_me"])


# Text as a person in each locale would type it, for every editable type among Leads' fields.
LEADS_TEXT = {
    "en_us": {
        "Owner": "marco rossi", "First_Name": "  Ava ", "Last_Name": "García", "Company": "Blue Logistics Inc",
        "Email": "Ava García <ava.garcia.fieldtypes@blue.example>", "Secondary_Email": "ava@home.example",
        "Phone": "+1 (415) 555-0100", "Mobile": "415.555.0199 ext 7", "Website": "blue.example/about",
        "Lead_Source": "cold call", "Lead_Status": "CONTACTED", "Industry": "large enterprise", "Rating": "Active",
        "No_of_Employees": "1,250", "Annual_Revenue": "$1,234,567.89", "Lead_Score": "87.5",
        "Email_Opt_Out": "yes", "Languages_Spoken": "english; Spanish ;english", "Interests": "Security;Training",
        "Follow_Up_Date": "05/04/2026", "Next_Call": "05/04/2026 2:30 PM", "Zip_Code": "02108",
        "Description": "Met at the fair.\r\nCall back in May.",
    },
    "de_de": {
        "Owner": "amara.okafor@zylker-demo.com", "Last_Name": "Müller", "Email": "m.mueller.fieldtypes@firma.example",
        "No_of_Employees": "12.500", "Annual_Revenue": "1.234.567,89 €", "Lead_Score": "-0,5",
        "Email_Opt_Out": "falsch", "Languages_Spoken": "", "Follow_Up_Date": "04.05.2026",
        "Next_Call": "04.05.2026 14:30", "Website": "https://firma.example", "Rating": "",
    },
}
EXPECTED = {
    "en_us": {"First_Name": "Ava", "No_of_Employees": 1250, "Annual_Revenue": 1234567.89, "Email_Opt_Out": True,
              "Lead_Status": "Contacted", "Languages_Spoken": ["English", "Spanish"],
              "Email": "ava.garcia.fieldtypes@blue.example", "Follow_Up_Date": "2026-05-04",
              "Next_Call": "2026-05-04T18:30:00+00:00", "Description": "Met at the fair.\nCall back in May."},
    "de_de": {"No_of_Employees": 12500, "Annual_Revenue": 1234567.89, "Lead_Score": -0.5, "Email_Opt_Out": False,
              "Languages_Spoken": [], "Follow_Up_Date": "2026-05-04", "Next_Call": "2026-05-04T12:30:00+00:00",
              "Rating": None},
}
LOCALES = {"en_us": LocaleSpec.en_us(), "de_de": LocaleSpec.de_de()}


@pytest.mark.parametrize("locale_name", ["en_us", "de_de"])
def test_parsed_leads_values_are_accepted_by_the_sandbox(sandbox, locale_name):
    locale = LOCALES[locale_name]
    metas = fields(sandbox, "Leads")
    users = tuple(users_from(get(sandbox, "/users", type="AllUsers")))
    ctx = ParseContext(locale, users)
    texts = LEADS_TEXT[locale_name]
    values = {name: parse_cell(metas[name], text, ctx).value for name, text in texts.items()}
    if locale_name == "en_us":  # every editable type of Leads is in this one update
        editable_types = {f.data_type for f in metas.values() if f.editable} - {"fileupload", "imageupload"}
        assert {metas[name].data_type for name in values} == editable_types
    record = editable_record(sandbox, "Leads")

    body = put(sandbox, "/Leads", {"data": [{"id": record["id"], **values}]})
    entry = body["data"][0]
    assert entry["code"] == "SUCCESS", entry

    stored = get(sandbox, f"/Leads/{record['id']}")["data"][0]
    for name, expected in EXPECTED[locale_name].items():
        assert values_equal(metas[name], stored[name], expected), (name, stored[name], expected)
    for name, value in values.items():
        assert values_equal(metas[name], stored[name], value), (name, stored[name], value)
        # what the server holds shows as text that parses back to it
        shown = format_value(metas[name], stored[name], locale)
        assert values_equal(metas[name], parse_cell(metas[name], shown, ctx).value, stored[name]), (name, shown)


def test_lookup_by_name_and_id_is_accepted_by_the_sandbox(sandbox):
    metas = fields(sandbox, "Contacts")
    contact = editable_record(sandbox, "Contacts")
    account = get(sandbox, "/Accounts", per_page=5)["data"][-1]
    text = f"{account['Account_Name']} [{account['id']}]"
    ctx = ParseContext(LocaleSpec.en_gb(), ())
    values = {"Account_Name": parse_cell(metas["Account_Name"], text, ctx).value,
              "Date_of_Birth": parse_cell(metas["Date_of_Birth"], "31/01/1990", ctx).value,
              "Hobbies": parse_cell(metas["Hobbies"], "analytics; mobile apps", ctx).value}
    assert values == {"Account_Name": {"id": account["id"]}, "Date_of_Birth": "1990-01-31",
                      "Hobbies": ["Analytics", "Mobile Apps"]}
    assert put(sandbox, "/Contacts", {"data": [{"id": contact["id"], **values}]})["data"][0]["code"] == "SUCCESS"
    stored = get(sandbox, f"/Contacts/{contact['id']}")["data"][0]
    assert format_value(metas["Account_Name"], stored["Account_Name"], ctx.locale) == text


def test_accounts_and_deals_number_types_are_accepted(sandbox):
    ctx = ParseContext(LocaleSpec.de_de(), ())
    accounts, deals = fields(sandbox, "Accounts"), fields(sandbox, "Deals")
    account, deal = editable_record(sandbox, "Accounts"), editable_record(sandbox, "Deals")
    account_values = {"Account_Number": parse_cell(accounts["Account_Number"], "9.007.199.254.740.993", ctx).value,
                      "Customer_Since": parse_cell(accounts["Customer_Since"], "1. Januar 2020", ctx).value}
    deal_values = {"Probability": parse_cell(deals["Probability"], "62,5 %", ctx).value,
                   "Discount": parse_cell(deals["Discount"], "1,5E+1", ctx).value,
                   "Amount": parse_cell(deals["Amount"], "(1.200,00)", ctx).value}
    assert account_values == {"Account_Number": 9007199254740993, "Customer_Since": "2020-01-01"}
    assert deal_values == {"Probability": 62.5, "Discount": 15.0, "Amount": -1200.0}
    assert put(sandbox, "/Accounts", {"data": [{"id": account["id"], **account_values}]})["data"][0]["code"] == "SUCCESS"
    assert put(sandbox, "/Deals", {"data": [{"id": deal["id"], **deal_values}]})["data"][0]["code"] == "SUCCESS"
    stored = get(sandbox, f"/Accounts/{account['id']}")["data"][0]
    assert stored["Account_Number"] == 9007199254740993  # beyond a double's exact range, kept exact
