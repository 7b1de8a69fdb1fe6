"""FeeForService rebuilt from its events: each charge is paid through at once, so the module holds nothing.

Checks F2 and F4 of INVARIANTS.md: the module holds 0 after every payment; each payment's shares are
the Regulator's quote, their sum reaches the split whole, and `totalPaid()` is the sum of the charges.
A payment makes no reservation: its record is the Regulator's `Charged` (the claim and the quote) followed
by the module's `ServicePaid` in the same transaction, paired here (payments are numbered from 1 in order).

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

    payments: list[int]
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
        number = len(self.payments) + 1
        subject = f"FeeForService payment {number}"
        where = self.ctx.at(event)
        f4 = self.audit.check("F4")
        regulator = self.ctx.books["Regulator"]
        # The Regulator's Charged precedes ServicePaid in the same transaction, and `pay` cannot be re-entered:
        # the module's latest unpaired charge of the transaction is this payment's.
        paired = regulator.take_charge(event.tx, self.ctx.chain.addresses["FeeForService"])
        period = None
        if f4.holds(
            paired is not None, subject, "Regulator charge in the same transaction", "Charged by the module before it",
            "none", where,
        ):
            charged, quote = paired
            period = quote["period"]
            f4.equal(subject, "fund share vs the Regulator's quote", quote["fundShare"], a["fundShare"], where)
            f4.equal(subject, "patient share vs the Regulator's quote", quote["patientShare"], a["patientShare"], where)
            for field, recorded, paid in (
                ("program", charged.program, a["programId"]), ("patient", charged.patient, a["patientId"]),
                ("institution", charged.institution, a["institution"]), ("service type", charged.service, a["serviceType"]),
            ):
                f4.equal(subject, f"{field} vs the Regulator's charge", recorded, paid, where)
        charge = a["fundShare"] + a["patientShare"]
        charged_split = self.charged.setdefault((event.tx, a["splitId"]), _Charged([], 0, where))
        charged_split.payments.append(number)
        charged_split.charge += charge
        blocked = regulator.payout_blocked_for(a["programId"], a["institution"])
        self.audit.check("R9").holds(
            blocked is None, subject, "payout while frozen", "no payout", f"{charge} units paid while {blocked}", where,
        )
        self.payouts[a["splitId"]] += charge
        self.payments.append({
            "payment": number, "program": a["programId"], "period": period, "institution": a["institution"],
            "split": a["splitId"], "fund": a["fundShare"], "patient": a["patientShare"],
        })

    def check_splits_paid(self) -> None:
        """F4: each transaction's charges reached their split whole (after every event of the transaction)."""
        module = self.ctx.chain.addresses["FeeForService"]
        f4 = self.audit.check("F4")
        paid_in_tx = self.ctx.books["SplitRouter"].paid_in_tx
        for (tx, split_id), charged in self.charged.items():
            subject = "FeeForService payment" + ("s " if len(charged.payments) > 1 else " ")
            subject += ", ".join(str(n) for n in charged.payments)
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
