"""SplitRouter: the catalog (create, pay, withdraw, distribute; first versus later) and the scaling of
paying into and claiming from a split with 1, 2, 5, 10 and MAX_RECIPIENTS recipients."""

from __future__ import annotations

from typing import Any

from benchmarks.recorder import Recorder
from benchmarks.world import UNIT, derived

SCALE = 1_000_000
SIZES = (1, 2, 5, 10)
PAY = "CareUSD transferFrom payer to router (balance before and after read), split ledger slot, SplitPaid + Transfer"
WITHDRAW = "split ledger read, recipient's share slot, CareUSD transfer to the recipient, Withdrawn + Transfer"


def split_definition(label: str, count: int) -> tuple[list[str], list[int]]:
    """`count` fixed recipients in ascending order with allocations adding up to SCALE (remainder to the first)."""
    recipients = sorted((derived(label, i) for i in range(count)), key=lambda a: int(a, 16))
    each = SCALE // count
    return recipients, [SCALE - each * (count - 1)] + [each] * (count - 1)


def measure_catalog(rec: Recorder) -> None:
    w = rec.world
    r = w.router
    recipients, allocations = split_definition("catalog-split", 3)
    split = r.call(w.node, "computeSplitId", recipients, allocations, 0)
    rec.measure("SplitRouter.createSplit", w.keeper, r, "createSplit", recipients, allocations, 0,
                case="3 recipients (a care team)", includes="validation, ledger slot, recipients array (1 + 3 slots), "
                "3 share slots, SplitCreated")
    rec.measure("SplitRouter.createSplit.existing", w.keeper, r, "createSplit", recipients, allocations, 0,
                case="the same definition again: returns the existing id", includes="id hash and one slot read")
    rec.measure("SplitRouter.pay.first", w.holder, r, "pay", split, 100 * UNIT, case="first payment into a split",
                includes=PAY + "; costs as a later one: the ledger slot already holds the recipient count")
    rec.measure("SplitRouter.pay", w.holder, r, "pay", split, 100 * UNIT, case="typical: a later payment", includes=PAY)
    rec.measure("SplitRouter.withdraw.first", w.keeper, r, "withdraw", split, recipients[1],
                case="a non-residual recipient's first claim (its CareUSD balance was zero)",
                includes=WITHDRAW + "; the recipient's balance slot is new")
    w.tx(w.holder, r, "pay", split, 100 * UNIT)
    rec.measure("SplitRouter.withdraw", w.keeper, r, "withdraw", split, recipients[1],
                case="typical: a later claim by a non-residual recipient", includes=WITHDRAW)
    rec.measure("SplitRouter.withdraw.residual", w.keeper, r, "withdraw", split, recipients[0],
                case="the residual recipient: settles the split first (3 recipients)",
                includes="settlement (credited of every recipient, settledReceived, SplitSettled), " + WITHDRAW)
    w.tx(w.holder, r, "pay", split, 100 * UNIT)
    rec.measure("SplitRouter.distribute", w.keeper, r, "distribute", split,
                case="to all 3 recipients (each had claimed before)",
                includes="settlement, then per recipient: share slot + CareUSD transfer + Withdrawn")


def measure_scaling(rec: Recorder, max_recipients: int) -> dict[str, Any]:
    """Pay, withdraw (non-residual and residual) and distribute at each size; returns the figures and slopes."""
    w = rec.world
    r = w.router
    sizes = [n for n in SIZES if n < max_recipients] + [max_recipients]
    figures: dict[str, dict[int, int]] = {k: {} for k in ("pay", "withdraw", "withdraw_residual", "distribute_first",
                                                          "distribute_later")}
    for n in sizes:
        recipients, allocations = split_definition(f"scaling-{n}", n)
        split = r.call(w.node, "computeSplitId", recipients, allocations, 0)
        w.tx(w.keeper, r, "createSplit", recipients, allocations, 0)
        w.tx(w.holder, r, "pay", split, 1_000 * UNIT)
        figures["pay"][n] = rec.measure(f"split.{n}.pay", w.holder, r, "pay", split, 1_000 * UNIT,
                                        case=f"{n} recipients, later payment", includes=PAY).total
        figures["distribute_first"][n] = rec.measure(
            f"split.{n}.distribute_first", w.keeper, r, "distribute", split, case=f"{n} recipients, first claim of each",
            includes="settlement + per recipient: share slot, CareUSD transfer to a new holder (new balance slot)").total
        w.tx(w.holder, r, "pay", split, 1_000 * UNIT)
        figures["distribute_later"][n] = rec.measure(
            f"split.{n}.distribute_later", w.keeper, r, "distribute", split, case=f"{n} recipients, later claim",
            includes="settlement + per recipient: share slot, CareUSD transfer to an existing holder").total
        w.tx(w.holder, r, "pay", split, 1_000 * UNIT)
        if n > 1:
            figures["withdraw"][n] = rec.measure(
                f"split.{n}.withdraw", w.keeper, r, "withdraw", split, recipients[1],
                case=f"{n} recipients, a non-residual recipient's later claim",
                includes="the residual's lazy sum is not needed: " + WITHDRAW).total
        figures["withdraw_residual"][n] = rec.measure(
            f"split.{n}.withdraw_residual", w.keeper, r, "withdraw", split, recipients[0],
            case=f"{n} recipients, the residual recipient's later claim (settles every recipient)",
            includes="settlement of n shares, " + WITHDRAW).total
    slopes = {name: _slope(points) for name, points in figures.items()}
    return {"sizes": sizes, "gas": {k: {str(n): g for n, g in v.items()} for k, v in figures.items()},
            "slope_per_recipient": slopes}


def _slope(points: dict[int, int]) -> int | None:
    """Gas per extra recipient: (gas at the largest size - gas at the smallest) / (difference in size), rounded."""
    if len(points) < 2:
        return None
    lo, hi = min(points), max(points)
    return round((points[hi] - points[lo]) / (hi - lo))
