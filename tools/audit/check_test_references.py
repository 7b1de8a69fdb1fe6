"""Checks that every test named in SECURITY.md and INVARIANTS.md exists, so the threat model and the
invariants never point an auditor at a renamed or deleted test.

Usage: .venv/bin/python tools/audit/check_test_references.py [SECURITY.md INVARIANTS.md ...]
Recognises `tests/<path>.py::test_name` (`*` matches any part of a name) (a bare `::test_name` refers to the last file named before it),
`tests/<path>.py` and `foundry/<path>.sol::name`. Exit status 1 when a reference is missing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"((?:tests|foundry)/[\w/.]+\.(?:py|sol))?::([\w*]+)|`((?:tests|foundry)/[\w/.]+\.(?:py|sol))`")
PLACEHOLDERS = {"tests/x/test_y.py"}


def check(document: Path) -> tuple[int, list[str]]:
    text, last, count, missing = document.read_text(), None, 0, []
    for match in REFERENCE.finditer(text):
        path, name, bare = match.groups()
        if bare:
            last = bare
            if bare not in PLACEHOLDERS and not (ROOT / bare).exists():
                missing.append(bare)
            continue
        last = path or last
        if last is None or last in PLACEHOLDERS:
            continue
        count += 1
        source = ROOT / last
        if not source.exists():
            missing.append(last)
        elif not re.search(r"\b(def|function) " + re.escape(name).replace(r"\*", r"\w*") + r"\(", source.read_text()):
            missing.append(f"{last}::{name}")
    return count, missing


def main(argv: list[str]) -> int:
    documents = [ROOT / name for name in (argv[1:] or ["SECURITY.md", "INVARIANTS.md"])]
    failed = False
    for document in documents:
        count, missing = check(document)
        print(f"{document.name}: {count} test references, {len(missing)} missing")
        for reference in missing:
            print(f"  missing: {reference}")
        failed = failed or bool(missing)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
