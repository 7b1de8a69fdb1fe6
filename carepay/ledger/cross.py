"""The whole-suite invariants X1-X7, over every book at once.

X1 and X4 make their own comparisons: every module's balance (by `balanceOf` and by the Transfer
events) against what its events say it owes, every transaction's token flow in and out of a module
against what its events account for (so a transfer made around the module's functions is named by
its transaction), and what each module paid into each split against the router's record. X2, X3,
X5, X6 and X7 gather the per-contract checks that prove them, and fail with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from carepay.ledger.result import FAIL, PASS

if TYPE_CHECKING:
    from carepay.ledger.replay import Replay

X1 = "Each module's and the router's token balance equals what it still owes (stream and episode ledgers, held refunds and payouts, unclaimed split credits), and every token movement in or out of them is accounted for by their events."
X2 = "Every unit minted is held by someone: the balances rebuilt from Transfer events add up to totalSupply = minted − burned."
X3 = "For every stream and episode, paid to the care team + refunded to the fund + refunded to the patient + still held = deposited."
X4 = "No split recipient is paid more than earned, entitlements add up to totalReceived, and what each module paid into each split equals the router's record of it."
X5 = "The Regulator's budget and patient counters equal the sums over live reservations, and each stream's fund balance is within its reservation."
X6 = "Cancelled streams, completed or refunded episodes and settled milestones never change again."
X7 = "While an institution or the program is frozen its split receives nothing from the modules, while refunds still flow."

GATHERED = {
    "X2": (X2, ("T1",)),
    "X3": (X3, ("C2", "E2")),
    "X5": (X5, ("R4", "C4")),
    "X6": (X6, ("C6", "E3")),
    "X7": (X7, ("R9", "E4")),
    "C5": (None, ("R9",)),
}


def cross_checks(replay: Replay) -> None:
    audit, ctx = replay.audit, replay.ctx
    view = ctx.chain.view
    x1 = audit.check("X1", X1)
    modules = [("CareStream", replay.streams), ("OutcomeEscrow", replay.escrow), ("SplitRouter", replay.splits)]
    if replay.fee_for_service is not None:
        modules.append(("FeeForService", replay.fee_for_service))
    owes = {
        "CareStream": sum(s.held for s in replay.streams.streams.values()) + sum(replay.streams.held_refunds.values()),
        "OutcomeEscrow": sum(e.ledger.total + e.owed for e in replay.escrow.episodes.values()),
        "SplitRouter": sum(s.owed for s in replay.splits.splits.values()),
        "FeeForService": 0,
    }
    for name, book in modules:
        address = ctx.chain.addresses[name]
        balance = view("CareUSD", "balanceOf", address)
        x1.equal(f"{name} {address}", "balanceOf = what its events say it owes", owes[name], balance)
        x1.equal(
            f"{name} {address}", "balance rebuilt from Transfer events = what its events say it owes", owes[name],
            replay.token.balances.get(address, 0),
        )
        x1.figure(f"{name} balance", balance)
        x1.figure(f"{name} owes", owes[name])
        transactions = {tx for tx, transfers in replay.token.transfers_by_tx.items() if any(address in (t.args["from"], t.args["to"]) for t in transfers)}
        for tx in sorted(transactions | set(book.expected_flow)):
            moved = replay.token.net_flow(tx, address)
            expected = book.expected_flow.get(tx, 0)
            x1.equal(
                f"{name} {address}", f"net CareUSD flow in tx {tx} (Transfer events) vs its own events", expected,
                moved,
            )

    x4 = audit.check("X4", X4)
    for name, book in modules:
        if name == "SplitRouter":
            continue
        address = ctx.chain.addresses[name]
        for split_id in sorted(set(book.payouts) | {s for s, split in replay.splits.splits.items() if split.paid_by.get(address)}):
            x4.equal(
                f"split 0x{split_id.hex()}", f"units paid in by {name} (SplitPaid) vs {name}'s payout events",
                book.payouts.get(split_id, 0), replay.splits.paid_into(split_id, address),
            )
    x4.figure("splits", len(replay.splits.splits))
    s1 = audit.check("S1")
    if s1.status == FAIL:
        x4.status = FAIL
        x4.reason = "see S1"

    for invariant, (sentence, sources) in GATHERED.items():
        check = audit.check(invariant, sentence or "")
        failed = [source for source in sources if audit.check(source).status == FAIL]
        check.compared += sum(audit.check(source).compared for source in sources)
        if failed:
            check.status = FAIL
        elif check.status != FAIL:
            check.status = PASS
        check.reason = (check.reason + "; " if check.reason else "") + f"gathers {', '.join(sources)}" + (f" (failed: {', '.join(failed)})" if failed else "")
