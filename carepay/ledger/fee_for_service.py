"""FeeForService rebuilt from its events: each charge is paid through at once, so the module holds nothing.

Checks F2 and F4 of INVARIANTS.md: the module holds 0 after every payment; each payment's shares are
the Regulator's quote, their sum reaches the split whole, and `totalPaid()` is the sum of the charges.

`ServicePaid` is emitted before the module moves any token, so the router's `SplitPaid` for the same
payment comes later in the same transaction: what reached each split is compared per transaction once
every event has been replayed (`finish`), never at the `ServicePaid` itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from carepay.ledger.context import Context
from carepay.ledger.reader import Event

F2 = "FeeForService holds no CareUSD: every charge it pulls in is paid out in the same transaction."
F4 = (
    "Each fee-for-service payment takes the Regulator's quoted shares and pays their sum, whole, into the split; "
    "totalPaid() is the sum of the charges."
)


@dataclass
class _Charged:
    """The charges `ServicePaid` announced for one split in one transaction."""

    reservations: list[int]
    charge: int
    where: str


class FeeForServiceBook:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.audit = ctx.audit
        self.payments: list[dict] = []
        self.expected_flow: dict[str, int] = defaultdict(int)  # always 0 per transaction
        self.payouts: dict[bytes, int] = defaultdict(int)
        self.charged: dict[tuple[str, bytes], _Charged] = {}  # (tx, split) -> what must reach the split there
        self.audit.check("F2", F2)
        self.audit.check("F4", F4)

    def apply(self, event: Event) -> None:
        if event.name != "ServicePaid":
            return
        a = event.args
        subject = f"FeeForService reservation {a['reservationId']}"
        where = self.ctx.at(event)
        f4 = self.audit.check("F4")
        regulator = self.ctx.books["Regulator"]
        quote = regulator.last_quote.get((event.tx, a["reservationId"]))  # the Regulator's event precedes ServicePaid
        if f4.holds(
            quote is not None, subject, "Regulator charge in the same transaction",
            f"reservation {a['reservationId']} reserved", "none", where,
        ):
            f4.equal(subject, "fund share vs the Regulator's quote", quote["fundShare"], a["fundShare"], where)
            f4.equal(subject, "patient share vs the Regulator's quote", quote["patientShare"], a["patientShare"], where)
        charge = a["fundShare"] + a["patientShare"]
        charged = self.charged.setdefault((event.tx, a["splitId"]), _Charged([], 0, where))
        charged.reservations.append(a["reservationId"])
        charged.charge += charge
        blocked = regulator.payout_blocked(a["reservationId"])
        self.audit.check("R9").holds(
            blocked is None, subject, "payout while frozen", "no payout", f"{charge} units paid while {blocked}", where,
        )
        self.payouts[a["splitId"]] += charge
        self.payments.append({"reservation": a["reservationId"], "institution": a["institution"], "split": a["splitId"], "fund": a["fundShare"], "patient": a["patientShare"]})

    def check_splits_paid(self) -> None:
        """F4: each transaction's charges reached their split whole (after every event of the transaction)."""
        module = self.ctx.chain.addresses["FeeForService"]
        f4 = self.audit.check("F4")
        paid_in_tx = self.ctx.books["SplitRouter"].paid_in_tx
        for (tx, split_id), charged in self.charged.items():
            subject = "FeeForService reservation" + ("s " if len(charged.reservations) > 1 else " ")
            subject += ", ".join(str(r) for r in charged.reservations)
            f4.equal(
                subject, f"paid into split 0x{split_id.hex()} in the same transaction",
                charged.charge, paid_in_tx.get((tx, module, split_id), 0), charged.where,
            )

    def finish(self) -> None:
        self.check_splits_paid()
        module = self.ctx.chain.addresses["FeeForService"]
        f4 = self.audit.check("F4")
        charged_total = sum(p["fund"] + p["patient"] for p in self.payments)
        total_paid = self.ctx.chain.view("FeeForService", "totalPaid")
        f4.equal(f"FeeForService {module}", "totalPaid() vs Σ ServicePaid charges", charged_total, total_paid)
        f2 = self.audit.check("F2")
        balance = self.ctx.chain.view("CareUSD", "balanceOf", module)
        f2.equal(f"FeeForService {module}", "token balance", 0, balance)
        f2.figure("payments", len(self.payments))
        f2.figure("paid through", charged_total)
        f2.figure("module balance", balance)
        f4.figure("totalPaid", total_paid)
