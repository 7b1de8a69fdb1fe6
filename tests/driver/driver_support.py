"""Helpers of the driver tests (a module with a unique name: every test folder has its own conftest)."""

from __future__ import annotations

import os
import subprocess
import sys

from carepay.paths import ROOT, tool_env


def run_module(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m carepay ...` in a subprocess (for exit codes and crashes)."""
    return subprocess.run([sys.executable, "-m", "carepay", *args], cwd=ROOT, env=tool_env({**os.environ, **(env or {})}),
                          capture_output=True, text=True, timeout=300)
