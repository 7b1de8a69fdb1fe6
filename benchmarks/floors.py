"""What beating each model system would take: the measured parts of an operation (benchmarks/breakdown.py),
and the design changes that would remove gas, each priced from those parts and the EVM's storage prices,
applied one after another until the model's figure is beaten (or the list runs out).

The savings are estimates of what a change removes (a new slot costs 22,100; a call's measured gasUsed; an
event's LOG gas); they leave out the code a change would add, so a change that does not beat the model here
would not beat it built either. Every change is a trade-off the current design declined for a reason, given
beside it.
"""

from __future__ import annotations

from typing import Any

from benchmarks.breakdown import COLD_ACCOUNT, NEW_SLOT, REWRITE_COLD_SLOT

#: New slots a Regulator reservation takes (types/Supervision.sol, ReservationRecord).
RESERVATION_SLOTS = 2


def _call(row: dict[str, Any], name: str) -> list[int]:
    return [c["gas"] for c in row["calls"] if c["call"] == name]


def _changes_for_stream_create(row: dict[str, Any]) -> list[tuple[str, int]]:
    # No "smaller event" change: with the terms as calldata, the creation event is where callers get them.
    stream_slots = row["new_slots"] - RESERVATION_SLOTS
    pulls = _call(row, "CareUSD.transferFrom")
    return [
        ("(a) stream terms as calldata: the stream keeps keccak(terms) and one mutable slot that starts at zero, and "
         "every call passes the terms back (OutcomeEscrow already works so; LlamaPay's model). Declined: a keeper "
         "must fetch the terms from the StreamCreated event to withdraw", NEW_SLOT * (stream_slots - 1)),
        ("(b) no reservation record in the Regulator: the module keeps the link in its hashed terms and reports "
         "what it releases. Declined: the Regulator could no longer check a release against the reservation itself "
         "(R7, R8 rest on the module's code instead)", NEW_SLOT * RESERVATION_SLOTS + REWRITE_COLD_SLOT),
        ("(d) no split-existence call: a stream to an unknown split would fail at its first payout instead. "
         "Declined: the payer would learn it only after paying", sum(_call(row, "SplitRouter.splitExists"))
         + COLD_ACCOUNT),
        ("(e) the fund share taken from a balance the fund pre-deposits in the module (an internal debit) instead of "
         "a transferFrom from the fund account. Declined: fund money would sit in the module between claims",
         (pulls[0] - REWRITE_COLD_SLOT) if pulls else 0),
    ]


def _changes_for_escrow_create(row: dict[str, Any]) -> list[tuple[str, int]]:
    pulls = _call(row, "CareUSD.transferFrom")
    return [
        ("(b) no reservation record in the Regulator (as for streams). Declined: releases could no longer be "
         "checked against the reservation by the Regulator", NEW_SLOT * RESERVATION_SLOTS + REWRITE_COLD_SLOT),
        ("(f) the deposits hashed with the terms (an episode is never topped up) and the payouts packed beside the "
         "progress: one episode slot fewer. Declined: 56-bit payout fields, and the deposits passed to every call",
         NEW_SLOT),
        ("(d) no split-existence call (as for streams)", sum(_call(row, "SplitRouter.splitExists")) + COLD_ACCOUNT),
        ("(e) the fund share from a pre-deposited balance (as for streams)",
         (pulls[0] - REWRITE_COLD_SLOT) if pulls else 0),
    ]


def _changes_for_cancel(row: dict[str, Any]) -> list[tuple[str, int]]:
    refunds = _call(row, "CareUSD.transfer")
    return [
        ("(g) leave the care team's part in the stream for a later withdraw, as Sablier Lockup's cancel does. "
         "Declined: the issue asks cancel to pay what has streamed", sum(_call(row, "SplitRouter.pay"))
         + sum(_call(row, "Regulator.checkPayout")) + COLD_ACCOUNT),
        ("(h) the refund to one payer only (a stream the fund or the patient paid alone; Sablier refunds one "
         "sender). Not a design change: it holds only for such streams", refunds[-1] if len(refunds) > 1 else 0),
    ]


ANALYSES = [
    # (breakdown key, operation, model, model gas, changes)
    ("CareStream.create", "create and fund a stream", "Sablier Flow createAndDeposit", 162_574,
     _changes_for_stream_create),
    ("CareStream.cancel", "cancel a stream with refund", "Sablier Lockup cancel", 98_047, _changes_for_cancel),
    ("OutcomeEscrow.createEpisode.1_milestone", "fund a milestone escrow (1 milestone)", "Sablier Lockup create",
     200_995, _changes_for_escrow_create),
]


def analyse(breakdown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = {r["key"]: r for r in breakdown}
    result = []
    for key, operation, model, model_gas, changes in ANALYSES:
        row = rows[key]
        if row["gas"] < model_gas:
            continue  # beaten as built: nothing to analyse
        estimate, steps, beaten_after = row["gas"], [], None
        for change, saving in changes(row):
            estimate -= saving
            steps.append({"change": change, "saving": saving, "estimate": estimate})
            if beaten_after is None and estimate < model_gas:
                beaten_after = len(steps)
        result.append({"key": key, "operation": operation, "model": model, "model_gas": model_gas,
                       "measured": row["gas"], "steps": steps, "beaten_after": beaten_after})
    return result
