"""The SplitRouter rebuilt from its events: each split's payments, settlements and withdrawals.

Checks S1, S2 and S5. Entitlements are recomputed with the sharing rule of ISplitRouter from the
payments and settlements alone (never from claims), then compared with `entitlement`, `claimed`,
`totalReceived` and `settledReceived`, and the router's balance with what its splits still owe.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from carepay.ledger.context import Context
from carepay.ledger.reader import Event

SCALE = 1_000_000
S1 = "Per split, entitlements add up to totalReceived, no recipient is sent more than its entitlement, and the router holds exactly Σ(totalReceived − claimed)."
S2 = "The residual's remainder is never paid twice: every withdrawal is at most the entitlement at that moment."
S3 = "A recipient that cannot receive never blocks the others."
S4 = "Paying into a split costs the same gas whatever its number of recipients."
S5 = "One recipient's claims never change another's entitlement (entitlements follow from payments alone)."


@dataclass
class Split:
    id: bytes
    recipients: list[str]
    allocations: list[int]
    residual: int
    total: int = 0
    settled: int = 0
    credited: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)
    paid_by: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # payer -> units paid in

    def entitlements(self) -> list[int]:
        unsettled = self.total - self.settled
        shares = [unsettled * a // SCALE for a in self.allocations]
        shares[self.residual] = unsettled - sum(s for i, s in enumerate(shares) if i != self.residual)
        return [c + s for c, s in zip(self.credited, shares)]

    def settle(self) -> None:
        self.credited = self.entitlements()
        self.settled = self.total

    @property
    def owed(self) -> int:
        return self.total - sum(self.withdrawn)


class SplitBook:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.audit = ctx.audit
        self.splits: dict[bytes, Split] = {}
        self.expected_flow: dict[str, int] = defaultdict(int)  # tx -> units its events say entered (-left)
        self.paid_in_tx: dict[tuple[str, str, bytes], int] = defaultdict(int)  # (tx, payer, split) -> units
        for invariant, sentence in (("S1", S1), ("S2", S2), ("S5", S5)):
            self.audit.check(invariant, sentence)
        self.audit.not_checkable(
            "S3", S3,
            "concerns whether a distribution reverts; DistributionFailed amounts are checked as still claimable under S1",
        )
        self.audit.not_checkable("S4", S4, "a gas measurement, proved by tests/splits/test_split_pay.py")

    def apply(self, event: Event) -> None:
        handler = getattr(self, f"_on_{event.name}", None)
        if handler is not None:
            handler(event, event.args)

    def _split(self, event: Event, split_id: bytes) -> Split | None:
        split = self.splits.get(split_id)
        if split is None:
            self.audit.check("S1").holds(
                False, f"SplitRouter split 0x{split_id.hex()}", "created before use", "SplitCreated", "unknown split",
                self.ctx.at(event),
            )
        return split

    def _on_SplitCreated(self, event: Event, a: dict) -> None:
        n = len(a["recipients"])
        self.splits[a["splitId"]] = Split(
            a["splitId"], a["recipients"], a["allocations"], a["residualIndex"], credited=[0] * n, withdrawn=[0] * n,
        )

    def _on_SplitPaid(self, event: Event, a: dict) -> None:
        split = self._split(event, a["splitId"])
        if split is None:
            return
        split.total += a["amount"]
        self.expected_flow[event.tx] += a["amount"]
        split.paid_by[a["payer"]] += a["amount"]
        self.paid_in_tx[(event.tx, a["payer"], a["splitId"])] += a["amount"]
        self.audit.check("S1").equal(
            f"SplitRouter split 0x{split.id.hex()}", "totalReceived after a payment", split.total, a["totalReceived"],
            self.ctx.at(event),
        )

    def _on_SplitSettled(self, event: Event, a: dict) -> None:
        split = self._split(event, a["splitId"])
        if split is None:
            return
        s1 = self.audit.check("S1")
        subject = f"SplitRouter split 0x{split.id.hex()}"
        s1.equal(subject, "settled amount", split.total - split.settled, a["amount"], self.ctx.at(event))
        split.settle()
        s1.equal(subject, "settledReceived", split.settled, a["settledReceived"], self.ctx.at(event))

    def _recipient(self, event: Event, split: Split, recipient: str) -> int | None:
        if recipient in split.recipients:
            return split.recipients.index(recipient)
        self.audit.check("S1").holds(
            False, f"SplitRouter split 0x{split.id.hex()}", "withdrawal to a recipient", "one of its recipients",
            recipient, self.ctx.at(event),
        )
        return None

    def _on_Withdrawn(self, event: Event, a: dict) -> None:
        split = self._split(event, a["splitId"])
        if split is None or (index := self._recipient(event, split, a["recipient"])) is None:
            return
        claimable = split.entitlements()[index] - split.withdrawn[index]
        subject = f"SplitRouter split 0x{split.id.hex()} recipient {self.ctx.label(a['recipient'])}"
        self.audit.check("S2").holds(
            a["amount"] <= claimable, subject, "withdrawal within the entitlement at that moment", f"<= {claimable}",
            a["amount"], self.ctx.at(event),
        )
        self.audit.check("S1").equal(
            subject, "withdrawal (exactly the claimable amount)", claimable, a["amount"], self.ctx.at(event),
        )
        split.withdrawn[index] += a["amount"]
        self.expected_flow[event.tx] -= a["amount"]

    def _on_DistributionFailed(self, event: Event, a: dict) -> None:
        split = self._split(event, a["splitId"])
        if split is None or (index := self._recipient(event, split, a["recipient"])) is None:
            return
        claimable = split.entitlements()[index] - split.withdrawn[index]
        self.audit.check("S1").equal(
            f"SplitRouter split 0x{split.id.hex()} recipient {self.ctx.label(a['recipient'])}",
            "amount left claimable by a failed distribution", claimable, a["amount"], self.ctx.at(event),
        )

    def finish(self) -> None:
        view, ctx = self.ctx.chain.view, self.ctx
        s1, s5 = self.audit.check("S1"), self.audit.check("S5")
        for split in self.splits.values():
            subject = f"SplitRouter split 0x{split.id.hex()}"
            s1.equal(subject, "totalReceived", split.total, view("SplitRouter", "totalReceived", split.id))
            s1.equal(subject, "settledReceived", split.settled, view("SplitRouter", "settledReceived", split.id))
            entitlements = split.entitlements()
            s1.equal(subject, "sum of entitlements", split.total, sum(entitlements))
            for index, recipient in enumerate(split.recipients):
                who = f"{subject} recipient {ctx.label(recipient)}"
                s5.equal(
                    who, "entitlement (recomputed from payments alone)", entitlements[index],
                    view("SplitRouter", "entitlement", split.id, recipient),
                )
                s1.equal(
                    who, "claimed (sum of Withdrawn events)", split.withdrawn[index],
                    view("SplitRouter", "claimed", split.id, recipient),
                )
                s1.holds(
                    split.withdrawn[index] <= entitlements[index], who, "claimed within entitlement",
                    f"<= {entitlements[index]}", split.withdrawn[index],
                )
        router = ctx.chain.addresses["SplitRouter"]
        owed = sum(split.owed for split in self.splits.values())
        s1.equal(
            f"SplitRouter {router}", "token balance = Σ(totalReceived − claimed) of its splits", owed,
            view("CareUSD", "balanceOf", router),
        )
        s1.figure("splits", len(self.splits))
        s1.figure("received", sum(s.total for s in self.splits.values()))
        s1.figure("claimed", sum(sum(s.withdrawn) for s in self.splits.values()))
        s1.figure("router owes", owed)

    def paid_into(self, split_id: bytes, payer: str) -> int:
        split = self.splits.get(split_id)
        return split.paid_by.get(payer, 0) if split else 0
