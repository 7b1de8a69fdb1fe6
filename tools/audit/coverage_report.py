"""Coverage of contracts/ from forge's lcov report: a table per file, and every uncovered line and branch
listed with its function and the reason it is not covered by the Foundry suite.

Usage (make audit runs it):
    .venv/bin/python tools/audit/coverage_report.py audit/out/lcov.info \
        [--reasons audit/coverage-reasons.json] [--write audit/coverage-uncovered.md]

Reasons are kept per function (`Contract.function`) in audit/coverage-reasons.json, because the Foundry
suite measures only what the invariant handlers drive; most remaining lines are revert paths and admin
functions proven by the Python suite (tests/...), which forge cannot measure. A function with uncovered
lines and no recorded reason is reported as "unexplained" (the summary shows the count).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class FileCoverage:
    path: str
    functions: list[tuple[int, str]] = field(default_factory=list)  # (first line, Contract.function)
    lines: dict[int, int] = field(default_factory=dict)  # line -> hits
    branches: list[tuple[int, str, int]] = field(default_factory=list)  # (line, block.branch, hits)
    functions_hit: dict[str, int] = field(default_factory=dict)

    def function_at(self, line: int) -> str:
        name = "(file scope)"
        for start, function in sorted(self.functions):
            if start <= line:
                name = function
        return name


def parse_lcov(path: Path) -> list[FileCoverage]:
    files: list[FileCoverage] = []
    current: FileCoverage | None = None
    for raw in path.read_text().splitlines():
        tag, _, value = raw.partition(":")
        if tag == "SF":
            current = FileCoverage(value)
            files.append(current)
        elif current is None:
            continue
        elif tag == "FN":
            start, name = value.split(",", 1)
            current.functions.append((int(start), name))
        elif tag == "FNDA":
            hits, name = value.split(",", 1)
            current.functions_hit[name] = int(hits)
        elif tag == "DA":
            line, hits = value.split(",")[:2]
            current.lines[int(line)] = int(hits)
        elif tag == "BRDA":
            line, block, branch, hits = value.split(",")
            current.branches.append((int(line), f"{block}.{branch}", 0 if hits == "-" else int(hits)))
    return [f for f in files if f.path.startswith("contracts/")]


def percent(hit: int, total: int) -> str:
    return f"{100 * hit / total:6.2f}% ({hit}/{total})" if total else "   n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lcov", type=Path)
    parser.add_argument("--reasons", type=Path, default=ROOT / "audit" / "coverage-reasons.json")
    parser.add_argument("--write", type=Path, default=None, help="write the uncovered list (markdown) here")
    args = parser.parse_args(argv)

    files = parse_lcov(args.lcov)
    reasons = json.loads(args.reasons.read_text())["reasons"] if args.reasons.exists() else {}
    totals = [0, 0, 0, 0, 0, 0]
    print(f"Coverage of contracts/ by the Foundry suite ({args.lcov})")
    print(f"  {'file':<40}{'lines':>22}{'branches':>22}{'functions':>22}")
    rows, unexplained = [], set()
    for f in files:
        lines_hit = sum(1 for h in f.lines.values() if h > 0)
        branches_hit = sum(1 for _, _, h in f.branches if h > 0)
        functions_hit = sum(1 for h in f.functions_hit.values() if h > 0)
        counts = (lines_hit, len(f.lines), branches_hit, len(f.branches), functions_hit, len(f.functions_hit))
        totals = [t + c for t, c in zip(totals, counts)]
        print(f"  {f.path:<40}{percent(*counts[0:2]):>22}{percent(*counts[2:4]):>22}{percent(*counts[4:6]):>22}")
        for line, hits in sorted(f.lines.items()):
            if hits == 0:
                rows.append((f.path, line, "line", f.function_at(line)))
        for line, branch, hits in f.branches:
            if hits == 0:
                rows.append((f.path, line, f"branch {branch}", f.function_at(line)))
    print(f"  {'TOTAL':<40}{percent(*totals[0:2]):>22}{percent(*totals[2:4]):>22}{percent(*totals[4:6]):>22}")
    def reason_for(function: str) -> str | None:
        # Exact names first, then patterns such as "CareUSD.*" (first match in file order).
        if function in reasons:
            return reasons[function]
        for pattern, reason in reasons.items():
            if fnmatch.fnmatchcase(function, pattern):
                return reason
        return None

    for _, _, _, function in rows:
        if reason_for(function) is None:
            unexplained.add(function)
    explained = len({r[3] for r in rows}) - len(unexplained)
    print(f"  uncovered: {sum(1 for r in rows if r[2] == 'line')} lines and "
          f"{sum(1 for r in rows if r[2] != 'line')} branches in {len({r[3] for r in rows})} functions; "
          f"reasons recorded for {explained}, unexplained {len(unexplained)}")
    if unexplained:
        print("  unexplained: " + ", ".join(sorted(unexplained)))

    if args.write:
        out = [
            "# Uncovered lines and branches of contracts/ (Foundry suite)",
            "",
            "Generated by `tools/audit/coverage_report.py` from `forge coverage` (run by `make audit`); the",
            "reasons come from `audit/coverage-reasons.json`, one per function. The Foundry suite measures only what",
            "its invariant handlers drive; the Python suite (ape on anvil) proves the rest but cannot be measured by",
            "forge. Totals: lines " + percent(*totals[0:2]).strip() + ", branches " + percent(*totals[2:4]).strip()
            + ", functions " + percent(*totals[4:6]).strip() + ".",
            "",
            "| file | function | uncovered | reason |",
            "|---|---|---|---|",
        ]
        grouped: dict[tuple[str, str], list[str]] = {}
        for path, line, kind, function in rows:
            grouped.setdefault((path, function), []).append(f"{line}" if kind == "line" else f"{line} ({kind})")
        for (path, function), where in sorted(grouped.items()):
            reason = reason_for(function) or "UNEXPLAINED: add a reason to audit/coverage-reasons.json"
            out.append(f"| {path} | `{function}` | {', '.join(where)} | {reason} |")
        args.write.write_text("\n".join(out) + "\n")
        print(f"  uncovered list written to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
