"""Fast calldata encoding and event-topic lookups from the project's ABIs (no web3 contract objects).

Encoding through web3's contract layer costs a lookup per call; the population scenario and the
benchmark's growth setups encode tens of thousands of calls, so each function's selector and argument
types are resolved once here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector, keccak

from carepay import artifacts
from carepay.artifacts import canonical_type


@dataclass(frozen=True)
class Function:
    name: str
    selector: bytes
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    signature: str
    mutability: str

    def encode(self, *args: Any) -> str:
        if len(args) != len(self.inputs):
            raise TypeError(f"{self.name} takes {len(self.inputs)} arguments, got {len(args)}")
        return "0x" + (self.selector + abi_encode(list(self.inputs), list(args))).hex()

    def decode_output(self, data: str | bytes) -> tuple:
        raw = bytes.fromhex(data[2:]) if isinstance(data, str) else data
        return tuple(abi_decode(list(self.outputs), raw))


class ContractAbi:
    def __init__(self, name: str):
        artifact = artifacts.load(name)
        self.name, self.abi, self.bytecode = name, artifact.abi, artifact.bytecode
        self.functions: dict[str, Function] = {}
        self.overloads: dict[str, list[Function]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        for item in self.abi:
            if item.get("type") == "function":
                types = tuple(canonical_type(i) for i in item["inputs"])
                signature = f"{item['name']}({','.join(types)})"
                fn = Function(
                    name=item["name"],
                    selector=function_signature_to_4byte_selector(signature),
                    inputs=types,
                    outputs=tuple(canonical_type(o) for o in item.get("outputs", [])),
                    signature=signature,
                    mutability=item["stateMutability"],
                )
                self.functions.setdefault(item["name"], fn)  # first of an overloaded name
                self.functions[signature] = fn
                self.overloads.setdefault(item["name"], []).append(fn)
            elif item.get("type") == "event":
                types = ",".join(canonical_type(i) for i in item["inputs"])
                self.events[item["name"]] = {**item, "topic": "0x" + keccak(text=f"{item['name']}({types})").hex()}
            elif item.get("type") == "constructor":
                self.constructor_inputs = tuple(canonical_type(i) for i in item["inputs"])
        if not hasattr(self, "constructor_inputs"):
            self.constructor_inputs = ()

    def fn(self, name: str) -> Function:
        try:
            return self.functions[name]
        except KeyError:
            raise AttributeError(f"{self.name} has no function {name}") from None

    def function(self, name_or_signature: str, arity: int | None = None) -> Function:
        """A full signature, or a name that is unique among the functions taking `arity` arguments (how
        overloads such as transferWithAuthorization(..., v, r, s) and (..., signature) are told apart)."""
        if "(" in name_or_signature:
            found = self.functions.get(name_or_signature)
            candidates = [found] if found else []
        else:
            candidates = self.overloads.get(name_or_signature, [])
        if arity is not None:
            candidates = [f for f in candidates if len(f.inputs) == arity]
        if len(candidates) != 1:
            raise KeyError(f"{self.name}.{name_or_signature}: {len(candidates)} matches; give the full signature")
        return candidates[0]

    def state_changing(self) -> list[str]:
        """Signatures of every external function that is not view or pure."""
        return sorted(f.signature for fns in self.overloads.values() for f in fns if f.mutability not in ("view", "pure"))

    def creation_code(self, *args: Any) -> str:
        return self.bytecode + abi_encode(list(self.constructor_inputs), list(args)).hex()

    def topic(self, event: str) -> str:
        return self.events[event]["topic"]

    def decode_event(self, event: str, log: dict[str, Any]) -> dict[str, Any]:
        """Decodes a raw log (JSON-RPC form) of `event` into {argument: value}."""
        item = self.events[event]
        topics = log["topics"][1:]
        indexed = [i for i in item["inputs"] if i.get("indexed")]
        plain = [i for i in item["inputs"] if not i.get("indexed")]
        values: dict[str, Any] = {}
        for spec, topic in zip(indexed, topics):
            raw = bytes.fromhex(topic[2:])
            values[spec["name"]] = abi_decode([canonical_type(spec)], raw)[0]
        data = log["data"]
        decoded = abi_decode([canonical_type(i) for i in plain], bytes.fromhex(data[2:])) if plain else ()
        for spec, value in zip(plain, decoded):
            values[spec["name"]] = value
        return values

    def find_events(self, event: str, logs: list[dict[str, Any]], address: str | None = None) -> list[dict[str, Any]]:
        topic = self.topic(event)
        return [
            self.decode_event(event, log)
            for log in logs
            if log["topics"] and log["topics"][0] == topic and (address is None or log["address"].lower() == address.lower())
        ]


@lru_cache(maxsize=None)
def contract_abi(name: str) -> ContractAbi:
    return ContractAbi(name)


def available(name: str) -> bool:
    """Whether the compiled contract `name` exists (e.g. FeeForService before its branch is merged)."""
    try:
        contract_abi(name)
        return True
    except artifacts.ArtifactsError:
        return False
