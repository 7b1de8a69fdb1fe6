"""Transactions on the benchmark anvil: one measured transaction per block, or many per block in batches.

The clock is ours: every block is mined at `now + 1` unless a time is given, so a run replays the same
blocks at the same timestamps and every receipt has the same gasUsed. Nonces are tracked here (per sender,
dropped on revert to a snapshot), so a batch of eth_sendTransaction needs no round trip per transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from carepay.artifacts import decode_revert

from benchmarks.anvil import Anvil, RpcError
from benchmarks.contracts import Contract, deploy_data

#: Gas limit of every transaction: ample for any CarePay call (gasUsed does not depend on it).
TX_GAS = 5_000_000
#: Transactions per block in batched setups: anvil builds receipts in time quadratic in the block size.
BATCH_BLOCK = 100


class TransactionFailed(RuntimeError):
    pass


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
    def __init__(self, node: Anvil):
        self.node = node
        self.now = node.latest_timestamp()
        self._nonces: dict[str, int] = {}
        self._snapshots: list[tuple[str, int]] = []

    # clock and snapshots ------------------------------------------------------------------------

    def mine(self, at: int | None = None) -> int:
        at = self.now + 1 if at is None else at
        if at <= self.now:
            raise ValueError(f"block time {at} is not after the last block ({self.now})")
        self.node.mine(at)
        self.now = at
        return at

    def snapshot(self) -> None:
        self._snapshots.append((self.node.snapshot(), self.now))

    def revert(self) -> None:
        snapshot_id, self.now = self._snapshots.pop()
        self.node.revert(snapshot_id)
        self._nonces.clear()

    def forget_nonces(self) -> None:
        """After another client sent transactions from our accounts."""
        self._nonces.clear()

    # transactions -------------------------------------------------------------------------------

    def _nonce(self, sender: str) -> int:
        key = sender.lower()
        if key not in self._nonces:
            self._nonces[key] = int(self.node.call("eth_getTransactionCount", sender, "pending"), 16)
        nonce = self._nonces[key]
        self._nonces[key] = nonce + 1
        return nonce

    def _tx(self, sender: str, to: str | None, data: str, gas: int = TX_GAS) -> dict[str, Any]:
        tx = {"from": sender, "data": data, "gas": hex(gas), "gasPrice": "0x0", "nonce": hex(self._nonce(sender))}
        if to is not None:
            tx["to"] = to
        return tx

    def _explain(self, tx: dict[str, Any]) -> str:
        call = {k: tx[k] for k in ("from", "to", "data") if k in tx}
        try:
            self.node.call("eth_call", call, "latest")
        except RpcError as error:
            return decode_revert(error.data) if isinstance(error.data, str) else str(error)
        return "reverted (no revert data on replay)"

    def transact(self, sender: str, contract: Contract, fn: str, *args: Any, at: int | None = None) -> Gas:
        """Sends one call alone in its own block (at `at`, default now + 1) and returns its gas."""
        data = contract.data(fn, *args)
        return self.send_raw(sender, contract.address, data, at=at, label=f"{contract.name}.{fn}")

    def send_raw(self, sender: str, to: str | None, data: str, at: int | None = None, label: str = "") -> Gas:
        tx = self._tx(sender, to, data)
        tx_hash = self.node.call("eth_sendTransaction", tx)
        self.mine(at)
        receipt = self.node.call("eth_getTransactionReceipt", tx_hash)
        if receipt is None or receipt["status"] != "0x1":
            self.mine()
            raise TransactionFailed(f"{label or to}: {self._explain(tx)}")
        total = int(receipt["gasUsed"], 16)
        cd = calldata_gas(data)
        return Gas(total=total, calldata=cd, execution=total - 21_000 - cd)

    def deploy(self, sender: str, name: str, *args: Any) -> Contract:
        data, abi = deploy_data(name, *args)
        tx = self._tx(sender, None, data, gas=30_000_000)
        tx_hash = self.node.call("eth_sendTransaction", tx)
        self.mine()
        receipt = self.node.call("eth_getTransactionReceipt", tx_hash)
        if receipt["status"] != "0x1":
            raise TransactionFailed(f"deploying {name} failed")
        return Contract(name, receipt["contractAddress"], abi)

    def send_many(self, calls: Iterable[tuple[str, Contract | str, str]]) -> int:
        """Sends (sender, contract or address, calldata) triples, BATCH_BLOCK per block, and checks that every
        one succeeded. Returns how many were sent."""
        pending: list[dict[str, Any]] = []
        count = 0
        for sender, target, data in calls:
            to = target.address if isinstance(target, Contract) else target
            pending.append(self._tx(sender, to, data))
            if len(pending) == BATCH_BLOCK:
                count += self._flush(pending)
                pending = []
        if pending:
            count += self._flush(pending)
        return count

    def _flush(self, txs: list[dict[str, Any]]) -> int:
        self.node.batch([("eth_sendTransaction", [tx]) for tx in txs])
        self.mine()
        receipts = self.node.call("eth_getBlockReceipts", "latest")
        if len(receipts) != len(txs):
            raise TransactionFailed(f"a block held {len(receipts)} of {len(txs)} batched transactions")
        for tx, receipt in zip(txs, receipts):
            if receipt["status"] != "0x1":
                raise TransactionFailed(f"batched call to {tx.get('to')}: {self._explain(tx)}")
        return len(txs)
