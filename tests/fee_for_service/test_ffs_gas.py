"""Gas of a whole `pay` transaction (Regulator, token and router included), printed for the benchmarks.

"Cold patient": the patient's first payment of the period for the service type, so the Regulator writes the
patient's counters from zero. "Warm patient": the same patient's next payment, counters already non-zero.
Both run after a first payment of the module by another patient, so the module's total, the institution's
budget ledger, the doctor's daily counter and the split's ledger are already non-zero: the difference is the
patient's. No payment writes a reservation: the Regulator's `commitCharge` only updates the counters.
"""

from .conftest import PATIENT2_ID

# Measured (solc 0.8.37, prague): cold patient 179,030, warm patient 161,933. Through `reserve` (a two-slot
# reservation and the reservation count on top of the same checks and counters) each was about 52k more (the
# benchmarks: FeeForService.pay warm 211,050 before, 158,928 with `commitCharge`). Most of it is the Regulator's
# `commitCharge` (its checks and counters) and the three token transfers (fund and patient in, the charge out).
# The bounds leave room for small changes, not for another fresh storage write (22.1k).
COLD_PATIENT_BOUND = 190_000
WARM_PATIENT_BOUND = 172_000


def test_gas__pay__cold_and_warm_patient_stay_within_their_bounds(world, pay):
    figures = {}
    figures["first payment of the module (everything zero)"] = pay().gas_used
    figures["cold patient (first visit of the period)"] = pay(patient_id=PATIENT2_ID, sender=world.patient2).gas_used
    figures["warm patient (second visit, same day)"] = pay(patient_id=PATIENT2_ID, sender=world.patient2).gas_used
    figures["warm patient, paid by a fund operator"] = pay(patient_id=PATIENT2_ID, sender=world.operator).gas_used

    print("\n[gas] FeeForService.pay, whole transactions:")
    for name, gas in figures.items():
        print(f"[gas]   {name:<55} {gas:>8,}")
    assert figures["cold patient (first visit of the period)"] < COLD_PATIENT_BOUND
    assert figures["warm patient (second visit, same day)"] < WARM_PATIENT_BOUND
