"""Gas of the calls payment modules make, measured with a module EOA (tx.gas_used includes the 21,000 base and
calldata). Printed for the report (`-s`); the bounds only guard against regressions."""

import pytest

from .conftest import CHRONIC, PATIENT2, UNIT
from .periods import DAY, add_months

GAS = {}


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    if GAS:
        print("\nRegulator gas (tx.gas_used, module EOA):")
        for name, gas in GAS.items():
            print(f"  {name:<52} {gas:>8,}")


def test_gas__reserve_top_up_release_check_payout(regulator, actors, reserve, anchor, at):
    tx, _ = reserve(charge=100 * UNIT)
    GAS["reserve: first ever (every counter fresh)"] = tx.gas_used
    tx, rid = reserve(charge=100 * UNIT)
    GAS["reserve: same patient, practitioner and day"] = tx.gas_used
    assert tx.gas_used < 135_000  # 152,639 before the packed layout; 128,131 after
    tx, _ = reserve(patient_id=PATIENT2, initiator=actors.patient2, practitioner=actors.practitioner3)
    GAS["reserve: new patient and practitioner of the day"] = tx.gas_used
    tx, _ = reserve(charge=100 * UNIT, initiator=actors.operator)
    GAS["reserve: fund operator as initiator"] = tx.gas_used

    tx = regulator.topUp(rid, 0, 0, 10 * UNIT, actors.patient, sender=actors.module)
    GAS["topUp: same period"] = tx.gas_used
    assert tx.gas_used < 75_000

    tx = regulator.release(rid, 10 * UNIT, 10 * UNIT, sender=actors.module)
    GAS["release: partial (no deductible restored)"] = tx.gas_used
    assert tx.gas_used < 50_000

    GAS["checkPayout (estimate, includes 21,000)"] = regulator.checkPayout.estimate_gas_cost(rid, sender=actors.module)

    held = regulator.getReservation(rid)
    tx = regulator.release(rid, held.fundReserved, held.patientReserved, sender=actors.module)
    GAS["release: everything (deductible restored)"] = tx.gas_used

    _, chronic = reserve(service_type=CHRONIC, charge=100 * UNIT, practitioner=actors.practitioner3)
    at(add_months(anchor, 1) + DAY)
    tx = regulator.topUp(chronic, 50 * UNIT, 5 * UNIT, 10 * UNIT, actors.patient, sender=actors.module)
    GAS["topUp: later period (renewal)"] = tx.gas_used
    assert tx.gas_used < 180_000


def test_gas__check_payout_reads_no_freeze_flags_while_nothing_is_frozen(regulator, actors, reserve):
    _, rid = reserve(charge=100 * UNIT)
    nothing_frozen = regulator.checkPayout.estimate_gas_cost(rid, sender=actors.module)
    regulator.setInstitutionFrozen(actors.institution2, True, sender=actors.supervisor)
    other_frozen = regulator.checkPayout.estimate_gas_cost(rid, sender=actors.module)
    GAS["checkPayout, nothing frozen (estimate)"] = nothing_frozen
    GAS["checkPayout, another institution frozen (estimate)"] = other_frozen
    # The program's and the institution's records (two cold slots, 2,100 gas each) are read only in the second.
    assert other_frozen - nothing_frozen >= 4_000
