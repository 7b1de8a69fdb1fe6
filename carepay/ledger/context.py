"""What every book shares while the events are replayed: the chain data, the audit and the labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from carepay.ledger.reader import ChainData, Event
from carepay.ledger.result import Audit

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@dataclass
class Context:
    chain: ChainData
    audit: Audit
    labels: dict[str, str] = field(default_factory=dict)  # lower-case address -> role name
    books: dict[str, Any] = field(default_factory=dict)  # contract name -> its book

    def __post_init__(self) -> None:
        for name, address in self.chain.addresses.items():
            self.labels[address.lower()] = name

    def label(self, address: str) -> str:
        role = self.labels.get(address.lower())
        return f"{address} ({role})" if role else address

    def name_label(self, address: str, role: str) -> None:
        """Remembers a role seen in events (fund account, institution, ...) for readable messages."""
        self.labels.setdefault(address.lower(), role)

    def address(self, name: str) -> str | None:
        return self.chain.addresses.get(name)

    def is_module(self, address: str) -> bool:
        return self.labels.get(address.lower()) in ("CareStream", "OutcomeEscrow", "FeeForService")

    def at(self, event: Event) -> str:
        return f"at {event.where()}"
