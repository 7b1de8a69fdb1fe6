"""A deployed contract as the scenarios use it: `data(fn, *args)` is calldata, `call(node, fn, *args)` a read.

The ABI, selectors and encoding are carepay.driver.abi's (resolved once per contract); this adds only the
address, and a function named by name alone is told from its overloads by the number of arguments.
"""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address

from carepay.driver.abi import ContractAbi, Function, contract_abi


class Contract:
    def __init__(self, name: str, address: str):
        self.name = name
        self.address = to_checksum_address(address)
        self.abi: ContractAbi = contract_abi(name)

    def function(self, name_or_signature: str, arity: int | None = None) -> Function:
        return self.abi.function(name_or_signature, arity)

    def data(self, fn: str, *args: Any) -> str:
        return self.function(fn, len(args)).encode(*args)

    def call(self, node: Any, fn: str, *args: Any, sender: str | None = None) -> Any:
        """A read at the latest block through `node` (a carepay.rpc client); one value, or a tuple of several."""
        f = self.function(fn, len(args))
        tx = {"to": self.address, "data": f.encode(*args)}
        if sender:
            tx["from"] = sender
        values = f.decode_output(node.call("eth_call", tx, "latest"))
        return values[0] if len(values) == 1 else values


def state_changing_functions(name: str) -> list[str]:
    return contract_abi(name).state_changing()
