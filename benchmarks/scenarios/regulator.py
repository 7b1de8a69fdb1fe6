"""Regulator: configuration, registry, freezes, and the module calls (reserve, commitCharge, topUp, release) made
directly by an account holding MODULE_ROLE, which prices the supervision of a claim on its own."""

from __future__ import annotations

from carepay import codes

from benchmarks.recorder import Recorder
from benchmarks.scenarios.access import measure_admin_rules, measure_roles
from benchmarks.world import BUDGET, DAILY_LIMIT, GENESIS_TIME, PROGRAM_ID, REGION, UNIT, YEAR, derived, patient_id

BONUS = codes.service_type(codes.OUTCOME_BONUS)
RESERVE = ("11 checks (program, initiator, patient, institution, practitioner, coverage, region, payee, budget), "
           "practitioner's day counter, patient usage (deductible met, fund used), institution period ledger, "
           "new 2-slot reservation, Reserved event; no token transfer")
CHARGE = ("the 11 checks of reserve, practitioner's day counter, patient usage (deductible met, fund used), "
          "institution period ledger, the payers' accounts returned, Charged event; no reservation record, "
          "reservationCount untouched; no token transfer")


def measure_catalog(rec: Recorder) -> None:
    w = rec.world
    reg, chain = w.regulator, w.chain
    inst, prac, acct = derived("reg-institution", 0), derived("reg-practitioner", 0), derived("reg-patient", 0)
    pid = patient_id("reg-patient-0")
    rec.measure("Regulator.createProgram", w.admin, reg, "createProgram", w.fund, (GENESIS_TIME, YEAR, 0),
                case="a second program", includes="program counter, 2-slot program record, ProgramCreated")
    rec.measure("Regulator.setCoverage.new", w.admin, reg, "setCoverage", PROGRAM_ID, BONUS,
                (True, False, 5_000, 0, 100 * UNIT), case="new service type (assigns a coverage line)",
                includes="line counter, coverage record, line-to-service map, CoverageSet")
    rec.measure("Regulator.setCoverage.replace", w.admin, reg, "setCoverage", PROGRAM_ID, BONUS,
                (True, False, 6_000, 0, 100 * UNIT), case="replace the rules of a service type",
                includes="coverage record rewritten, CoverageSet")
    rec.measure("Regulator.registerInstitution.new", w.admin, reg, "registerInstitution", inst, REGION,
                case="a new institution", includes="institution record (1 slot), InstitutionRegistered")
    rec.measure("Regulator.registerInstitution.update", w.admin, reg, "registerInstitution", inst, REGION + 1,
                case="re-register (new region)", includes="institution record rewritten, InstitutionRegistered")
    rec.measure("Regulator.setDefaultBudget.new", w.admin, reg, "setDefaultBudget", PROGRAM_ID, inst, BUDGET,
                case="first budget of an institution", includes="default budget slot, DefaultBudgetSet")
    rec.measure("Regulator.setDefaultBudget.update", w.admin, reg, "setDefaultBudget", PROGRAM_ID, inst, BUDGET - 1,
                case="change it", includes="default budget slot rewritten, DefaultBudgetSet")
    rec.measure("Regulator.setPeriodBudget", w.admin, reg, "setPeriodBudget", PROGRAM_ID, inst, 1, BUDGET,
                case="a future period's own budget", includes="period ledger slot (budget, flag), PeriodBudgetSet")
    rec.measure("Regulator.registerPractitioner", w.admin, reg, "registerPractitioner", prac, inst, DAILY_LIMIT,
                case="a new practitioner", includes="practitioner record (1 slot), PractitionerRegistered")
    rec.measure("Regulator.registerPatient.new", w.admin, reg, "registerPatient", pid, acct, PROGRAM_ID, REGION + 1,
                case="a new patient", includes="patient record, registration number, counter, PatientRegistered")
    rec.measure("Regulator.registerPatient.update", w.admin, reg, "registerPatient", pid, acct, PROGRAM_ID, REGION + 1,
                case="re-register (same data)", includes="patient record rewritten, PatientRegistered")
    rec.measure("Regulator.setFundOperator", w.fund, reg, "setFundOperator", PROGRAM_ID, w.keeper, True,
                case="the fund names an operator", includes="program's fund account read, operator flag, FundOperatorSet")
    rec.measure("Regulator.setPayeeApproval", inst, reg, "setPayeeApproval", w.split_id, True,
                case="an institution approves the care-team split", includes="approval flag, PayeeApprovalSet")
    for fn, target, label in (("setProgramFrozen", 2, "program"), ("setInstitutionFrozen", inst, "institution"),
                              ("setPractitionerFrozen", prac, "practitioner"), ("setPatientFrozen", pid, "patient")):
        for frozen in (True, False):
            rec.measure(f"Regulator.{fn}.{'freeze' if frozen else 'unfreeze'}", w.supervisor, reg, fn, target, frozen,
                        case=f"{'freeze' if frozen else 'unfreeze'} a {label}",
                        includes=f"{label} record read and its frozen flag rewritten, {label.capitalize()}Frozen")
    _measure_module_calls(rec, inst, prac, pid)
    measure_roles(rec, reg, "SUPERVISOR_ROLE")
    measure_admin_rules(rec, reg)


def _measure_module_calls(rec: Recorder, inst: str, prac: str, pid: bytes) -> None:
    w = rec.world
    reg, chain = w.regulator, w.chain
    # The region of the patient above differs: cross-region coverage applies (allowed on FOLLOW_UP).
    first = reg.call(w.node, "reservationCount") + 1
    rec.measure("Regulator.reserve.cold", w.module, reg, "reserve", w.claim(100 * UNIT, pid, inst, prac),
                case="first claim of the patient and of the institution this period",
                includes=RESERVE + "; the patient's usage, the institution's ledger and the day counter are new slots")
    rec.measure("Regulator.reserve", w.module, reg, "reserve", w.claim(100 * UNIT, pid, inst, prac),
                case="typical: a later claim, same patient, institution and day", includes=RESERVE)
    rec.measure("Regulator.commitCharge", w.module, reg, "commitCharge", w.claim(100 * UNIT, pid, inst, prac),
                case="typical: a later claim, same patient, institution and day (as Regulator.reserve)",
                includes=CHARGE)
    fund_held, patient_held = _held(rec, first + 1)
    rec.measure("Regulator.topUp", w.module, reg, "topUp", first + 1, fund_held, patient_held, 50 * UNIT, w.operator,
                case="same period: extended in place",
                includes="checks as reserve except practitioner and payee, usage, ledger, reservation, Extended")
    chain.snapshot()
    try:
        rec.measure("Regulator.topUp.renew", w.module, reg, "topUp", first + 1, fund_held, patient_held, 50 * UNIT,
                    w.operator, at=chain.now + YEAR, case="later period: unspent amounts carried into a new reservation",
                    includes="release of the old reservation + new reservation in the new period (new usage and "
                             "ledger slots), Released + Renewed + Extended")
    finally:
        chain.revert()
    rec.measure("Regulator.release", w.module, reg, "release", first + 1, fund_held // 2, patient_held // 2,
                case="partial refund", includes="reservation, patient usage and institution ledger lowered, Released")


def _held(rec: Recorder, reservation_id: int) -> tuple[int, int]:
    r = rec.world.regulator.call(rec.world.node, "getReservation", reservation_id)
    return r[6], r[7]  # fundReserved, patientReserved
