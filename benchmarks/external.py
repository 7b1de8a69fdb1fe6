"""Figures measured outside this harness, read from JSON files (or a command) so the report can show them.

- Driver throughput (the `carepay` CLI's population scenario): `benchmarks/driver_throughput.json`, or the
  file named by $CAREPAY_DRIVER_RESULTS, or the stdout of $CAREPAY_DRIVER_BENCH_CMD. Expected keys:
  `payments_per_second` (driver, population scenario, end to end on anvil), `naive_payments_per_second`
  (a one-transaction-at-a-time loop in the same run), and optionally `payments`, `runs`, `command`, `notes`.
- `make test` wall time: `benchmarks/make_test_time.json` ({"seconds": ..., "command": "make test", ...}),
  written by `python -m benchmarks.time_make_test`.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DRIVER_FILE = HERE / "driver_throughput.json"
MAKE_TEST_FILE = HERE / "make_test_time.json"


def _read(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        return {"error": f"{path.name} is not valid JSON ({error}); rewrite it or delete it"}


def driver_throughput() -> dict[str, Any] | None:
    command = os.environ.get("CAREPAY_DRIVER_BENCH_CMD")
    if command:
        done = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            return {"error": f"$CAREPAY_DRIVER_BENCH_CMD exited with {done.returncode}: {done.stderr[-500:]}"}
        try:
            found = json.loads(done.stdout.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            return {"error": "$CAREPAY_DRIVER_BENCH_CMD must print a JSON object on its last line"}
        return {**found, "source": f"$CAREPAY_DRIVER_BENCH_CMD ({command})"}
    path = Path(os.environ.get("CAREPAY_DRIVER_RESULTS", DRIVER_FILE))
    found = _read(path)
    if found is not None:
        found.setdefault("source", str(path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent) else path))
    return found


def make_test_time() -> dict[str, Any] | None:
    found = _read(MAKE_TEST_FILE)
    if found is not None:
        found.setdefault("source", f"benchmarks/{MAKE_TEST_FILE.name}")
    return found
