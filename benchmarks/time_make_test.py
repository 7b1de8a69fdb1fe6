"""Times `make test` (after installation: a first `make install` is not timed) and writes
benchmarks/make_test_time.json for the report. Run: python -m benchmarks.time_make_test [runs]."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone

from benchmarks.external import MAKE_TEST_FILE
from carepay.paths import ROOT


def main(runs: int = 1) -> None:
    subprocess.run(["make", "install"], cwd=ROOT, check=True)
    times, outcome = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(["make", "test"], cwd=ROOT, capture_output=True, text=True)
        times.append(round(time.perf_counter() - start, 1))
        lines = [line for line in done.stdout.splitlines() if " passed" in line or " failed" in line]
        outcome = lines[-1].strip("= ") if lines else f"exit code {done.returncode}"
    MAKE_TEST_FILE.write_text(json.dumps({
        "seconds": statistics.median(times), "runs": times, "command": "make test", "outcome": outcome,
        "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")}, indent=2) + "\n")
    print(f"make test: median {statistics.median(times)} s over {runs} run(s); {outcome}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
