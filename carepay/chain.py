"""Which chain a command talks to: the embedded local anvil, an RPC URL, or an ape network name.

The embedded chain is an anvil whose whole state (blocks, receipts, time) is kept in
`deployments/local/state.json`: anvil loads it at start, dumps it periodically and again on exit, so
deployments and scenario runs survive from one command to the next.
(`CAREPAY_STATE_INTERVAL` sets the dump interval, default 300 s; a killed chain loses at most that much, and a re-run redoes it) `carepay chain` runs it in the
foreground; any other command finds it on its port or starts it for the length of the command.

A "devnet" is any anvil (the embedded one, ape's foundry provider, an anvil behind a URL): its dev
accounts are unlocked and any address can be impersonated, so scenarios can act as every party, and
time can be moved. Other networks sign with an ape account and refuse time travel.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.providers import HTTPProvider

from carepay.anvil import AnvilOptions, AnvilProcess, port_open
from carepay.errors import NetworkError
from carepay.paths import DATA_DIR

LOCAL = "local"
DEFAULT_LOCAL_PORT = 8555  # not 8545, which ape's own foundry provider uses
#: Block gas limit of the embedded chain: high enough to mine a whole batch of payments in one block.
LOCAL_BLOCK_GAS_LIMIT = 2_000_000_000
#: Seconds between anvil's state dumps. Each dump writes the whole history and stalls the node while
#: it does (measured: 1 s halved the population's throughput), so a killed chain loses at most this much.
STATE_INTERVAL_S = 300


def data_dir() -> Path:
    return Path(os.environ.get("CAREPAY_DATA_DIR", DATA_DIR))


def local_port() -> int:
    return int(os.environ.get("CAREPAY_LOCAL_PORT", DEFAULT_LOCAL_PORT))


@dataclass
class Chain:
    """A connected chain and the folder that holds its manifest and run journals."""

    w3: Web3
    name: str
    folder: Path
    devnet: bool
    url: str
    process: AnvilProcess | None = None
    _ape_context: Any = field(default=None, repr=False)

    @property
    def chain_id(self) -> int:
        return self.w3.eth.chain_id

    def dev_accounts(self) -> list[str]:
        return [Web3.to_checksum_address(a) for a in self.w3.eth.accounts]

    def require_devnet(self, action: str) -> None:
        if not self.devnet:
            raise NetworkError(
                f"{action} needs a local devnet (anvil): network {self.name!r} is not one; "
                "run it on the embedded chain (`--network local`) or an anvil RPC URL"
            )

    def close(self) -> None:
        if self._ape_context is not None:
            self._ape_context.__exit__(None, None, None)
            self._ape_context = None
        if self.process is not None:
            self.process.stop()
            self.process = None

    def __enter__(self) -> "Chain":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def local_anvil(state_file: Path, port: int) -> AnvilOptions:
    return AnvilOptions(
        port=port,
        state_file=state_file,
        state_interval_s=int(os.environ.get("CAREPAY_STATE_INTERVAL", STATE_INTERVAL_S)),
        gas_limit=LOCAL_BLOCK_GAS_LIMIT,
        balance_ether=1_000_000,
        # Keep the states of the last blocks only, in memory, so a long run (a simulated year is hundreds of
        # blocks of payments) keeps anvil's memory bounded. Blocks, receipts and logs are all kept; the
        # driver never calls at old blocks (a failed transaction is traced right after its block).
        prune_history=int(os.environ.get("CAREPAY_KEEP_STATES", "256")),
    )


def start_anvil(state_file: Path, port: int, quiet: bool = True) -> AnvilProcess:
    """Starts the embedded anvil on `port` with its state in `state_file`; returns once it answers."""
    if port_open(port):
        raise NetworkError(f"port {port} is already in use; stop what runs there or set CAREPAY_LOCAL_PORT")
    return AnvilProcess(local_anvil(state_file, port), quiet=quiet).start()


def is_anvil(w3: Web3) -> bool:
    try:
        return str(w3.client_version).lower().startswith("anvil")
    except Exception:
        return False


def _check_reachable(w3: Web3, where: str) -> None:
    try:
        w3.eth.chain_id
    except Exception as error:
        text = str(error)
        reason = "connection refused" if ("refused" in text or "NewConnectionError" in text) else (
            "timed out" if "timed out" in text.lower() else text.split("\n")[0][:120])
        raise NetworkError(f"cannot reach the RPC endpoint {where} ({reason}); start the node or check the URL") from None


def _prepare_devnet(w3: Web3) -> None:
    """Lets scenarios act as any party (impersonation) and mine a batch in one block; puts the clock back
    on the chain's time."""
    w3.provider.make_request("anvil_autoImpersonateAccount", [True])
    w3.provider.make_request("evm_setBlockGasLimit", [hex(LOCAL_BLOCK_GAS_LIMIT)])
    # An anvil that loaded a saved state forgets how far scenarios moved its clock: its pending block (what
    # eth_call and eth_estimateGas see) falls back to the wall clock, before the last block. Contracts would
    # see time run backwards (CareStream's accrual underflows), so the clock restarts at the last block.
    latest = int(w3.provider.make_request("eth_getBlockByNumber", ["latest", False])["result"]["timestamp"], 16)
    pending = int(w3.provider.make_request("eth_getBlockByNumber", ["pending", False])["result"]["timestamp"], 16)
    if pending <= latest:
        w3.provider.make_request("evm_setTime", [latest + 1])


