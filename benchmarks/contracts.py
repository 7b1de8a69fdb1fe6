"""Contracts by ABI alone: calldata encoding, read calls and deployment, with eth_abi (no ape, no signing).

Encoding goes straight through eth_abi with precomputed selectors, because the growth setups encode tens of
thousands of calls and web3's contract objects cost ~1 ms each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from carepay import artifacts
from carepay.artifacts import canonical_type


@dataclass(frozen=True)
class Function:
    signature: str
    selector: bytes
    inputs: list[str]
    outputs: list[str]
    mutability: str


class Contract:
    """A deployed contract: `data(fn, *args)` is calldata, `call(node, fn, *args)` a read."""

    def __init__(self, name: str, address: str, abi: list[dict[str, Any]]):
        self.name = name
        self.address = to_checksum_address(address)
        self.functions: dict[str, Function] = {}
        self._by_name: dict[str, list[Function]] = {}
        for item in abi:
            if item.get("type") != "function":
                continue
            inputs = [canonical_type(i) for i in item["inputs"]]
            signature = f"{item['name']}({','.join(inputs)})"
            fn = Function(signature, function_signature_to_4byte_selector(signature), inputs,
                          [canonical_type(o) for o in item.get("outputs", [])], item["stateMutability"])
            self.functions[signature] = fn
            self._by_name.setdefault(item["name"], []).append(fn)

    def function(self, name_or_signature: str, arity: int | None = None) -> Function:
        if "(" in name_or_signature:
            return self.functions[name_or_signature]
        candidates = self._by_name.get(name_or_signature, [])
        if arity is not None:
            candidates = [f for f in candidates if len(f.inputs) == arity]
        if len(candidates) != 1:
            raise KeyError(f"{self.name}.{name_or_signature}: {len(candidates)} matches; give the full signature")
        return candidates[0]

    def data(self, fn: str, *args: Any) -> str:
        f = self.function(fn, len(args))
        return "0x" + (f.selector + abi_encode(f.inputs, list(args))).hex()

    def call(self, node: Any, fn: str, *args: Any, sender: str | None = None) -> Any:
        f = self.function(fn, len(args))
        tx = {"to": self.address, "data": self.data(f.signature, *args)}
        if sender:
            tx["from"] = sender
        raw = bytes.fromhex(node.call("eth_call", tx, "latest").removeprefix("0x"))
        values = abi_decode(f.outputs, raw)
        return values[0] if len(values) == 1 else values


def state_changing_functions(name: str) -> list[str]:
    """Signatures of every external non-view function of a compiled contract."""
    abi = artifacts.load(name).abi
    return sorted(
        f"{i['name']}({','.join(canonical_type(x) for x in i['inputs'])})"
        for i in abi
        if i.get("type") == "function" and i["stateMutability"] not in ("view", "pure")
    )


def constructor_inputs(abi: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for item in abi:
        if item.get("type") == "constructor":
            return item["inputs"]
    return []


def deploy_data(name: str, *args: Any) -> tuple[str, list[dict[str, Any]]]:
    """Creation code with encoded constructor arguments, and the ABI."""
    art = artifacts.load(name)
    types = [canonical_type(i) for i in constructor_inputs(art.abi)]
    return art.bytecode + abi_encode(types, list(args)).hex(), art.abi
