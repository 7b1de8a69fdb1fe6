"""Checks that two results.json files have the same gas figures (times may differ).
Usage: python -m benchmarks.compare first.json second.json  (exit 1 and the differing paths if not)."""

from __future__ import annotations

import json
import sys
from typing import Any


def differences(a: Any, b: Any, path: str = "gas") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        found = [f"{path}.{k}: only in one file" for k in sorted(set(a) ^ set(b))]
        for k in sorted(set(a) & set(b)):
            found += differences(a[k], b[k], f"{path}.{k}")
        return found
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} versus {len(b)} entries"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m benchmarks.compare first.json second.json")
        return 2
    first, second = (json.load(open(p)) for p in argv)
    found = differences(first["gas"], second["gas"])
    for line in found:
        print(line)
    count = sum(1 for _ in json.dumps(first["gas"]).split('"gas"'))
    print("gas figures identical" if not found else f"{len(found)} gas figure(s) differ", f"({count - 1} gas fields)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
