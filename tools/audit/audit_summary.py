"""The one-screen summary at the end of `make audit`: invariants checked, calls made, Slither findings by
severity, coverage. Reads what the audit steps wrote to out/audit/ (see the Makefile's audit targets).

Usage: .venv/bin/python tools/audit/audit_summary.py out/audit
Exit status 1 when the invariant run failed, Slither reported a High or Medium or an untriaged finding, or a step's output is missing.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "audit"))

from slither_triage import BLOCKING, load_findings, load_triage  # noqa: E402

INVARIANT_SOURCE = ROOT / "foundry" / "invariant" / "CarePayInvariants.t.sol"


def invariant_lines(out: Path) -> tuple[list[str], bool]:
    log = out / "invariants.log"
    if not log.exists():
        return ["invariants: no log (run `make audit-invariants`)"], False
    text = log.read_text()
    sentences = re.findall(r"function (check_\w+)\(\)", INVARIANT_SOURCE.read_text())
    results = re.findall(r"\[(PASS|FAIL)[^\]]*\] (\w+)\(\) \(runs: (\d+), calls: (\d+), reverts: (\d+)\)", text)
    failures = re.findall(r"\[FAIL: ([^\]]*)\] (\w+)", text)
    seconds = ""
    start, end = out / "invariants.start", out / "invariants.end"
    if start.exists() and end.exists():
        seconds = f" in {int(end.read_text()) - int(start.read_text())} s wall time (compile included)"
    lines = []
    ok = bool(results) and not failures
    for status, name, runs, calls, reverts in results:
        lines.append(f"invariants: {status} {name}: {len(sentences)} sentences of INVARIANTS.md (X1-X7) checked; "
                     f"{int(runs):,} runs, {int(calls):,} calls, {reverts} handler reverts{seconds}")
    for reason, name in failures:
        lines.append(f"invariants: FAIL {name}: {reason}")
    if not results and not failures:
        lines.append("invariants: no result found in the log")
    lines.append("  sentences: " + ", ".join(s.removeprefix("check_") for s in sentences))
    unit_passed = len(re.findall(r"^\[PASS\] test_", text, re.M))
    unit_failed = len(re.findall(r"^\[FAIL[^\]]*\] test_", text, re.M))
    lines.append(f"  bad-input unit tests (foundry/unit): {unit_passed} passed, {unit_failed} failed")
    ok = ok and unit_failed == 0
    lines.extend(campaign_lines(text))
    lines.extend(last_run_lines(text))
    return lines, ok


def campaign_lines(text: str) -> list[str]:
    """How deep the whole campaign went (RunSummary's last print): per run, calls that succeeded, were refused or
    found nothing to do (or only moved time), and the distinct custom errors provoked over all runs."""
    head = re.findall(r"^  summary (\d+) runs: per run ([\d.]+) calls, ([\d.]+) succeeded, ([\d.]+) refused, "
                      r"([\d.]+) no item or time only$", text, re.M)
    if not head:
        return []
    runs, calls, succeeded, refused, idle = head[-1]
    distinct = re.findall(r"^  summary distinct errors (\d+)$", text, re.M)
    share = 100 * float(succeeded) / float(calls) if float(calls) else 0.0
    return [f"  campaign depth: {runs} runs; per run {calls} calls: {succeeded} succeeded ({share:.0f}%), "
            f"{refused} refused, {idle} found no item or only moved time; "
            f"{distinct[-1] if distinct else '?'} distinct custom errors over the campaign"]


def last_run_lines(text: str) -> list[str]:
    """What the last run reached (afterInvariant's logs) and which custom errors the handlers provoked."""
    logs = dict(re.findall(r"^  (streams|episodes|successful calls|reservations|period) (\d+)$", text, re.M))
    events = re.findall(r"^  event (.+) (\d+)$", text, re.M)
    refusals = re.findall(r"^  refused (0x[0-9a-f]{8}) (\d+)$", text, re.M)
    if not logs:
        return []
    lines = [f"  last run reached: {logs.get('streams')} streams, {logs.get('episodes')} episodes, "
             f"{logs.get('reservations')} reservations over {int(logs.get('period', 0)) + 1} budget periods, "
             f"{logs.get('successful calls')} successful calls; " + ", ".join(f"{n} x{c}" for n, c in events)]
    if refusals:
        try:
            from error_names import error_names

            names = error_names()
        except Exception:  # the names are a convenience; the selectors are still shown
            names = {}
        top = sorted(refusals, key=lambda r: -int(r[1]))
        named = [f"{names.get(sel, sel).split('(')[0]} x{count}" for sel, count in top[:8]]
        more = f" and {len(top) - 8} more" if len(top) > 8 else ""
        lines.append(f"  refusals provoked in that run ({len(refusals)} distinct custom errors): "
                     + ", ".join(named) + more)
    return lines


def slither_lines(out: Path) -> tuple[list[str], bool]:
    report = out / "slither.json"
    if not report.exists():
        return ["slither: no report (run `make slither`)"], False
    findings = load_findings(report)
    triage = load_triage(ROOT / "audit" / "slither-triage.json")
    counts: dict[str, list[int]] = {}
    for finding in findings:
        entry = triage.get((finding["check"], finding["owner"]))
        row = counts.setdefault(finding["impact"], [0, 0])
        row[0] += 1
        # A High or Medium finding is never triaged away (tools/audit/slither_triage.py).
        row[1] += 0 if entry is not None and finding["impact"] not in BLOCKING else 1
    order = ["High", "Medium", "Low", "Informational", "Optimization"]
    parts = [f"{sev} {counts[sev][0]} ({counts[sev][1]} untriaged)" for sev in order if sev in counts]
    untriaged = sum(row[1] for row in counts.values())
    verdict = "OK" if untriaged == 0 else "FAILED"
    return [f"slither: {verdict}: {len(findings)} findings, " + ", ".join(parts),
            "  0 high or medium; every other finding triaged with a one-line justification in audit/slither-triage.json"
            if untriaged == 0 else "  untriaged findings: see audit/out/slither-triage.txt"], untriaged == 0


def coverage_lines(out: Path) -> tuple[list[str], bool]:
    report = out / "coverage.txt"
    if not report.exists():
        return ["coverage: no report (run `make coverage`)"], False
    text = report.read_text()
    total = re.search(r"TOTAL\s+(\S+ \(\d+/\d+\))\s+(\S+ \(\d+/\d+\))\s+(\S+ \(\d+/\d+\))", text)
    uncovered = re.search(r"uncovered: (.*)", text)
    if not total:
        return ["coverage: no total in the report"], False
    return [f"coverage of contracts/ (Foundry suite): lines {total.group(1)}, branches {total.group(2)}, "
            f"functions {total.group(3)}",
            f"  {uncovered.group(1) if uncovered else ''}; list with reasons: audit/coverage-uncovered.md"], True


def reference_lines(out: Path) -> tuple[list[str], bool]:
    report = out / "references.txt"
    if not report.exists():
        return ["test references: not checked (run tools/audit/check_test_references.py)"], False
    text = report.read_text().strip().splitlines()
    ok = all(" 0 missing" in line for line in text if line.endswith("missing"))
    return ["test references in the docs: " + "; ".join(line for line in text if line.endswith("missing"))], ok


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "audit" / "out"
    print("=" * 100)
    print("CarePay audit summary")
    ok = True
    for section in (invariant_lines, slither_lines, coverage_lines, reference_lines):
        lines, passed = section(out)
        ok = ok and passed
        for line in lines:
            print(line)
    print("Python suite (make test): tests/system/test_suite_state_machine.py checks the same X1-X7 sentences.")
    print("result: " + ("OK" if ok else "FAILED"))
    print("=" * 100)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
