"""Maps 4-byte error selectors to custom-error signatures, from forge's build output (out/).

Used by the audit summary to name the refusals the invariant run provoked; also runnable by hand:
    .venv/bin/python tools/audit/error_names.py 0x593eb483 0xcb61d110
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eth_utils import keccak

ROOT = Path(__file__).resolve().parents[2]


def _type_of(param: dict) -> str:
    kind = param["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_type_of(c) for c in param["components"]) + ")" + kind[len("tuple"):]
    return kind


def error_names(out_dir: Path = ROOT / "out") -> dict[str, str]:
    """Selector ("0x1234abcd") -> "Name(type,...)" for every error in every compiled artifact."""
    names: dict[str, str] = {"0x00000000": "revert without data"}
    for artifact in out_dir.glob("*/*.json"):
        try:
            abi = json.loads(artifact.read_text()).get("abi", [])
        except (json.JSONDecodeError, OSError):
            continue
        for entry in abi:
            if entry.get("type") != "error":
                continue
            signature = f"{entry['name']}({','.join(_type_of(p) for p in entry['inputs'])})"
            names["0x" + keccak(text=signature)[:4].hex()] = signature
    names.setdefault("0x4e487b71", "Panic(uint256)")
    names.setdefault("0x08c379a0", "Error(string)")
    return names


if __name__ == "__main__":
    table = error_names()
    for selector in sys.argv[1:]:
        selector = selector if selector.startswith("0x") else "0x" + selector
        print(selector, table.get(selector.lower(), "unknown"))
