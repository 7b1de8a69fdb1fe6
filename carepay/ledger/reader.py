"""Fetch and decode every event of the suite's contracts, with web3.py alone.

Logs are read with `eth_getLogs` in block ranges (a node refuses or truncates huge ranges) for all
the suite's addresses at once, decoded with the ABIs of `carepay.artifacts`, and returned in chain
order (block, then log index). Nothing here knows how the transactions were made: the events are
the only input besides the views that `carepay.verify` compares them with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from eth_utils import event_abi_to_log_topic, to_checksum_address
from web3 import Web3
from web3.exceptions import BadFunctionCallOutput, ContractLogicError

from carepay import artifacts
from carepay.errors import DeploymentMissing

#: The suite's contracts, in the order their ABIs are loaded; FeeForService is optional.
CONTRACT_NAMES = ("CareUSD", "Regulator", "SplitRouter", "CareStream", "OutcomeEscrow", "FeeForService")
REQUIRED_NAMES = CONTRACT_NAMES[:-1]
#: Blocks per eth_getLogs request: small enough for public RPCs, large enough for a local chain.
DEFAULT_BLOCK_RANGE = 2_000

class ReaderError(DeploymentMissing):
    """The addresses given do not describe a deployment that can be read (the CLI prints it as one line)."""


@dataclass(frozen=True)
class Event:
    """One decoded log."""

    contract: str  # "CareStream", ...
    name: str  # "StreamCreated", ...
    args: dict[str, Any]
    block: int
    log_index: int
    tx: str  # 0x-prefixed transaction hash

    @property
    def order(self) -> tuple[int, int]:
        return (self.block, self.log_index)

    def where(self) -> str:
        return f"block {self.block}, tx {self.tx}, log {self.log_index}"


def _plain(value: Any) -> Any:
    """web3's AttributeDicts and tuples as plain dicts, lists and checksummed addresses."""
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return value


def contract_abi(name: str) -> list[dict[str, Any]]:
    """The ABI of a suite contract, from the project's compiled artifacts."""
    return artifacts.load(name).abi


@dataclass
class ChainData:
    """Everything read from the chain up to `to_block`: decoded events and block timestamps on demand."""

    w3: Web3
    addresses: dict[str, str]
    from_block: int
    to_block: int
    events: list[Event]
    contracts: dict[str, Any] = field(default_factory=dict)  # name -> web3 contract, for the views
    _timestamps: dict[int, int] = field(default_factory=dict)

    def timestamp(self, block: int) -> int:
        if block not in self._timestamps:
            self._timestamps[block] = int(self.w3.eth.get_block(block)["timestamp"])
        return self._timestamps[block]

    def view(self, contract: str, function: str, *args: Any) -> Any:
        """A view of `contract` at `to_block` (so views and events describe the same state)."""
        try:
            return getattr(self.contracts[contract].functions, function)(*args).call(block_identifier=self.to_block)
        except (ContractLogicError, BadFunctionCallOutput) as error:
            # Every view verify reads exists and cannot revert in this version's contracts.
            raise ReaderError(
                f"{contract}.{function} failed at {self.addresses[contract]} ({error}): the contracts there are not "
                f"this version's; verify them with the CarePay version that deployed them, or deploy this one afresh"
            ) from None

    def name_of(self, address: str) -> str | None:
        for name, known in self.addresses.items():
            if known.lower() == address.lower():
                return name
        return None


def normalize_addresses(addresses: dict[str, str]) -> dict[str, str]:
    missing = [name for name in REQUIRED_NAMES if not addresses.get(name)]
    if missing:
        raise ReaderError(
            f"the deployment lacks the address of {', '.join(missing)}; pass every contract of the suite "
            f"({', '.join(REQUIRED_NAMES)}; FeeForService optional)"
        )
    unknown = sorted(set(addresses) - set(CONTRACT_NAMES))
    if unknown:
        raise ReaderError(f"unknown contract name(s) {', '.join(unknown)}; expected {', '.join(CONTRACT_NAMES)}")
    return {name: to_checksum_address(address) for name, address in addresses.items() if address}


def read_chain(
    w3: Web3,
    addresses: dict[str, str],
    from_block: int,
    to_block: int | None = None,
    block_range: int = DEFAULT_BLOCK_RANGE,
) -> ChainData:
    """Reads and decodes every event of the suite's contracts from `from_block` to `to_block` (latest)."""
    addresses = normalize_addresses(addresses)
    if to_block is None:
        to_block = int(w3.eth.block_number)
    if from_block < 0 or from_block > to_block:
        raise ReaderError(f"from_block {from_block} is not between 0 and the chain's head {to_block}")
    for name, address in addresses.items():
        if not w3.eth.get_code(address, block_identifier=to_block):
            raise ReaderError(f"no contract code at {address} ({name}) on this chain; is the deployment for another network?")
        # The state is rebuilt from every event, so the range must start at the deployment. Only the token
        # may predate it (an existing CareUSD): its balances at from_block - 1 are read as the starting point.
        if name != "CareUSD" and from_block > 0 and code_before(w3, address, from_block):
            raise ReaderError(
                f"{name} at {address} already existed before block {from_block}, so events before it would be "
                f"missed; pass the block the suite was deployed in (the deployment manifest's block)"
            )

    contracts: dict[str, Any] = {}
    decoders: dict[tuple[str, bytes], tuple[str, Any]] = {}
    for name, address in addresses.items():
        abi = contract_abi(name)
        contract = w3.eth.contract(address=address, abi=abi)
        contracts[name] = contract
        for item in abi:
            if item.get("type") == "event" and not item.get("anonymous"):
                decoders[(address.lower(), event_abi_to_log_topic(item))] = (
                    name, getattr(contract.events, item["name"]),
                )

    events = [
        event
        for log in _logs(w3, list(addresses.values()), from_block, to_block, block_range)
        if (event := _decode(log, decoders)) is not None
    ]
    events.sort(key=lambda e: e.order)
    return ChainData(w3, addresses, from_block, to_block, events, contracts)


def code_before(w3: Web3, address: str, block: int) -> bool:
    """Whether `address` had code at `block - 1`; False when the node keeps no state that old (not an archive)."""
    try:
        return bool(w3.eth.get_code(address, block_identifier=block - 1))
    except Exception:  # a pruned node cannot tell; the events then decide (a missed creation shows as a breach)
        return False


def _logs(w3: Web3, addresses: list[str], from_block: int, to_block: int, block_range: int) -> Iterable[Any]:
    start = from_block
    while start <= to_block:
        end = min(start + block_range - 1, to_block)
        yield from w3.eth.get_logs({"fromBlock": start, "toBlock": end, "address": addresses})
        start = end + 1


def _decode(log: Any, decoders: dict[tuple[str, bytes], tuple[str, Any]]) -> Event | None:
    if not log["topics"]:
        return None
    key = (str(log["address"]).lower(), bytes(log["topics"][0]))
    if key not in decoders:
        return None  # an event of an inherited interface this reader does not use
    contract, event_type = decoders[key]
    decoded = event_type().process_log(log)
    return Event(
        contract=contract,
        name=decoded["event"],
        args=_plain(decoded["args"]),
        block=int(log["blockNumber"]),
        log_index=int(log["logIndex"]),
        tx=Web3.to_hex(log["transactionHash"]),
    )
