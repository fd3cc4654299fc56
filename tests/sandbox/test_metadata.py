"""Metadata over real HTTP: settings/modules, settings/fields for every module, users."""

from __future__ import annotations

import pytest

from .helpers import error_of

MODULES = ("Leads", "Contacts", "Accounts", "Deals")
REQUIRED_TYPES = {
    "text", "textarea", "email", "phone", "website", "integer", "bigint", "double", "currency", "percent",
    "boolean", "date", "datetime", "picklist", "multiselectpicklist", "lookup", "ownerlookup", "fileupload",
    "imageupload", "autonumber", "formula",
}


@pytest.fixture(scope="module")
def fields(api) -> dict[str, dict[str, dict]]:
    out = {}
    for module in MODULES:
        reply = api.get("/settings/fields", module=module)
        assert reply.status_code == 200, reply.text
        assert reply.headers["Content-Type"].startswith("application/json")
        out[module] = {f["api_name"]: f for f in reply.json()["fields"]}
    return out


def test_settings_modules_lists_the_four_modules(api):
    reply = api.get("/settings/modules")
    assert reply.status_code == 200
    modules = {m["api_name"]: m for m in reply.json()["modules"]}
    assert set(MODULES) <= set(modules)
    for name in MODULES:
        m = modules[name]
        for key in ("module_name", "singular_label", "plural_label", "api_supported", "editable", "id"):
            assert key in m, (name, key)
        assert m["api_supported"] is True and m["editable"] is True
        assert m["plural_label"] == name


@pytest.mark.parametrize("module", MODULES)
def test_every_field_has_a_data_type_and_the_keys_clients_read(fields, module):
    assert fields[module], module
    for name, f in fields[module].items():
        assert f["data_type"], (module, name)
        for key in ("field_label", "read_only", "field_read_only", "system_mandatory", "length",
                    "pick_list_values", "unique", "mass_update", "json_type"):
            assert key in f, (module, name, key)
        assert isinstance(f["mass_update"], bool)
        if f["data_type"] in ("picklist", "multiselectpicklist"):
            values = f["pick_list_values"]
            assert values and all({"display_value", "actual_value"} <= set(v) for v in values), name


def test_field_types_cover_every_type_in_the_issue(fields):
    seen = {f["data_type"] for module in fields.values() for f in module.values()}
    assert REQUIRED_TYPES <= seen, REQUIRED_TYPES - seen


def test_unique_fields(fields):
    assert fields["Leads"]["Email"]["unique"]
    assert fields["Accounts"]["Account_Name"]["unique"]
    assert not fields["Leads"]["Last_Name"]["unique"]


def test_mass_update_flags(fields):
    assert fields["Leads"]["Email"]["mass_update"] is False
    assert fields["Leads"]["City"]["mass_update"] is True


def test_read_only_and_mandatory_flags(fields):
    leads = fields["Leads"]
    assert leads["Last_Name"]["system_mandatory"] is True
    for name in ("Full_Name", "Lead_Number", "Revenue_per_Employee"):
        assert leads[name]["read_only"] is True, name
    assert leads["Last_Name"]["length"] == 80


def test_contacts_account_name_is_a_lookup_to_accounts(fields):
    f = fields["Contacts"]["Account_Name"]
    assert f["data_type"] == "lookup"
    assert f["lookup"]["module"] == "Accounts"


def test_fields_without_module_param(api):
    reply = api.get("/settings/fields")
    assert reply.status_code == 400
    body = error_of(reply)
    assert body["code"] == "REQUIRED_PARAM_MISSING"
    assert body["details"] == {"param": "module"}


def test_fields_of_unknown_module(api):
    reply = api.get("/settings/fields", module="Potatoes")
    assert reply.status_code == 400
    assert error_of(reply)["code"] == "INVALID_MODULE"


def test_current_user(api):
    reply = api.get("/users", type="CurrentUser")
    assert reply.status_code == 200
    users = reply.json()["users"]
    assert len(users) == 1
    user = users[0]
    assert user["id"].isdigit() and len(user["id"]) == 19
    assert user["full_name"] and "@" in user["email"]
    everyone = api.get("/users", type="AllUsers").json()["users"]
    assert len(everyone) > 1 and user["id"] in {u["id"] for u in everyone}
