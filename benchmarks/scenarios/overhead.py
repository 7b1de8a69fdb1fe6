"""The price of supervision: the same money movement with and without the Regulator.

Each pair names exactly what both sides include, so the difference is what the Regulator (and the module's
bookkeeping that exists only because of it) adds.
"""

from __future__ import annotations

from typing import Any

from benchmarks.recorder import Recorder
from benchmarks.scenarios.fee_for_service import CHARGE, payer
from benchmarks.world import UNIT


RESERVE_WHY = (
    "The Regulator's checks read about ten cold slots (2,100 each: program, patient, institution, practitioner, "
    "day counter, coverage, payee approval, usage, ledger, budget) and a new claim writes a 2-slot reservation "
    "(22,100 per new slot) and updates the day counter, the patient's usage and the institution's ledger, then "
    "emits Reserved with the whole claim. Under 20,000 would take a different design: no per-claim reservation "
    "record (the module's own record carrying the amounts), one packed word per party for registration and "
    "freeze flags, and counters kept per period in one slot.")

CHARGE_WHY = (
    "The Regulator's checks read the same cold slots as a reservation (2,100 each: program, patient, institution, "
    "practitioner, day counter, coverage, payee approval, usage, ledger, budget) and update the day counter, the "
    "patient's usage and the institution's ledger, then emit Charged with the whole claim; no reservation record "
    "is written (the two new slots and the count a reservation costs). Under 20,000 would take one packed word "
    "per party for registration and freeze flags, and counters kept per period in one slot.")


def measure(rec: Recorder, catalog: Recorder) -> list[dict[str, Any]]:
    w = rec.world
    pairs: list[dict[str, Any]] = []
    direct = rec.measure("overhead.split_pay_direct", w.fund, w.router, "pay", w.split_id, CHARGE,
                         case="the fund pays the care-team split directly (no Regulator)",
                         includes="CareUSD transferFrom fund to router, split ledger, SplitPaid + Transfer")
    reserve = catalog.row("Regulator.reserve")
    pairs.append({
        "name": "reservation of a claim (Regulator.reserve alone, called by a module account)",
        "supervised": reserve["gas"], "unsupervised": 21_000 + reserve["calldata_gas"],
        "overhead": reserve["execution_gas"],
        "what": "unsupervised = the same transaction's 21,000 base and calldata; the overhead is the "
                "execution gas of reserve, warm case: every check and the counters; called from a contract it "
                "adds a call (~2,600 cold account access + ~1,000 call and ABI costs)", "why": RESERVE_WHY})
    charge = catalog.row("Regulator.commitCharge")
    pairs.append({
        "name": "charge of a claim paid at once (Regulator.commitCharge alone, called by a module account)",
        "supervised": charge["gas"], "unsupervised": 21_000 + charge["calldata_gas"],
        "overhead": charge["execution_gas"],
        "what": "as the reservation above, the same claim and checks and counters, without the reservation record "
                "(what FeeForService calls)", "why": CHARGE_WHY})
    if w.ffs is not None:
        try:
            sender = payer(rec)
            supervised = rec.measure("overhead.ffs_pay", sender, w.ffs, "pay", w.ffs_payment(CHARGE, record=b"\x71" * 32),
                                     case="the same charge through FeeForService (warm)",
                                     includes="Regulator.commitCharge + fund-share and patient-share transferFrom + "
                                              "SplitRouter.pay, Charged + ServicePaid")
            pairs.append({
                "name": "immediate payment: FeeForService.pay versus SplitRouter.pay of the same charge",
                "supervised": supervised.total, "unsupervised": direct.total,
                "overhead": supervised.total - direct.total,
                "what": "the supervised side adds the Regulator's charge (checks and counters, no reservation), a "
                        "second payer's transferFrom (the patient share) and the module's own transfer into the "
                        "router", "why": CHARGE_WHY})
        except Exception as error:  # noqa: BLE001 - reported, not fatal
            pairs.append({"name": "FeeForService.pay", "error": str(error)})
    withdraw = catalog.row("CareStream.withdraw")
    pairs.append({
        "name": "stream payout: CareStream.withdraw versus SplitRouter.pay by an account",
        "supervised": withdraw["gas"], "unsupervised": direct.total, "overhead": withdraw["gas"] - direct.total,
        "what": "the supervised side adds Regulator.checkPayout (program and institution not frozen) and the "
                "stream's accrual and payer-share bookkeeping (accrual slot and packed ledger slot)",
        "why": "checkPayout is a call into another contract (2,600 for the cold account) that reads the reservation, "
               "the program and the institution (cold slots, 2,100 each); the stream then rewrites its payer-share "
               "ledger (the fund and patient parts of the payout) and emits Withdrawn. Under 20,000 would take a "
               "freeze check the module can answer from one warm slot (e.g. a freeze epoch it caches) and the accrual and "
               "payer ledger in one slot instead of two."})
    return pairs
