"""`python -m benchmarks [--growth N] [--no-throughput] [--out DIR]`: measures and writes results.json and
results.md (into benchmarks/ unless --out says otherwise)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.report import write_json, write_markdown
from benchmarks.run import run

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--growth", type=int, default=10_000, help="items of each kind in the large world (default 10000)")
    parser.add_argument("--no-throughput", action="store_true", help="skip the throughput measurement")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.json and results.md")
    args = parser.parse_args(argv)
    if args.growth < 2:
        parser.error("--growth must be at least 2 (the large world has more than the one item of the small one)")
    args.out.mkdir(parents=True, exist_ok=True)
    results = run(growth_size=args.growth, with_throughput=not args.no_throughput)
    write_json(results, args.out / "results.json")
    write_markdown(results, args.out / "results.md")
    missed = [t["operation"] for t in results["gas"]["targets"] if not t["met"]]
    print(f"wrote {args.out / 'results.json'} and {args.out / 'results.md'} in {results['timings']['bench_seconds']} s; "
          f"{len(missed)} gas target(s) missed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
