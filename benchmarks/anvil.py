"""A private anvil with a fixed clock and fixed accounts, and a JSON-RPC client that batches.

Every figure must come out the same on every run, so the chain starts at a fixed genesis time, never
mines on its own (no automine, no interval) and every block is mined by us at a timestamp we choose.
Dev accounts come from anvil's well-known test mnemonic; `--auto-impersonate` lets any address send
unsigned transactions (eth_sendTransaction), and a zero base fee lets accounts without ether pay for gas,
so thousands of parties can act without one signature being computed in Python.
"""

from __future__ import annotations

import itertools
import socket
import subprocess
import time
from typing import Any

import requests

from carepay.paths import anvil_binary

#: anvil's well-known development mnemonic: public test keys, never funds.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
#: 2026-01-01T00:00:00Z: the genesis timestamp of every benchmark chain.
GENESIS_TIME = 1_767_225_600
DEV_ACCOUNTS = 20
CHAIN_ID = 31337


class RpcError(RuntimeError):
    """A JSON-RPC call failed; `data` holds revert data when the node returned some."""

    def __init__(self, method: str, error: dict[str, Any]):
        self.method = method
        self.error = error
        self.data = error.get("data")
        super().__init__(f"{method}: {error.get('message')} {self.data or ''}".strip())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Anvil:
    """One anvil process and a keep-alive HTTP session to it."""

    def __init__(self, port: int | None = None):
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None
        self._session = requests.Session()
        self._ids = itertools.count(1)

    def start(self) -> "Anvil":
        command = [
            str(anvil_binary()), "--port", str(self.port), "--silent",
            "--hardfork", "prague", "--mnemonic", DEV_MNEMONIC, "--accounts", str(DEV_ACCOUNTS),
            "--timestamp", str(GENESIS_TIME), "--no-mining", "--auto-impersonate",
            "--base-fee", "0", "--no-priority-fee", "--gas-limit", "1000000000000",
            "--chain-id", str(CHAIN_ID),
            # No state per historical block: growth mines hundreds of blocks over a large state, and keeping
            # every one costs gigabytes. Snapshots (evm_snapshot) still work; only old-block queries do not.
            "--prune-history",
        ]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"anvil exited: {self._process.stderr.read().decode()[-2000:]}")
            try:
                self.call("eth_chainId")
                return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"anvil did not answer on {self.url} within 20 s")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._session.close()

    def __enter__(self) -> "Anvil":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # JSON-RPC ---------------------------------------------------------------------------------

    def call(self, method: str, *params: Any) -> Any:
        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)}
        reply = self._session.post(self.url, json=payload, timeout=600).json()
        if "error" in reply:
            raise RpcError(method, reply["error"])
        return reply["result"]

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Several calls in one HTTP request; results in order. Raises on the first error."""
        if not calls:
            return []
        first = next(self._ids)
        payload = [{"jsonrpc": "2.0", "id": first + i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        for _ in range(len(calls) - 1):
            next(self._ids)
        replies = sorted(self._session.post(self.url, json=payload, timeout=600).json(), key=lambda r: r["id"])
        results = []
        for (method, _), reply in zip(calls, replies):
            if "error" in reply:
                raise RpcError(method, reply["error"])
            results.append(reply["result"])
        return results

    # chain control ----------------------------------------------------------------------------

    def accounts(self) -> list[str]:
        return self.call("eth_accounts")

    def mine(self, timestamp: int) -> None:
        """Mines one block holding every pending transaction, at exactly `timestamp`."""
        self.call("evm_mine", hex(timestamp))

    def latest_timestamp(self) -> int:
        return int(self.call("eth_getBlockByNumber", "latest", False)["timestamp"], 16)

    def snapshot(self) -> str:
        return self.call("evm_snapshot")

    def revert(self, snapshot_id: str) -> None:
        if not self.call("evm_revert", snapshot_id):
            raise RuntimeError(f"evm_revert({snapshot_id}) failed")
