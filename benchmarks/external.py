"""Figures measured outside this harness, read from JSON files (or a command) so the report can show them.

- Driver throughput (the `carepay` CLI's population scenario): `benchmarks/driver_throughput.json`, or the
  file named by $CAREPAY_DRIVER_RESULTS, or the stdout of $CAREPAY_DRIVER_BENCH_CMD, e.g.
  `CAREPAY_DRIVER_BENCH_CMD="carepay scenario run population --json --new" make bench`. Either the driver's own
  `--json` output (its "payments" object with "batch" and "naive" entries, each with payments_per_second), or
  flat keys: `payments_per_second` (driver, end to end on anvil) and `naive_payments_per_second` (the naive
  one-transaction-at-a-time loop of the same run), optionally `payments`, `runs`, `command`, `notes`.
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
        found = _parse(done.stdout)
        if found is None:
            return {"error": "$CAREPAY_DRIVER_BENCH_CMD must print a JSON object (all of stdout, or its last line)"}
        return {**_normalized(found), "source": f"$CAREPAY_DRIVER_BENCH_CMD ({command})"}
    path = Path(os.environ.get("CAREPAY_DRIVER_RESULTS", DRIVER_FILE))
    found = _read(path)
    if found is not None:
        found = _normalized(found)
        found.setdefault("source", str(path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent) else path))
    return found


def _parse(text: str) -> dict[str, Any] | None:
    for candidate in (text.strip(), (text.strip().splitlines() or [""])[-1]):
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _normalized(found: dict[str, Any]) -> dict[str, Any]:
    """The driver's `--json` shape ({"payments": {"batch": {...}, "naive": {...}}}) to the flat keys."""
    payments = found.get("payments")
    if isinstance(payments, dict) and "payments_per_second" not in found:
        batch, naive = payments.get("batch") or {}, payments.get("naive") or {}
        if "payments_per_second" in batch:
            found = {**found, "payments_per_second": batch["payments_per_second"],
                     "naive_payments_per_second": naive.get("payments_per_second"),
                     "payments": batch.get("payments"), "naive_payments": naive.get("payments")}
    return found


def make_test_time() -> dict[str, Any] | None:
    found = _read(MAKE_TEST_FILE)
    if found is not None:
        found.setdefault("source", f"benchmarks/{MAKE_TEST_FILE.name}")
    return found
