"""FeeForService rebuilt from its events: each charge is paid through at once, so the module holds nothing.

Checks F2 and F4 (INVARIANTS.md's F2 and F4: the module holds 0 after every payment and
each payment's shares are the Regulator's quote and reach the split whole).
"""

from __future__ import annotations

from collections import defaultdict

from carepay.ledger.context import Context
from carepay.ledger.reader import Event

F2 = "FeeForService holds no CareUSD: every charge it pulls in is paid out in the same transaction."
F4 = "Each fee-for-service payment takes the Regulator's quoted shares and pays their sum, whole, into the split."


class FeeForServiceBook:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.audit = ctx.audit
        self.payments: list[dict] = []
        self.expected_flow: dict[str, int] = defaultdict(int)  # always 0 per transaction
        self.payouts: dict[bytes, int] = defaultdict(int)
        self.audit.check("F2", F2)
        self.audit.check("F4", F4)

    def apply(self, event: Event) -> None:
        if event.name != "ServicePaid":
            return
        a = event.args
        subject = f"FeeForService reservation {a['reservationId']}"
        where = self.ctx.at(event)
        f2 = self.audit.check("F4")
        regulator = self.ctx.books["Regulator"]
        quote = regulator.last_quote.get((event.tx, a["reservationId"]))
        if f2.holds(
            quote is not None, subject, "Regulator charge in the same transaction",
            f"reservation {a['reservationId']} reserved", "none", where,
        ):
            f2.equal(subject, "fund share vs the Regulator's quote", quote["fundShare"], a["fundShare"], where)
            f2.equal(subject, "patient share vs the Regulator's quote", quote["patientShare"], a["patientShare"], where)
        charge = a["fundShare"] + a["patientShare"]
        module = self.ctx.chain.addresses["FeeForService"]
        paid = self.ctx.books["SplitRouter"].paid_in_tx.get((event.tx, module, a["splitId"]), 0)
        f2.equal(subject, f"paid into split 0x{a['splitId'].hex()} in the same transaction", charge, paid, where)
        blocked = regulator.payout_blocked(a["reservationId"])
        self.audit.check("R9").holds(
            blocked is None, subject, "payout while frozen", "no payout", f"{charge} units paid while {blocked}", where,
        )
        self.payouts[a["splitId"]] += charge
        self.payments.append({"reservation": a["reservationId"], "institution": a["institution"], "split": a["splitId"], "fund": a["fundShare"], "patient": a["patientShare"]})

    def finish(self) -> None:
        module = self.ctx.chain.addresses["FeeForService"]
        f1 = self.audit.check("F2")
        balance = self.ctx.chain.view("CareUSD", "balanceOf", module)
        f1.equal(f"FeeForService {module}", "token balance", 0, balance)
        f1.figure("payments", len(self.payments))
        f1.figure("paid through", sum(p["fund"] + p["patient"] for p in self.payments))
        f1.figure("module balance", balance)
