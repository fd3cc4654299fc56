#!/usr/bin/env python3
"""Drive a Zoho CRM v2.1 server (real or the sandbox) through Zoho's own Python SDK.

Run it with a Python that has ``zohocrmsdk2-1==3.0.0`` installed (never the project venv):

    python3 -m venv /tmp/sdkvenv && /tmp/sdkvenv/bin/pip install zohocrmsdk2-1==3.0.0
    /tmp/sdkvenv/bin/python tests/compat/sdk_check.py \
        --api http://127.0.0.1:18999 --accounts http://127.0.0.1:18999 --module Leads

It only talks to the given URLs. Each operation prints ``<operation>: worked`` or
``<operation>: failed: <reason>``; the exit status is 1 when any operation failed.
The SDK keeps its token file, field cache and log in a fresh temporary directory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

TOKEN_PATH = "/oauth/v2/token"


def init_sdk(api: str, accounts: str, workdir: str, args: argparse.Namespace) -> None:
    from zcrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
    from zcrmsdk.src.com.zoho.api.authenticator.store import FileStore
    from zcrmsdk.src.com.zoho.api.logger import Logger
    from zcrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
    from zcrmsdk.src.com.zoho.crm.api.initializer import Initializer
    from zcrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig
    from zcrmsdk.src.com.zoho.crm.api.user_signature import UserSignature

    # The SDK posts to environment.accounts_url as is (the built-in data centres give the
    # full ".../oauth/v2/token" URL there), so the token path has to be part of it.
    token_url = accounts.rstrip("/")
    if not token_url.endswith(TOKEN_PATH):
        token_url += TOKEN_PATH
    environment = DataCenter.Environment(api.rstrip("/"), token_url, api.rstrip("/"), "sandbox")
    Initializer.initialize(
        user=UserSignature(args.email),
        environment=environment,
        token=OAuthToken(client_id=args.client_id, client_secret=args.client_secret,
                         refresh_token=args.refresh_token),
        store=FileStore(os.path.join(workdir, "sdk_tokens.csv")),
        sdk_config=SDKConfig(auto_refresh_fields=False, pick_list_validation=True),
        resource_path=workdir,
        logger=Logger.get_instance(Logger.Levels.INFO, os.path.join(workdir, "sdk.log")),
    )


def describe(response, expected: tuple) -> str | None:
    """None when the response holds an object of one of ``expected``; else why not."""
    from zcrmsdk.src.com.zoho.crm.api.record import APIException

    if response is None:
        return "the SDK returned no response (it swallowed an exception; see the SDK log)"
    obj = response.get_object()
    if isinstance(obj, APIException):
        return "HTTP %s %s: %s %s" % (response.get_status_code(), obj.get_code().get_value(),
                                      obj.get_message().get_value(), obj.get_details())
    if obj is None:
        ctype = response.get_headers().get("Content-Type")
        return "HTTP %s with no parsed body (Content-Type %r)" % (response.get_status_code(), ctype)
    if not isinstance(obj, expected):
        return "HTTP %s, unexpected %s" % (response.get_status_code(), type(obj).__name__)
    return None


def entry_errors(entries, success_type) -> list[str]:
    """Reasons for each data[] entry that is not a success."""
    out = []
    for n, entry in enumerate(entries or []):
        if not isinstance(entry, success_type):
            code = entry.get_code().get_value() if hasattr(entry, "get_code") else "?"
            msg = entry.get_message().get_value() if hasattr(entry, "get_message") else "?"
            details = entry.get_details() if hasattr(entry, "get_details") else None
            out.append("entry %d: %s %s %s" % (n, code, msg, details))
    return out


def run(args: argparse.Namespace) -> dict[str, str | None]:
    from zcrmsdk.src.com.zoho.crm.api import ParameterMap
    from zcrmsdk.src.com.zoho.crm.api.record import (
        ActionWrapper, BodyWrapper, GetMassUpdateStatusParam, GetRecordsParam, MassUpdate,
        MassUpdateActionWrapper, MassUpdateBodyWrapper, MassUpdateResponseWrapper,
        MassUpdateSuccessResponse, Record, RecordOperations, ResponseWrapper, SuccessResponse)
    from zcrmsdk.src.com.zoho.crm.api.util import Choice

    ops = RecordOperations()
    results: dict[str, str | None] = {}
    state: dict = {"ids": [], "job_id": None}

    def get_records():
        params = ParameterMap()
        params.add(GetRecordsParam.page, 1)
        params.add(GetRecordsParam.per_page, 5)
        params.add(GetRecordsParam.fields, args.name_field)
        params.add(GetRecordsParam.fields, "Owner")  # the SDK joins repeats: "Last_Name,Owner"
        response = ops.get_records(args.module, params)
        why = describe(response, (ResponseWrapper,))
        if why:
            return why
        records = response.get_object().get_data() or []
        ids = [r.get_id() for r in records]
        if len(records) < 2:
            return "only %d record(s) came back; need 2" % len(records)
        if not all(isinstance(i, int) for i in ids):
            return "record ids did not convert to int: %r" % ids
        state["ids"], state["last_name"] = ids[:2], records[0].get_key_value(args.name_field)
        return None

    def update_records():
        record = Record()
        record.set_id(state["ids"][0])
        record.add_key_value(args.name_field, "SDK-check %s" % (state["last_name"] or ""))
        body = BodyWrapper()
        body.set_data([record])
        body.set_trigger([])
        response = ops.update_records(args.module, body)
        why = describe(response, (ActionWrapper,))
        return why or "; ".join(entry_errors(response.get_object().get_data(), SuccessResponse)) or None

    def mass_update_records():
        record = Record()
        record.add_key_value(args.field, Choice(args.value))
        body = MassUpdateBodyWrapper()
        body.set_data([record])
        if args.cvid:
            body.set_cvid(args.cvid)  # a custom view: the server schedules a job
        else:
            body.set_ids(state["ids"])  # Python ints: the SDK sends them as JSON numbers
        response = ops.mass_update_records(args.module, body)
        why = describe(response, (MassUpdateActionWrapper,))
        if why:
            return why
        entries = response.get_object().get_data() or []
        for entry in entries:
            if isinstance(entry, MassUpdateSuccessResponse):
                state["job_id"] = (entry.get_details() or {}).get("job_id") or state["job_id"]
        return "; ".join(entry_errors(entries, MassUpdateSuccessResponse)) or None

    def get_mass_update_status():
        params = ParameterMap()
        params.add(GetMassUpdateStatusParam.job_id, str(state["job_id"]))
        response = ops.get_mass_update_status(args.module, params)
        why = describe(response, (MassUpdateResponseWrapper,))
        return why or "; ".join(entry_errors(response.get_object().get_data(), MassUpdate)) or None

    for name, op in (("get_records", get_records), ("update_records", update_records),
                     ("mass_update_records", mass_update_records),
                     ("get_mass_update_status", get_mass_update_status)):
        if name != "get_records" and not state["ids"]:
            results[name] = "skipped: get_records gave no usable records"
        elif name == "get_mass_update_status" and state["job_id"] is None:
            results[name] = "skipped: no job_id came back (ids are applied at once)"
        else:
            try:
                results[name] = op()
            except Exception as exc:  # SDKException, or whatever the SDK lets through
                results[name] = "%s: %s" % (type(exc).__name__, exc)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--api", required=True, help="API base, e.g. http://127.0.0.1:18999")
    parser.add_argument("--accounts", required=True, help="accounts base (or full token URL)")
    parser.add_argument("--module", default="Leads")
    parser.add_argument("--field", default="Lead_Status", help="picklist field to mass update")
    parser.add_argument("--value", default="Contacted", help="picklist value to set")
    parser.add_argument("--name-field", default="Last_Name", help="text field to read and update")
    parser.add_argument("--cvid", help="mass update a custom view (a background job) instead of two ids")
    parser.add_argument("--client-id", default="demo-client")
    parser.add_argument("--client-secret", default="demo-secret")
    parser.add_argument("--refresh-token", default="demo-refresh-token")
    parser.add_argument("--email", default="sdk-check@example.com", help="lower case: the SDK's regex")
    args = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="zcrm-sdk-check-")
    try:
        init_sdk(args.api, args.accounts, workdir, args)
    except Exception as exc:
        results = {"initialize": "%s: %s" % (type(exc).__name__, exc)}
    else:
        results = run(args)
    failed = False
    for op, why in results.items():
        if why is None:
            print("%s: worked" % op)
        elif why.startswith("skipped:"):
            print("%s: %s" % (op, why))
        else:
            failed = True
            print("%s: failed: %s" % (op, why))
    if failed:
        print("(SDK log and caches: %s)" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
