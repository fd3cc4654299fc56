"""Running ``--self-test`` in a child process and reading its lines."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LINE = re.compile(r"^(ok|warn|FAIL)\s+([^:]+): (.*)$")
CHECK_NAMES = ["Qt platform plugin", "application icon", "keyring", "folders", "embedded sandbox",
               "SSL certificates"]


@dataclass
class SelfTestRun:
    returncode: int
    stdout: str
    stderr: str
    header: str
    checks: dict[str, tuple[str, str]]  # name -> (status, detail), in printed order
    summary: str


def headless_env(home: Path, **extra: str) -> dict[str, str]:
    """The current environment without a display, on Qt's offscreen platform, with ``home``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="offscreen", ZCRM_EDITOR_HOME=str(home))
    env.update(extra)
    return env


def run_self_test(command: Sequence[str], env: Mapping[str, str], timeout: float = 60) -> SelfTestRun:
    done = subprocess.run([*command, "--self-test"], capture_output=True, text=True, timeout=timeout,
                          env=dict(env))
    lines = done.stdout.splitlines()
    checks = {}
    for line in lines[1:-1]:
        match = LINE.match(line)
        assert match, f"not a check line: {line!r}\n{done.stdout}\n{done.stderr}"
        checks[match.group(2)] = (match.group(1), match.group(3))
    return SelfTestRun(done.returncode, done.stdout, done.stderr, lines[0] if lines else "", checks,
                       lines[-1] if lines else "")
