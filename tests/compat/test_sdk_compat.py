"""Zoho's own Python SDK (zohocrmsdk2-1 3.0.0) against the sandbox, over real HTTP.

The SDK lives in a separate virtual environment (it pins old dependencies); point
``ZCRM_SDK_PYTHON`` at that environment's python. ``.ci/run`` sets it up.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui.sandbox import SandboxServer

SDK_PYTHON = os.environ.get("ZCRM_SDK_PYTHON")
SCRIPT = Path(__file__).with_name("sdk_check.py")

pytestmark = pytest.mark.skipif(not SDK_PYTHON, reason="ZCRM_SDK_PYTHON is not set (see .ci/run)")

CASES = [
    ("Leads", "Last_Name", "Lead_Status", "Contacted"),
    ("Contacts", "Last_Name", "Lead_Source", "Advertisement"),
    ("Accounts", "Account_Name", "Rating", "Active"),
    ("Deals", "Deal_Name", "Stage", "Closed Won"),
]


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(records=40, port=0) as server:
        yield server


def run_check(sandbox: SandboxServer, *extra: str) -> str:
    cmd = [str(SDK_PYTHON), str(SCRIPT), "--api", sandbox.api_url, "--accounts", sandbox.accounts_url, *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=SCRIPT.parent)
    sys.stdout.write(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize("module,name_field,field,value", CASES)
def test_sdk_reads_updates_and_mass_updates(sandbox, module, name_field, field, value):
    out = run_check(sandbox, "--module", module, "--name-field", name_field, "--field", field, "--value", value)
    for op in ("get_records", "update_records", "mass_update_records"):
        assert f"{op}: worked" in out


def test_sdk_mass_update_by_view_reports_job_status(sandbox):
    all_leads_view = str(int("5725767000000002175") + 10_001)
    out = run_check(sandbox, "--module", "Leads", "--cvid", all_leads_view)
    assert "mass_update_records: worked" in out
    assert "get_mass_update_status: worked" in out
