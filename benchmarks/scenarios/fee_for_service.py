"""FeeForService (present once its branch is merged): pay((programId, patientId, institution, practitioner,
serviceType, splitId, charge, serviceRecordHash)), an immediate supervised payment. Measured only when the
build has the contract; its other state-changing functions, if any, are listed as not measured."""

from __future__ import annotations

from benchmarks.chain import TransactionFailed
from benchmarks.recorder import Recorder
from benchmarks.world import UNIT, derived, patient_id

PAY = ("Regulator.commitCharge (the 11 checks of reserve, day counter, patient usage, institution ledger, no reservation "
       "record), CareUSD transferFrom of the fund share and of the patient share, SplitRouter.pay, Charged + "
       "ServicePaid")
CHARGE = 80 * UNIT


def payer(rec: Recorder) -> str:
    """Who sends pay: a fund operator if the module accepts it, else the patient's own account."""
    w = rec.world
    for sender in (w.operator, w.patient):
        try:
            w.chain.node.call("eth_estimateGas", {"from": sender, "to": w.ffs.address,
                                                  "data": w.ffs.data("pay", w.ffs_payment(CHARGE))})
            return sender
        except Exception:  # noqa: BLE001 - any refusal means: try the next sender
            continue
    raise TransactionFailed("FeeForService.pay refused both the fund operator and the patient as sender")


def measure_catalog(rec: Recorder) -> list[str]:
    """Returns notes (empty when everything was measured)."""
    w = rec.world
    if w.ffs is None:
        return ["FeeForService is not in this build: its rows appear after the merge without code changes."]
    f, chain = w.ffs, w.chain
    cold_patient, cold_account = patient_id("ffs-cold-patient"), derived("ffs-cold-patient", 0)
    cold_inst, cold_prac = derived("ffs-cold-institution", 0), derived("ffs-cold-practitioner", 0)
    chain.send_many(w.register_patient_calls(cold_patient, cold_account)
                    + w.register_institution_calls(cold_inst, cold_prac))
    try:
        sender = payer(rec)
        rec.measure("FeeForService.pay.first", sender, f, "pay", w.ffs_payment(CHARGE, record=b"\x61" * 32),
                    case="first payment through the module (patient and institution already claimed elsewhere)",
                    includes=PAY)
        rec.measure("FeeForService.pay", sender, f, "pay", w.ffs_payment(CHARGE, record=b"\x62" * 32),
                    case="typical: same patient, institution and day as an earlier payment", includes=PAY)
        if sender != w.patient:
            rec.measure("FeeForService.pay.cold_patient", sender, f, "pay",
                        w.ffs_payment(CHARGE, patient=cold_patient, record=b"\x63" * 32),
                        case="a patient's first claim of the period", includes=PAY + "; the patient's usage slot is new")
        rec.measure("FeeForService.pay.cold_institution", sender, f, "pay",
                    w.ffs_payment(CHARGE, institution=cold_inst, practitioner=cold_prac, record=b"\x64" * 32),
                    case="an institution's first claim of the period",
                    includes=PAY + "; the institution's ledger and the practitioner's day counter are new")
    except TransactionFailed as error:
        return [f"FeeForService.pay could not be measured: {error}"]
    return []
