"""Reference model of contracts/SplitRouter.sol: how a split's payments are shared, in plain Python.

The rule (see contracts/interfaces/ISplitRouter.sol): with T the split's total received, Ts its total at
the last settlement, P = T - Ts, a recipient i other than the residual r is entitled to
credited[i] + floor(P * a[i] / SCALE); the residual to credited[r] + P - (the others' floors). A
settlement (the residual's withdrawal, or a distribution) credits everyone its entitlement and sets
Ts = T. Kept free of ape so the property tests can run it on many histories quickly.
"""

from dataclasses import dataclass, field

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

SCALE = 1_000_000
MAX_RECIPIENTS = 32
MAX_AMOUNT = 2**112 - 1


def split_id(recipients, allocations, residual_index) -> bytes:
    """keccak256(abi.encode(address[] recipients, uint32[] allocations, uint8 residualIndex))."""
    return keccak(
        encode(
            ["address[]", "uint32[]", "uint8"],
            [[to_checksum_address(r) for r in recipients], list(allocations), residual_index],
        )
    )


def naive_entitlements(total, allocations, residual):
    """The rule without settlements: floor for everyone, the residual takes what is left."""
    floors = [total * a // SCALE for a in allocations]
    floors[residual] = total - sum(f for j, f in enumerate(floors) if j != residual)
    return floors


class NothingToClaim(Exception):
    pass


class NothingToDistribute(Exception):
    pass


@dataclass
class SplitModel:
    allocations: list[int]
    residual: int
    total_received: int = 0
    settled_received: int = 0
    settlements: int = 0
    credited: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)

    def __post_init__(self):
        assert sum(self.allocations) == SCALE and all(a > 0 for a in self.allocations)
        assert 0 <= self.residual < len(self.allocations) <= MAX_RECIPIENTS
        n = len(self.allocations)
        self.credited = self.credited or [0] * n
        self.withdrawn = self.withdrawn or [0] * n

    @property
    def unsettled(self) -> int:
        return self.total_received - self.settled_received

    def _part(self, amount: int, i: int) -> int:
        return amount * self.allocations[i] // SCALE

    def entitlement(self, i: int) -> int:
        p = self.unsettled
        if i != self.residual:
            return self.credited[i] + self._part(p, i)
        others = sum(self._part(p, j) for j in range(len(self.allocations)) if j != self.residual)
        return self.credited[i] + p - others

    def claimable(self, i: int) -> int:
        return self.entitlement(i) - self.withdrawn[i]

    def pay(self, amount: int) -> None:
        assert amount > 0
        self.total_received += amount

    def settle(self) -> int:
        """Credits every entitlement; returns the units settled (0: nothing happened)."""
        p = self.unsettled
        if p == 0:
            return 0
        self.credited = [self.entitlement(i) for i in range(len(self.allocations))]
        self.settled_received = self.total_received
        self.settlements += 1
        return p

    def withdraw(self, i: int) -> int:
        if i == self.residual:
            self.settle()
        amount = self.claimable(i)
        if amount == 0:
            raise NothingToClaim(i)
        self.withdrawn[i] += amount
        return amount

    def distribute(self, cannot_receive=frozenset()) -> list[tuple[int, int, bool]]:
        """Returns (index, amount, sent) for every recipient with something claimable, in order."""
        self.settle()
        results = []
        for i in range(len(self.allocations)):
            amount = self.claimable(i)
            if amount == 0:
                continue
            sent = i not in cannot_receive
            if sent:
                self.withdrawn[i] += amount
            results.append((i, amount, sent))
        if not results:
            raise NothingToDistribute()
        return results
