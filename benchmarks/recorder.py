"""Collects measured transactions as rows: which function, which case, its gas, and what the gas pays for."""

from __future__ import annotations

from typing import Any

from benchmarks.chain import Gas
from benchmarks.contracts import Contract
from benchmarks.world import World


class Recorder:
    def __init__(self, world: World, section: str):
        self.world = world
        self.section = section
        self.rows: list[dict[str, Any]] = []
        self._keys: set[str] = set()

    def measure(self, key: str, sender: str, contract: Contract, fn: str, *args: Any, case: str, includes: str,
                at: int | None = None) -> Gas:
        """Sends `contract.fn(*args)` from `sender` alone in a block and records its gas under `key`."""
        if key in self._keys:
            raise ValueError(f"duplicate benchmark key {key!r}")
        gas = self.world.chain.transact(sender, contract, fn, *args, at=at)
        self._keys.add(key)
        self.rows.append({"key": key, "contract": contract.name, "function": contract.function(fn, len(args)).signature,
                          "case": case, **gas.as_dict(), "includes": includes})
        return gas

    def gas(self, key: str) -> int:
        return self.row(key)["gas"]

    def row(self, key: str) -> dict[str, Any]:
        for row in self.rows:
            if row["key"] == key:
                return row
        raise KeyError(key)
