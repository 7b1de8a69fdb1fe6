"""Fast calldata encoding and event-topic lookups from the project's ABIs (no web3 contract objects).

Encoding through web3's contract layer costs a lookup per call; the population scenario encodes
thousands of calls, so each function's selector and argument types are resolved once here.
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
        self.events: dict[str, dict[str, Any]] = {}
        for item in self.abi:
            if item.get("type") == "function":
                types = tuple(canonical_type(i) for i in item["inputs"])
                fn = Function(
                    name=item["name"],
                    selector=function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})"),
                    inputs=types,
                    outputs=tuple(canonical_type(o) for o in item.get("outputs", [])),
                )
                self.functions.setdefault(item["name"], fn)  # first of an overloaded name
                self.functions[f"{item['name']}({','.join(types)})"] = fn
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
