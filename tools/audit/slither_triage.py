"""Checks Slither's findings: fails on any High or Medium one and on any untriaged Low or Informational one.

Usage (make audit runs it):
    .venv/bin/python tools/audit/slither_triage.py audit/out/slither.json [--triage audit/slither-triage.json]

A finding is identified by its detector and its owner: `Contract.function` for findings about a function
or a statement in it, `Contract.function.variable` for a local variable, `Contract.name` for a state
variable or a declaration. Owners survive line moves and rewording inside a function, so the gas work on
other branches does not invalidate the triage; a finding in a new function, or a new detector in an old
one, does, and must be triaged by a person (one line of justification each).

High and Medium findings cannot be triaged away: each is fixed in the code or, where the code is right,
suppressed at its line with `// slither-disable-next-line <detector>` under a comment saying why it is
safe (Slither's per-line suppression, reviewed with the code). The triage file holds Low and
Informational findings only.

Exit status: 0 when there is no High or Medium finding, every other finding is triaged and no triage
entry says "bug"; 1 otherwise. Prints counts
per severity (raw, triaged, untriaged) and, for each untriaged finding, a ready-to-edit triage entry.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEVERITIES = ("High", "Medium", "Low", "Informational", "Optimization")
VERDICTS = ("false-positive", "by-design", "accepted-risk", "bug")
BLOCKING = ("High", "Medium")  # never accepted from the triage file: fix or suppress at the line


def owner_of(element: dict) -> str:
    """`Contract.function`, `Contract.function.variable` or `Contract.name` for a Slither result element."""
    parent = element.get("type_specific_fields", {}).get("parent", {})
    if element["type"] == "variable" and parent.get("type") == "function":
        contract = parent.get("type_specific_fields", {}).get("parent", {}).get("name")
        return f"{contract}.{parent.get('name')}.{element['name']}"
    if element["type"] == "node":
        function = parent
        contract = function.get("type_specific_fields", {}).get("parent", {}).get("name")
        return f"{contract}.{function.get('name')}"
    return f"{parent.get('name')}.{element['name']}"


def load_findings(report: Path) -> list[dict]:
    data = json.loads(report.read_text())
    if not data.get("success", False):
        raise SystemExit(f"slither did not succeed: {data.get('error')}; run `make slither` and read its output")
    return [
        {
            "check": r["check"],
            "impact": r["impact"],
            "owner": owner_of(r["elements"][0]),
            "description": r["description"].strip().splitlines()[0],
        }
        for r in data.get("results", {}).get("detectors", [])
    ]


def load_triage(path: Path) -> dict[tuple[str, str], dict]:
    entries = json.loads(path.read_text())["triage"]
    table: dict[tuple[str, str], dict] = {}
    for entry in entries:
        if entry["verdict"] not in VERDICTS:
            raise SystemExit(f"{path}: verdict {entry['verdict']!r} is not one of {VERDICTS}")
        if not entry.get("justification", "").strip():
            raise SystemExit(f"{path}: {entry['check']} needs a one-line justification")
        if entry.get("impact") in BLOCKING:
            raise SystemExit(f"{path}: {entry['check']} is {entry['impact']}; High and Medium findings are fixed or "
                             "suppressed at their line with a justification, not triaged here")
        for target in entry["targets"]:
            table[(entry["check"], target)] = entry
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="slither --json output")
    parser.add_argument("--triage", type=Path, default=ROOT / "audit" / "slither-triage.json")
    args = parser.parse_args(argv)

    findings = load_findings(args.report)
    triage = load_triage(args.triage)
    raw, triaged, open_, bugs = Counter(), Counter(), Counter(), []
    untriaged = []
    used = set()
    blocking = []
    for finding in findings:
        key = (finding["check"], finding["owner"])
        raw[finding["impact"]] += 1
        if finding["impact"] in BLOCKING:
            open_[finding["impact"]] += 1
            blocking.append(finding)
            continue
        entry = triage.get(key)
        if entry is None:
            open_[finding["impact"]] += 1
            untriaged.append(finding)
            continue
        used.add(key)
        triaged[finding["impact"]] += 1
        if entry["verdict"] == "bug":
            bugs.append(finding)

    print("Slither findings on contracts/ (mocks and test helpers excluded)")
    print(f"  {'severity':<14}{'found':>7}{'triaged':>9}{'untriaged':>11}")
    for severity in SEVERITIES:
        if raw[severity] or severity in ("High", "Medium", "Low", "Informational"):
            print(f"  {severity:<14}{raw[severity]:>7}{triaged[severity]:>9}{open_[severity]:>11}")
    stale = sorted(set(triage) - used)
    if stale:
        print(f"  note: {len(stale)} triage target(s) no longer reported (fixed or renamed): "
              + ", ".join(f"{c}:{o}" for c, o in stale))
    for finding in untriaged:
        print(f"\nUNTRIAGED {finding['impact']} {finding['check']} at {finding['owner']}\n  {finding['description']}")
        print('  add to audit/slither-triage.json: {"check": "%s", "targets": ["%s"], "impact": "%s", '
              '"verdict": "false-positive|by-design|accepted-risk|bug", "justification": "..."}'
              % (finding["check"], finding["owner"], finding["impact"]))
    for finding in bugs:
        print(f"\nOPEN BUG {finding['impact']} {finding['check']} at {finding['owner']}")
    for finding in blocking:
        print(f"\n{finding['impact'].upper()} {finding['check']} at {finding['owner']}\n  {finding['description']}")
        print("  fix it, or if the code is right add above the line: a comment saying why it is safe, then "
              f"`// slither-disable-next-line {finding['check']}`")
    if blocking or untriaged or bugs:
        print(f"\nslither triage: FAILED ({len(blocking)} high or medium, {len(untriaged)} untriaged, "
              f"{len(bugs)} open bugs)")
        return 1
    print("slither triage: OK (0 high or medium; every low and informational finding triaged)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
