"""Transactions on the benchmark anvil: one measured transaction per block, or many per block in batches.

The clock is ours: every block is mined at `now + 1` unless a time is given, so a run replays the same
blocks at the same timestamps and every receipt has the same gasUsed. Sending, nonces and receipt checks
are carepay.sender's (batch mode: one JSON-RPC batch and one mined block per call); this adds the clock,
snapshots, and the gas split the report shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from carepay.driver.abi import contract_abi
from carepay.errors import TransactionFailed
from carepay.rpc import RpcClient
from carepay.sender import Sender, Sent, Tx

from benchmarks.contracts import Contract

__all__ = ["Chain", "Gas", "TransactionFailed", "calldata_gas"]  # TransactionFailed: carepay's, re-exported for scenarios

#: Gas limit of every transaction: ample for any CarePay call (gasUsed does not depend on it), and no
#: eth_estimateGas round trip per kind of call.
TX_GAS = 5_000_000
DEPLOY_GAS = 30_000_000
#: Transactions per block in batched setups: anvil builds receipts in time quadratic in the block size.
BATCH_BLOCK = 100


@dataclass(frozen=True)
class Gas:
    """The gas of one mined transaction. `execution` excludes the 21,000 base and the calldata bytes, so two
    calls that differ only in an id's byte length (stream 1 versus stream 10,001) compare equal there."""

    total: int  # receipt gasUsed: what the sender pays for
    calldata: int  # 4 per zero byte, 16 per non-zero byte
    execution: int  # total - 21,000 - calldata

    def as_dict(self) -> dict[str, int]:
        return {"gas": self.total, "calldata_gas": self.calldata, "execution_gas": self.execution}


def calldata_gas(data: str) -> int:
    raw = bytes.fromhex(data.removeprefix("0x"))
    zeros = raw.count(0)
    return 4 * zeros + 16 * (len(raw) - zeros)


class Chain:
    def __init__(self, node: RpcClient):
        self.node = node
        # gas price 0: the chain's base fee is 0, and derived parties hold no ether
        self.sender = Sender(None, devnet=True, client=node, gas_price=0)
        self.now = self.sender.latest_timestamp()
        self._snapshots: list[tuple[str, int]] = []

    def accounts(self) -> list[str]:
        return self.node.call("eth_accounts")

    # clock and snapshots ------------------------------------------------------------------------

    def _next_time(self, at: int | None) -> int:
        at = self.now + 1 if at is None else at
        if at <= self.now:
            raise ValueError(f"block time {at} is not after the last block ({self.now})")
        return at

    def mine(self, at: int | None = None) -> int:
        at = self._next_time(at)
        self.sender.mine(at)
        self.now = at
        return at

    def snapshot(self) -> None:
        self._snapshots.append((self.node.call("evm_snapshot"), self.now))

    def revert(self) -> None:
        snapshot_id, self.now = self._snapshots.pop()
        if not self.node.call("evm_revert", snapshot_id):
            raise RuntimeError(f"evm_revert({snapshot_id}) failed")
        self.sender.forget_nonces()

    def forget_nonces(self) -> None:
        """After another client sent transactions from our accounts."""
        self.sender.forget_nonces()

    # transactions -------------------------------------------------------------------------------

    def _send_in_one_block(self, txs: list[Tx], at: int | None = None) -> list[Sent]:
        at = self._next_time(at)
        try:
            sent = self.sender.send(txs, timestamp=at)
        except TransactionFailed:
            self.now = self.sender.latest_timestamp()  # a failure may come before or after the block is mined
            raise
        self.now = at
        if len({s.block for s in sent}) != 1:  # a later block would be at a time the clock did not choose
            raise TransactionFailed(f"{len(txs)} transactions did not fit in one block")
        return sent

    def transact(self, sender: str, contract: Contract, fn: str, *args: Any, at: int | None = None) -> Gas:
        """Sends one call alone in its own block (at `at`, default now + 1) and returns its gas."""
        data = contract.data(fn, *args)
        return self.send_raw(sender, contract.address, data, at=at, label=f"{contract.name}.{fn}")

    def transact_sent(self, sender: str, contract: Contract, fn: str, *args: Any, at: int | None = None) -> Sent:
        """As `transact`, returning the sent transaction (hash and receipt) for tracing."""
        tx = Tx(sender, contract.address, contract.data(fn, *args), label=f"{contract.name}.{fn}", gas=TX_GAS)
        (sent,) = self._send_in_one_block([tx], at)
        return sent

    def send_raw(self, sender: str, to: str | None, data: str, at: int | None = None, label: str = "") -> Gas:
        (sent,) = self._send_in_one_block([Tx(sender, to, data, label=label or str(to), gas=TX_GAS)], at)
        cd = calldata_gas(data)
        return Gas(total=sent.gas_used, calldata=cd, execution=sent.gas_used - 21_000 - cd)

    def deploy(self, sender: str, name: str, *args: Any) -> Contract:
        code = contract_abi(name).creation_code(*args)
        (sent,) = self._send_in_one_block([Tx(sender, None, code, label=f"deploying {name}", gas=DEPLOY_GAS)])
        return Contract(name, sent.contract_address)

    def send_many(self, calls: Iterable[tuple[str, Contract | str, str]]) -> int:
        """Sends (sender, contract or address, calldata) triples, BATCH_BLOCK per block, and checks that every
        one succeeded. Returns how many were sent."""
        pending: list[Tx] = []
        count = 0
        for sender, target, data in calls:
            to = target.address if isinstance(target, Contract) else target
            pending.append(Tx(sender, to, data, label=f"batched call to {to}", gas=TX_GAS))
            if len(pending) == BATCH_BLOCK:
                count += len(self._send_in_one_block(pending))
                pending = []
        if pending:
            count += len(self._send_in_one_block(pending))
        return count
