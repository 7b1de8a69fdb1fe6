"""Runs every test folder in its own `ape test` session, two at a time (`make test`, `make test-deep`).

Why not pytest-xdist: ape's chain isolation (a snapshot per fixture scope, and "rebasing" when a
session-scoped fixture first appears mid-module) assumes the order of one plain run. An xdist worker
that runs folders in another order - even whole folders, one after another - failed ~80 tests whose
session fixtures (same names, e.g. `token`, in different folders) were reverted under them. Each
folder alone is exactly how it is developed and run (`ape test tests/<folder>`), and folders do not
share fixtures, so separate sessions keep every test's meaning; two of them fill the machine's two cores.

Usage: python tools/run_tests.py [--jobs N] [-- extra ape test arguments, e.g. --hypothesis-profile deep]
Prints each folder's pytest output (progress, anything a test prints such as the gas tables, failures,
summary) as a block when the folder finishes, then the total; exits non-zero if any folder failed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
# Longest first (measured), so that the short folders fill in at the end; unlisted folders follow.
LONGEST_FIRST = ("system", "regulator", "escrow", "stream", "splits", "careusd")
# The venv's ape (next to the interpreter running this script), else the one on PATH.
APE = str(Path(sys.executable).parent / "ape") if (Path(sys.executable).parent / "ape").exists() else "ape"
PRINT_LOCK = threading.Lock()
COUNTS = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)")


def test_folders() -> list[str]:
    """Every folder under tests/ holding test files (at any depth), longest first; plus, if there are
    any, the test files directly in tests/ as one more session (given as `tests/test_*.py` paths)."""
    folders = sorted(p.name for p in TESTS.iterdir() if p.is_dir() and any(p.rglob("test_*.py")))
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    folders = sorted(folders, key=lambda name: rank.get(name, len(LONGEST_FIRST)))
    top_level = " ".join(sorted(p.name for p in TESTS.glob("test_*.py")))
    return folders + ([top_level] if top_level else [])


def run_folder(folder: str, extra: list[str]) -> tuple[str, int, str, float]:
    start = time.monotonic()
    paths = [f"tests/{name}" for name in folder.split()]
    command = [APE, "test", *paths, "-q", "-p", "no:cacheprovider", *extra]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    output = done.stdout + done.stderr
    elapsed = time.monotonic() - start
    with PRINT_LOCK:  # one folder's block at a time
        print(f"{'=' * 20} {' '.join(paths)} [{elapsed:.0f} s] {'=' * 20}\n{output.rstrip()}\n", flush=True)
    return folder, done.returncode, output, elapsed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="folders run at the same time (default 2)")
    parser.add_argument("extra", nargs="*", help="passed to every `ape test` (put them after --)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, not {args.jobs}")

    folders = test_folders()
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda folder: run_folder(folder, args.extra), folders))

    totals: dict[str, int] = {}
    failed = [(folder, output) for folder, code, output, _ in results if code != 0]
    for _, _, output, _ in results:
        summary = output.strip().splitlines()[-1] if output.strip() else ""
        for count, kind in COUNTS.findall(summary):
            kind = "errors" if kind.startswith("error") else kind
            totals[kind] = totals.get(kind, 0) + int(count)
    summary = ", ".join(f"{n} {kind}" for kind, n in totals.items()) or "no tests ran"
    print(f"{summary} in {time.monotonic() - start:.1f}s ({len(folders)} folders, {args.jobs} at a time)")
    if failed:
        print("failed folders: " + ", ".join(f"tests/{folder}" for folder, _ in failed))
    return 1 if failed or not totals.get("passed") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
