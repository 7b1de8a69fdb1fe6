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


def _numbers(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_numbers(v) for v in value.values())
    if isinstance(value, list):
        return sum(_numbers(v) for v in value)
    return int(isinstance(value, int) and not isinstance(value, bool))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m benchmarks.compare first.json second.json")
        return 2
    first, second = (json.load(open(p)) for p in argv)
    found = differences(first["gas"], second["gas"])
    for line in found:
        print(line)
    print("gas figures identical" if not found else f"{len(found)} gas figure(s) differ",
          f"({_numbers(first['gas'])} numbers compared)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
