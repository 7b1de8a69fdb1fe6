"""Sends transactions fast and checks every receipt.

Batch mode (the default on a devnet): nonces are tracked locally, gas limits come from one estimate per
kind of call (target and selector) with a margin, many `eth_sendTransaction` go out in one JSON-RPC
batch request, automine is off so `evm_mine` puts the whole batch in one block (at a chosen timestamp),
and receipts come back in batch requests. Naive mode sends one transaction at a time and waits for its
receipt, for comparison.

Every receipt is checked: a failed transaction raises `TransactionFailed` with the custom error decoded
from the revert data (anvil's call trace of the transaction, or the same call replayed with eth_call on
the parent block). Nothing is retried: a failure stops the run, and the journal lets a re-run resume.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from web3 import Web3

from carepay.errors import NetworkError, TransactionFailed
from carepay.rpc import ProviderClient, RpcClient, RpcError, client_for

GAS_MARGIN_NUM, GAS_MARGIN_DEN = 3, 2  # 1.5x the first estimate: later calls of a kind touch colder slots
GAS_MARGIN_FLAT = 40_000
MAX_TX_GAS = 30_000_000
FALLBACK_GAS = 3_000_000


@dataclass
class Tx:
    """One transaction to send. `data` is 0x-hex calldata (or creation code when `to` is None)."""

    sender: str
    to: str | None
    data: str
    label: str = ""
    value: int = 0
    gas: int | None = None
    nonce: int | None = None  # filled by the sender


@dataclass
class Sent:
    tx: Tx
    hash: str
    receipt: dict[str, Any]

    @property
    def gas_used(self) -> int:
        return int(self.receipt["gasUsed"], 16)

    @property
    def block(self) -> int:
        return int(self.receipt["blockNumber"], 16)

    @property
    def contract_address(self) -> str | None:
        address = self.receipt.get("contractAddress")
        return Web3.to_checksum_address(address) if address else None

    @property
    def logs(self) -> list[dict[str, Any]]:
        return self.receipt["logs"]


@dataclass
class Stats:
    transactions: int = 0
    gas: int = 0
    seconds: float = 0.0

    def add(self, other: "Stats") -> None:
        self.transactions += other.transactions
        self.gas += other.gas
        self.seconds += other.seconds


class Sender:
    """Sends `Tx` lists on one chain; `mode` is "batch" or "naive". `client` (default: one for `w3`'s
    endpoint) carries the JSON-RPC; `gas_price`, when set, is sent with every transaction (0 on a chain with
    a zero base fee lets accounts that hold no ether send)."""

    def __init__(self, w3: Web3 | None, devnet: bool, mode: str = "batch", signer: Callable[[dict], bytes] | None = None,
                 client: RpcClient | ProviderClient | None = None, gas_price: int | None = None):
        if mode not in ("batch", "naive"):
            raise ValueError(f"mode {mode!r} is not batch or naive")
        if w3 is None and (client is None or signer is not None):
            raise ValueError("a Sender needs w3, or a client and no signer")
        self.w3, self.devnet, self.mode, self.signer, self.gas_price = w3, devnet, mode, signer, gas_price
        self.client = client or client_for(w3)
        self._nonces: dict[str, int] = {}
        self._gas: dict[tuple[str | None, str], int] = {}
        self.stats = Stats()
        self._automine: bool | None = None

    def rpc(self, method: str, params: list[Any]) -> Any:
        return self.client.call(method, *params)

    def rpc_batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """Many calls in few HTTP requests; each answer is {"result": ...} or {"error": ...}, in order."""
        return self.client.batch(calls)

    # ---- nonces, gas, mining ------------------------------------------------------------------

    def next_nonce(self, account: str) -> int:
        key = account.lower()  # one count per account, whatever the case of its spelling
        if key not in self._nonces:
            self._nonces[key] = int(self.rpc("eth_getTransactionCount", [account, "pending"]), 16)
        nonce = self._nonces[key]
        self._nonces[key] = nonce + 1
        return nonce

    def forget_nonces(self) -> None:
        self._nonces.clear()

    def _call_object(self, tx: Tx) -> dict[str, Any]:
        call = {"from": tx.sender, "data": tx.data, "value": hex(tx.value)}
        if tx.to:
            call["to"] = tx.to
        return call

    def gas_for(self, tx: Tx, after_others: bool = False) -> int:
        """The gas limit: the first estimate of this kind of call with a margin. A call that cannot be
        estimated because it depends on an earlier transaction of the same batch (a mint after the
        minter's configuration) gets FALLBACK_GAS; its receipt is checked like any other."""
        if tx.gas:
            return tx.gas
        key = (tx.to, tx.data[:10]) if tx.to else None
        if key is not None and key in self._gas:
            return self._gas[key]
        try:
            estimate = int(self.rpc("eth_estimateGas", [self._call_object(tx)]), 16)
        except RpcError as error:
            if after_others:
                return FALLBACK_GAS
            raise TransactionFailed(f"{tx.label or 'transaction'} would revert: {self.describe_error(error.error)}") from None
        gas = min(MAX_TX_GAS, estimate * GAS_MARGIN_NUM // GAS_MARGIN_DEN + GAS_MARGIN_FLAT)
        if key is not None:
            self._gas[key] = gas
        return gas

    def set_automine(self, on: bool) -> None:
        if self.devnet and self._automine != on and not (on and self._automine is None):
            self.rpc("evm_setAutomine", [on])
            self._automine = on

    def mine(self, timestamp: int | None = None) -> None:
        self.rpc("evm_mine", [hex(timestamp)] if timestamp is not None else [])

    def latest_timestamp(self) -> int:
        return int(self.rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    # ---- calls --------------------------------------------------------------------------------

    def describe_error(self, error: dict[str, Any]) -> str:
        from carepay.artifacts import decode_revert

        data = error.get("data")
        if isinstance(data, dict):
            data = data.get("data")
        if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
            return decode_revert(data)
        return str(error.get("message", error))

    def call(self, tx: Tx, block: str | int = "latest") -> str:
        """eth_call; raises TransactionFailed with the decoded error on revert."""
        tag = block if isinstance(block, str) else hex(block)
        try:
            return self.rpc("eth_call", [self._call_object(tx), tag])
        except RpcError as error:
            raise TransactionFailed(f"{tx.label or 'call'} reverted: {self.describe_error(error.error)}") from None

    def revert_of(self, tx: Tx) -> str | None:
        """The decoded error `tx` would revert with now, or None when it would succeed."""
        try:
            self.rpc("eth_call", [self._call_object(tx), "latest"])
            return None
        except RpcError as error:
            return self.describe_error(error.error)

    # ---- sending ------------------------------------------------------------------------------

    def _prepare(self, tx: Tx, after_others: bool = False) -> dict[str, Any]:
        if tx.nonce is None:
            tx.nonce = self.next_nonce(tx.sender)
        body = self._call_object(tx)
        body["gas"] = hex(self.gas_for(tx, after_others))
        body["nonce"] = hex(tx.nonce)
        if self.gas_price is not None:
            body["gasPrice"] = hex(self.gas_price)
        return body

    def _submit(self, bodies: list[dict[str, Any]], txs: list[Tx]) -> list[str]:
        if self.signer is not None:
            calls = [("eth_sendRawTransaction", ["0x" + self.signer(self._for_signing(b)).hex()]) for b in bodies]
        else:
            calls = [("eth_sendTransaction", [b]) for b in bodies]
        answers = self.rpc_batch(calls)
        hashes = []
        for tx, answer in zip(txs, answers):
            if "error" in answer:
                self.forget_nonces()  # the node's count is the truth after a refused submission
                reason = self.describe_error(answer["error"])
                hint = (f"; another program sent from {tx.sender} meanwhile: stop it, then run the same command again"
                        " to resume" if "nonce" in reason.lower() else "")
                raise TransactionFailed(f"{tx.label or 'transaction'} was not accepted by the node: {reason}{hint}")
            hashes.append(answer["result"])
        return hashes

    def _for_signing(self, body: dict[str, Any]) -> dict[str, Any]:
        fee = self.w3.eth.gas_price
        return {
            "from": body["from"], "to": body.get("to"), "data": body["data"], "value": int(body["value"], 16),
            "gas": int(body["gas"], 16), "nonce": int(body["nonce"], 16), "chainId": self.w3.eth.chain_id,
            "gasPrice": fee,
        }

    def _receipts(self, hashes: list[str]) -> list[dict[str, Any] | None]:
        answers = self.rpc_batch([("eth_getTransactionReceipt", [h]) for h in hashes])
        return [a.get("result") for a in answers]

    def send(self, txs: list[Tx], timestamp: int | None = None) -> list[Sent]:
        """Sends `txs` in order and returns their checked receipts. On a devnet in batch mode they share one
        block mined at `timestamp` (or the chain's clock); in naive mode each waits for its own receipt."""
        if not txs:
            return []
        started = time.perf_counter()
        if self.mode == "naive" or not self.devnet:
            sent = self._send_one_by_one(txs, timestamp)
        else:
            sent = self._send_batch(txs, timestamp)
        elapsed = time.perf_counter() - started
        self.stats.add(Stats(transactions=len(sent), gas=sum(s.gas_used for s in sent), seconds=elapsed))
        return sent

    def _send_batch(self, txs: list[Tx], timestamp: int | None) -> list[Sent]:
        self.set_automine(False)
        bodies = [self._prepare(tx, after_others=index > 0) for index, tx in enumerate(txs)]
        hashes = self._submit(bodies, txs)
        receipts: list[dict[str, Any] | None] = [None] * len(hashes)
        for attempt in range(20):  # more blocks only when one block's gas limit cannot hold the batch
            self.mine(timestamp if attempt == 0 else None)
            missing = [i for i, r in enumerate(receipts) if r is None]
            for i, receipt in zip(missing, self._receipts([hashes[i] for i in missing])):
                receipts[i] = receipt
            if all(r is not None for r in receipts):
                break
        else:
            raise TransactionFailed("transactions stayed pending after 20 mined blocks; check the node's gas limit")
        return self._checked(txs, hashes, receipts)  # type: ignore[arg-type]

    def _send_one_by_one(self, txs: list[Tx], timestamp: int | None) -> list[Sent]:
        if self.devnet:
            self.set_automine(True)
            if timestamp is not None:
                self.rpc("evm_setNextBlockTimestamp", [hex(timestamp)])
        out: list[Sent] = []
        for tx in txs:
            body = self._prepare(tx)
            (tx_hash,) = self._submit([body], [tx])
            receipt = None
            deadline = time.monotonic() + 600
            pause = 0.01  # doubles up to 2 s: a devnet answers at once, a public chain in seconds
            while receipt is None:
                receipt = self._receipts([tx_hash])[0]
                if receipt is None:
                    if time.monotonic() > deadline:
                        raise TransactionFailed(f"{tx.label}: no receipt for {tx_hash} after 10 minutes")
                    time.sleep(pause)
                    pause = min(pause * 2, 2.0)
            out.extend(self._checked([tx], [tx_hash], [receipt]))
        return out

    def _checked(self, txs: list[Tx], hashes: list[str], receipts: list[dict[str, Any]]) -> list[Sent]:
        sent = [Sent(tx, h, r) for tx, h, r in zip(txs, hashes, receipts)]
        for item in sent:
            if int(item.receipt["status"], 16) != 1:
                reason = self.failure_reason(item)
                raise TransactionFailed(
                    f"{item.tx.label or 'transaction'} reverted in block {item.block} (tx {item.hash}): {reason}"
                )
        return sent

    def failure_reason(self, item: Sent) -> str:
        """The decoded error of a mined, failed transaction."""
        from carepay.artifacts import decode_revert

        try:
            trace = self.rpc("debug_traceTransaction", [item.hash, {"tracer": "callTracer"}])
            output = trace.get("output")
            if output and output != "0x":
                return decode_revert(output)
        except (RpcError, NetworkError):
            pass
        # Replay on the state before its block (exact unless an earlier tx of the block mattered); a node that
        # keeps no past states (the benchmark's anvil, --prune-history) refuses that, so then on the latest.
        first_error = None
        for block in (hex(item.block - 1), "latest"):
            try:
                self.rpc("eth_call", [self._call_object(item.tx), block])
            except RpcError as error:
                if isinstance(error.data, str) and len(error.data) >= 10:
                    return self.describe_error(error.error)
                first_error = first_error or error
        if first_error is not None:
            return self.describe_error(first_error.error)
        gas_limit = int(self.rpc("eth_getTransactionByHash", [item.hash])["gas"], 16)
        if item.gas_used >= gas_limit:
            return f"out of gas (limit {gas_limit})"
        return "reverted (no revert data)"
