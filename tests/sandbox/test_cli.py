"""The command line: ``python -m gui.sandbox`` and the ``zcrm-sandbox`` console script
print the real address, serve, and stop cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .helpers import Api

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_SCRIPT = Path(sys.executable).parent / "zcrm-sandbox"
LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))")


def start(cmd: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_address(proc: subprocess.Popen, timeout: float = 20.0) -> str:
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    seen = []
    try:
        while time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            match = LISTENING.search(line)
            if match:
                assert int(match.group(2)) > 0
                return match.group(1)
    finally:
        selector.close()
    proc.kill()
    raise AssertionError(f"no 'listening on' line; stdout={seen!r} stderr={proc.stderr.read()!r}")


@pytest.mark.parametrize("launcher", ["module", "console_script"])
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_cli_serves_and_stops(launcher, stop_signal):
    if launcher == "module":
        cmd = [sys.executable, "-m", "gui.sandbox"]
    else:
        assert CONSOLE_SCRIPT.exists() and os.access(CONSOLE_SCRIPT, os.X_OK)
        cmd = [str(CONSOLE_SCRIPT)]
    proc = start(cmd + ["--port", "0", "--records", "5"])
    try:
        base = wait_for_address(proc)
        api = Api(base)  # token through the real token endpoint of the child
        reply = api.get("/Leads", per_page=200)
        assert reply.status_code == 200
        assert len(reply.json()["data"]) == 5
        api.session.close()
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err
    with pytest.raises(requests.ConnectionError):
        requests.get(base + "/", timeout=2)


def test_cli_rejects_bad_options():
    done = subprocess.run([sys.executable, "-m", "gui.sandbox", "--port", "0", "--records", "-1"], cwd=ROOT,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "--records" in done.stderr


def test_cli_help_lists_the_options():
    done = subprocess.run([str(CONSOLE_SCRIPT), "--help"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    for option in ("--port", "--host", "--seed", "--records", "--data", "--latency-ms", "--max-concurrency",
                   "--token-ttl", "--credits", "--log", "--client-id", "--client-secret", "--refresh-token"):
        assert option in done.stdout, option


def test_cli_data_and_log_files(tmp_path):
    data, log = tmp_path / "org.json", tmp_path / "log.jsonl"
    proc = start([sys.executable, "-m", "gui.sandbox", "--port", "0", "--records", "5",
                  "--data", str(data), "--log", str(log)])
    try:
        base = wait_for_address(proc)
        api = Api(base)
        lead = api.editable("Leads")[0]
        assert api.put("/Leads", {"data": [{"id": lead["id"], "City": "Clitown"}]}).status_code == 200
        api.session.close()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert json.loads(data.read_text(encoding="utf-8"))  # valid JSON, saved on SIGTERM
    assert "Clitown" in data.read_text(encoding="utf-8")
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [e["method"] for e in entries][:2] == ["POST", "GET"]
    assert api.token not in log.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.jsonl", "org.json"]
