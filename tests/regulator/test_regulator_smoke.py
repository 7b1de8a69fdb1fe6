from .conftest import PATIENT, PATIENT2, FOLLOW_UP, UNIT
from .events import assert_fields, single


def test_smoke(regulator, reserve, actors, claim):
    tx, rid = reserve()
    print("first", tx.gas_used)
    tx, rid = reserve()
    print("second same patient", tx.gas_used)
    tx, rid = reserve(patient_id=PATIENT2, initiator=actors.patient2, practitioner=actors.practitioner3)
    print("other patient/practitioner", tx.gas_used)
    tx, rid = reserve(patient_id=PATIENT2, initiator=actors.operator, practitioner=actors.practitioner3)
    print("operator initiator", tx.gas_used)
    tx = regulator.topUp(rid, 0, 0, 10 * UNIT, actors.patient2, sender=actors.module)
    print("topup", tx.gas_used)
    tx = regulator.release(rid, 1 * UNIT, 1 * UNIT, sender=actors.module)
    print("release", tx.gas_used)
    print("checkPayout", regulator.checkPayout.estimate_gas_cost(rid, sender=actors.module))