def folder_name(network: str, chain_id: int) -> str:
    if network == LOCAL:
        return LOCAL
    if network.startswith(("http://", "https://", "ws://", "wss://")):
        return f"chain-{chain_id}"
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", network).strip("-")


def connect(network: str = LOCAL, start_local: bool = True, base: Path | None = None) -> Chain:
    """Connects to `network`: "local" (the embedded anvil), an http(s) RPC URL, or an ape network name."""
    base = base or data_dir()
    if network == LOCAL:
        port = local_port()
        url = f"http://127.0.0.1:{port}"
        process = None
        if not port_open(port):
            if not start_local:
                raise NetworkError(f"the local chain is not running on port {port}; start it with `carepay chain`")
            process = start_anvil(base / LOCAL / "state.json", port)
        w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": 60}))
        _check_reachable(w3, url)
        _prepare_devnet(w3)
        return Chain(w3=w3, name=LOCAL, folder=base / LOCAL, devnet=True, url=url, process=process)
    if network.startswith(("http://", "https://")):
        w3 = Web3(HTTPProvider(network, request_kwargs={"timeout": 60}))
        _check_reachable(w3, network)
        devnet = is_anvil(w3)
        if devnet:
            _prepare_devnet(w3)
        return Chain(w3=w3, name=network, folder=base / folder_name(network, w3.eth.chain_id), devnet=devnet, url=network)
    if ":" not in network:
        raise NetworkError(
            f"unknown network {network!r}; use `local`, an http(s) RPC URL, or an ape network such as "
            "ethereum:sepolia:node (list them with `ape networks list`)"
        )
    return _connect_ape(network, base)


def _connect_ape(network: str, base: Path) -> Chain:
    from ape import networks  # slow import: only for ape network names
    from ape.exceptions import ApeException

    try:
        context = networks.parse_network_choice(network)
        provider = context.__enter__()
    except ApeException as error:
        raise NetworkError(
            f"unknown or unreachable ape network {network!r} ({str(error).splitlines()[0]}); "
            "list the choices with `ape networks list`"
        ) from None
    w3 = provider.web3
    devnet = is_anvil(w3)
    if devnet:
        _prepare_devnet(w3)
    url = getattr(w3.provider, "endpoint_uri", "") or getattr(provider, "uri", "")
    chain = Chain(w3=w3, name=network, folder=base / folder_name(network, w3.eth.chain_id), devnet=devnet, url=str(url))
    chain._ape_context = context
    return chain


def from_ape_provider(network_choice: str, base: Path | None = None) -> Chain:
    """The chain of an already connected ape provider (inside `ape run`)."""
    from ape import chain as ape_chain

    w3 = ape_chain.provider.web3
    devnet = is_anvil(w3)
    if devnet:
        _prepare_devnet(w3)
    base = base or data_dir()
    url = str(getattr(w3.provider, "endpoint_uri", ""))
    return Chain(w3=w3, name=network_choice, folder=base / folder_name(network_choice, w3.eth.chain_id), devnet=devnet, url=url)
