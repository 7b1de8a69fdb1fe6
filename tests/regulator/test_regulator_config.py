"""Configuration, registry, freezes, fund operators and payee approvals: events, state and validation errors."""

import ape
import pytest
from eth_utils import keccak

from carepay.cost_sharing import Coverage

from .conftest import (
    ADMIN_DELAY,
    CHRONIC,
    DEFAULT_BUDGET,
    FOLLOW_UP,
    FOLLOW_UP_COVERAGE,
    OTHER_REGION,
    PATIENT,
    PAYEE,
    REGION,
    UNIT,
    coverage_tuple,
)
from .events import assert_fields, single
from .periods import DAY, MONTHS, SECONDS, add_months

ZERO = "0x0000000000000000000000000000000000000000"
ZERO32 = b"\x00" * 32
NEW_SERVICE = keccak(text="DIGITAL_TWIN_STAGE")
NEW_PATIENT = keccak(text="patient-new")


# ------------------------------------------------------------------------------------------------ deployment


def test_constructor__sets_admin_delay_and_role_ids(regulator, actors):
    assert regulator.defaultAdmin() == actors.admin
    assert regulator.defaultAdminDelay() == ADMIN_DELAY
    assert regulator.owner() == actors.admin
    for name in ("CONFIGURATOR_ROLE", "REGISTRAR_ROLE", "SUPERVISOR_ROLE", "MODULE_ROLE", "ARBITER_ROLE"):
        assert getattr(regulator, name)() == keccak(text=name)


def test_constructor__zero_admin__reverts(project, actors):
    with ape.reverts(project.Regulator.AccessControlInvalidDefaultAdmin, defaultAdmin=ZERO):
        actors.admin.deploy(project.Regulator, ADMIN_DELAY, ZERO)


def test_arbiter_role__granted_by_admin__is_held(regulator, actors):
    role = regulator.ARBITER_ROLE()
    assert not regulator.hasRole(role, actors.outsider)
    tx = regulator.grantRole(role, actors.outsider, sender=actors.admin)
    assert_fields(single(regulator.RoleGranted, tx), role=role, account=actors.outsider, sender=actors.admin)
    assert regulator.hasRole(role, actors.outsider)


# ------------------------------------------------------------------------------------------------ programs


def test_create_program__months__stores_and_emits(regulator, actors, anchor):
    schedule = (add_months(anchor, 1), 3, MONTHS)
    tx = regulator.createProgram(actors.outsider, schedule, sender=actors.configurator)
    log = single(regulator.ProgramCreated, tx)
    assert_fields(log, programId=2, fundAccount=actors.outsider, schedule=schedule)
    assert regulator.programCount() == 2
    program = regulator.getProgram(2)
    assert_fields(program, fundAccount=actors.outsider, schedule=schedule, frozen=False)


def test_create_program__seconds_with_any_anchor__stores(regulator, actors):
    schedule = (1_234_567, 7 * DAY, SECONDS)
    tx = regulator.createProgram(actors.fund, schedule, sender=actors.configurator)
    assert_fields(single(regulator.ProgramCreated, tx), programId=2, fundAccount=actors.fund, schedule=schedule)
    assert_fields(regulator.getProgram(2), fundAccount=actors.fund, schedule=schedule, frozen=False)


def test_create_program__zero_fund_account__reverts(regulator, actors, anchor):
    with ape.reverts(regulator.Regulator_ZeroFundAccount):
        regulator.createProgram(ZERO, (anchor, 1, MONTHS), sender=actors.configurator)


@pytest.mark.parametrize("unit", [SECONDS, MONTHS])
def test_create_program__zero_length__reverts(regulator, actors, anchor, unit):
    with ape.reverts(regulator.Regulator_ZeroPeriodLength):
        regulator.createProgram(actors.fund, (anchor, 0, unit), sender=actors.configurator)


@pytest.mark.parametrize("offset", [1, 3600, DAY, 15 * DAY, -1])
def test_create_program__months_anchor_not_month_start__reverts(regulator, actors, anchor, offset):
    bad = anchor + offset
    with ape.reverts(regulator.Regulator_AnchorNotMonthStart, anchor=bad):
        regulator.createProgram(actors.fund, (bad, 1, MONTHS), sender=actors.configurator)


def test_get_program__unknown__returns_zero_record(regulator):
    assert_fields(regulator.getProgram(99), fundAccount=ZERO, schedule=(0, 0, 0), frozen=False)


# ------------------------------------------------------------------------------------------------ coverage


def test_set_coverage__new_service__stores_and_emits(regulator, actors):
    coverage = coverage_tuple(Coverage(ratio_bps=7_000, deductible=5 * UNIT, fund_cap_per_patient=9 * UNIT))
    tx = regulator.setCoverage(1, NEW_SERVICE, coverage, sender=actors.configurator)
    assert_fields(single(regulator.CoverageSet, tx), programId=1, serviceType=NEW_SERVICE, coverage=coverage)
    assert_fields(
        regulator.getCoverage(1, NEW_SERVICE),
        covered=True,
        crossRegionAllowed=False,
        ratioBps=7_000,
        deductible=5 * UNIT,
        fundCapPerPatient=9 * UNIT,
    )


def test_set_coverage__largest_amounts__are_stored(regulator, actors):
    coverage = (True, True, 10_000, 2**64 - 1, 2**64 - 1)
    regulator.setCoverage(1, NEW_SERVICE, coverage, sender=actors.configurator)
    assert_fields(regulator.getCoverage(1, NEW_SERVICE), ratioBps=10_000, deductible=2**64 - 1, fundCapPerPatient=2**64 - 1)


def test_set_coverage__replaced__keeps_patient_counters(regulator, actors, reserve, anchor):
    reserve(charge=100 * UNIT)
    before = regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0)
    assert before.deductibleMet == FOLLOW_UP_COVERAGE.deductible
    replaced = coverage_tuple(Coverage(ratio_bps=5_000, deductible=80 * UNIT))
    regulator.setCoverage(1, FOLLOW_UP, replaced, sender=actors.configurator)
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == before
    # The new rules apply to new charges, on top of the counters the old rules built.
    quote = regulator.quote(1, PATIENT, FOLLOW_UP, 100 * UNIT)
    assert_fields(quote, deductiblePortion=30 * UNIT, fundShare=35 * UNIT, patientShare=65 * UNIT, period=0)


def test_set_coverage__unknown_program__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_ProgramNotFound, programId=7):
        regulator.setCoverage(7, NEW_SERVICE, coverage_tuple(FOLLOW_UP_COVERAGE), sender=actors.configurator)


def test_set_coverage__ratio_above_100_percent__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_RatioAboveMax, ratioBps=10_001, maxBps=10_000):
        regulator.setCoverage(1, NEW_SERVICE, (True, False, 10_001, 0, 0), sender=actors.configurator)


@pytest.mark.parametrize("field", ["deductible", "cap"])
def test_set_coverage__amount_above_64_bits__reverts(regulator, actors, field):
    too_big = 2**64
    coverage = (True, False, 8_000, too_big, 0) if field == "deductible" else (True, False, 8_000, 0, too_big)
    with ape.reverts(regulator.SafeCastOverflowedUintDowncast, bits=64, value=too_big):
        regulator.setCoverage(1, NEW_SERVICE, coverage, sender=actors.configurator)


def test_get_coverage__never_set__is_not_covered(regulator):
    assert_fields(
        regulator.getCoverage(1, NEW_SERVICE),
        covered=False,
        crossRegionAllowed=False,
        ratioBps=0,
        deductible=0,
        fundCapPerPatient=0,
    )


# ------------------------------------------------------------------------------------------------ budgets


def test_set_default_budget__applies_to_every_period_and_emits(regulator, actors):
    tx = regulator.setDefaultBudget(1, actors.institution, 123 * UNIT, sender=actors.configurator)
    assert_fields(single(regulator.DefaultBudgetSet, tx), programId=1, institution=actors.institution, amount=123 * UNIT)
    for period in (0, 1, 17, 2**32 - 1):
        assert regulator.budgetOf(1, actors.institution, period) == (123 * UNIT, 0, 123 * UNIT)


def test_set_period_budget__overrides_one_period_and_emits(regulator, actors):
    tx = regulator.setPeriodBudget(1, actors.institution, 5, 77 * UNIT, sender=actors.configurator)
    assert_fields(
        single(regulator.PeriodBudgetSet, tx), programId=1, institution=actors.institution, period=5, amount=77 * UNIT
    )
    assert regulator.budgetOf(1, actors.institution, 5) == (77 * UNIT, 0, 77 * UNIT)
    assert regulator.budgetOf(1, actors.institution, 4) == (DEFAULT_BUDGET, 0, DEFAULT_BUDGET)
    assert regulator.budgetOf(1, actors.institution, 6) == (DEFAULT_BUDGET, 0, DEFAULT_BUDGET)


def test_set_period_budget__zero__is_an_explicit_budget(regulator, actors):
    regulator.setPeriodBudget(1, actors.institution, 0, 0, sender=actors.configurator)
    assert regulator.budgetOf(1, actors.institution, 0) == (0, 0, 0)
    # A later default change does not bring the default back for that period.
    regulator.setDefaultBudget(1, actors.institution, 5 * DEFAULT_BUDGET, sender=actors.configurator)
    assert regulator.budgetOf(1, actors.institution, 0) == (0, 0, 0)
    assert regulator.budgetOf(1, actors.institution, 1) == (5 * DEFAULT_BUDGET, 0, 5 * DEFAULT_BUDGET)


def test_set_period_budget__largest_amount__is_stored(regulator, actors):
    regulator.setPeriodBudget(1, actors.institution, 3, 2**120 - 1, sender=actors.configurator)
    assert regulator.budgetOf(1, actors.institution, 3) == (2**120 - 1, 0, 2**120 - 1)


def test_set_period_budget__above_120_bits__reverts(regulator, actors):
    with ape.reverts(regulator.SafeCastOverflowedUintDowncast, bits=120, value=2**120):
        regulator.setPeriodBudget(1, actors.institution, 3, 2**120, sender=actors.configurator)


def test_budget_lowered_below_used__leaves_nothing_remaining(regulator, actors, reserve):
    reserve(service_type=CHRONIC, charge=100 * UNIT)  # fund share 90
    regulator.setPeriodBudget(1, actors.institution, 0, 50 * UNIT, sender=actors.configurator)
    assert regulator.budgetOf(1, actors.institution, 0) == (50 * UNIT, 90 * UNIT, 0)


@pytest.mark.parametrize("setter", ["default", "period"])
def test_set_budget__unknown_program__reverts(regulator, actors, setter):
    with ape.reverts(regulator.Regulator_ProgramNotFound, programId=9):
        if setter == "default":
            regulator.setDefaultBudget(9, actors.institution, 1, sender=actors.configurator)
        else:
            regulator.setPeriodBudget(9, actors.institution, 0, 1, sender=actors.configurator)


@pytest.mark.parametrize("setter", ["default", "period"])
def test_set_budget__unregistered_institution__reverts(regulator, actors, setter):
    with ape.reverts(regulator.Regulator_InstitutionNotRegistered, institution=actors.outsider):
        if setter == "default":
            regulator.setDefaultBudget(1, actors.outsider, 1, sender=actors.configurator)
        else:
            regulator.setPeriodBudget(1, actors.outsider, 0, 1, sender=actors.configurator)


# ------------------------------------------------------------------------------------------------ registry


def test_register_institution__stores_and_emits(regulator, actors):
    tx = regulator.registerInstitution(actors.outsider, 440_300, sender=actors.registrar)
    assert_fields(single(regulator.InstitutionRegistered, tx), institution=actors.outsider, region=440_300)
    assert_fields(regulator.getInstitution(actors.outsider), registered=True, frozen=False, region=440_300)


def test_register_institution__again__updates_region_and_keeps_freeze(regulator, actors):
    regulator.setInstitutionFrozen(actors.institution, True, sender=actors.supervisor)
    tx = regulator.registerInstitution(actors.institution, OTHER_REGION, sender=actors.registrar)
    assert_fields(single(regulator.InstitutionRegistered, tx), institution=actors.institution, region=OTHER_REGION)
    assert_fields(regulator.getInstitution(actors.institution), registered=True, frozen=True, region=OTHER_REGION)


def test_register_institution__zero_address__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_ZeroInstitution):
        regulator.registerInstitution(ZERO, REGION, sender=actors.registrar)


def test_get_institution__unregistered__returns_zero_record(regulator, actors):
    assert_fields(regulator.getInstitution(actors.outsider), registered=False, frozen=False, region=0)


def test_register_practitioner__stores_and_emits(regulator, actors):
    tx = regulator.registerPractitioner(actors.outsider, actors.institution2, 40, sender=actors.registrar)
    assert_fields(
        single(regulator.PractitionerRegistered, tx),
        practitioner=actors.outsider,
        institution=actors.institution2,
        dailyServiceLimit=40,
    )
    assert_fields(
        regulator.getPractitioner(actors.outsider), institution=actors.institution2, dailyServiceLimit=40, frozen=False
    )


def test_register_practitioner__again__moves_and_keeps_freeze(regulator, actors):
    regulator.setPractitionerFrozen(actors.practitioner, True, sender=actors.supervisor)
    regulator.registerPractitioner(actors.practitioner, actors.institution2, 9, sender=actors.registrar)
    assert_fields(
        regulator.getPractitioner(actors.practitioner), institution=actors.institution2, dailyServiceLimit=9, frozen=True
    )


def test_register_practitioner__zero_address__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_ZeroPractitioner):
        regulator.registerPractitioner(ZERO, actors.institution, 1, sender=actors.registrar)


def test_register_practitioner__unregistered_institution__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_InstitutionNotRegistered, institution=actors.outsider):
        regulator.registerPractitioner(actors.practitioner, actors.outsider, 1, sender=actors.registrar)


def test_register_patient__stores_and_emits(regulator, actors):
    tx = regulator.registerPatient(NEW_PATIENT, actors.outsider, 1, OTHER_REGION, sender=actors.registrar)
    assert_fields(
        single(regulator.PatientRegistered, tx),
        patientId=NEW_PATIENT,
        account=actors.outsider,
        programId=1,
        region=OTHER_REGION,
    )
    assert_fields(
        regulator.getPatient(NEW_PATIENT), account=actors.outsider, programId=1, region=OTHER_REGION, frozen=False
    )


def test_register_patient__again__updates_and_keeps_freeze_and_counters(regulator, actors, reserve):
    reserve()
    usage = regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0)
    regulator.setPatientFrozen(PATIENT, True, sender=actors.supervisor)
    regulator.registerPatient(PATIENT, actors.patient2, 1, OTHER_REGION, sender=actors.registrar)
    assert_fields(regulator.getPatient(PATIENT), account=actors.patient2, programId=1, region=OTHER_REGION, frozen=True)
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == usage
    assert regulator.getReservation(1).patientId == PATIENT


def test_register_patient__zero_id__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_ZeroPatientId):
        regulator.registerPatient(ZERO32, actors.patient, 1, REGION, sender=actors.registrar)


def test_register_patient__zero_account__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_ZeroPatientAccount, patientId=NEW_PATIENT):
        regulator.registerPatient(NEW_PATIENT, ZERO, 1, REGION, sender=actors.registrar)


def test_register_patient__unknown_program__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_ProgramNotFound, programId=3):
        regulator.registerPatient(NEW_PATIENT, actors.patient, 3, REGION, sender=actors.registrar)


def test_get_patient__unregistered__returns_zero_record(regulator):
    assert_fields(regulator.getPatient(NEW_PATIENT), account=ZERO, programId=0, region=0, frozen=False)


# ------------------------------------------------------------------------------------------------ freezes


def test_set_program_frozen__toggles_and_emits(regulator, actors):
    for frozen in (True, False):
        tx = regulator.setProgramFrozen(1, frozen, sender=actors.supervisor)
        assert_fields(single(regulator.ProgramFrozen, tx), programId=1, frozen=frozen)
        assert regulator.getProgram(1).frozen == frozen


def test_set_institution_frozen__toggles_and_emits(regulator, actors):
    for frozen in (True, False):
        tx = regulator.setInstitutionFrozen(actors.institution, frozen, sender=actors.supervisor)
        assert_fields(single(regulator.InstitutionFrozen, tx), institution=actors.institution, frozen=frozen)
        assert regulator.getInstitution(actors.institution).frozen == frozen


def test_set_practitioner_frozen__toggles_and_emits(regulator, actors):
    for frozen in (True, False):
        tx = regulator.setPractitionerFrozen(actors.practitioner, frozen, sender=actors.supervisor)
        assert_fields(single(regulator.PractitionerFrozen, tx), practitioner=actors.practitioner, frozen=frozen)
        assert regulator.getPractitioner(actors.practitioner).frozen == frozen


def test_set_patient_frozen__toggles_and_emits(regulator, actors):
    for frozen in (True, False):
        tx = regulator.setPatientFrozen(PATIENT, frozen, sender=actors.supervisor)
        assert_fields(single(regulator.PatientFrozen, tx), patientId=PATIENT, frozen=frozen)
        assert regulator.getPatient(PATIENT).frozen == frozen


def test_payout_freeze_count__counts_each_frozen_program_and_institution_once(regulator, actors):
    assert regulator.payoutFreezeCount() == 0
    steps = [
        (regulator.setProgramFrozen, (1, True), 1),
        (regulator.setProgramFrozen, (1, True), 1),  # already frozen: not counted twice
        (regulator.setInstitutionFrozen, (actors.institution, True), 2),
        (regulator.setInstitutionFrozen, (actors.institution2, True), 3),
        (regulator.setInstitutionFrozen, (actors.institution, True), 3),
        (regulator.setPractitionerFrozen, (actors.practitioner, True), 3),  # blocks claims, not payouts
        (regulator.setPatientFrozen, (PATIENT, True), 3),  # blocks claims, not payouts
        (regulator.setProgramFrozen, (1, False), 2),
        (regulator.setProgramFrozen, (1, False), 2),  # not frozen any more: nothing to uncount
        (regulator.setInstitutionFrozen, (actors.institution, False), 1),
        (regulator.setInstitutionFrozen, (actors.institution2, False), 0),
        (regulator.setInstitutionFrozen, (actors.institution2, False), 0),
    ]
    for setter, args, expected in steps:
        setter(*args, sender=actors.supervisor)
        assert regulator.payoutFreezeCount() == expected, (setter, args)


def test_set_program_frozen__unknown__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_ProgramNotFound, programId=0):
        regulator.setProgramFrozen(0, True, sender=actors.supervisor)


def test_set_institution_frozen__unregistered__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_InstitutionNotRegistered, institution=actors.outsider):
        regulator.setInstitutionFrozen(actors.outsider, True, sender=actors.supervisor)


def test_set_practitioner_frozen__unregistered__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_PractitionerNotRegistered, practitioner=actors.outsider):
        regulator.setPractitionerFrozen(actors.outsider, True, sender=actors.supervisor)


def test_set_patient_frozen__unregistered__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_PatientNotRegistered, patientId=NEW_PATIENT):
        regulator.setPatientFrozen(NEW_PATIENT, True, sender=actors.supervisor)


# ------------------------------------------------------------------------------------------------ fund operators


def test_fund_account__is_an_operator_of_its_program(regulator, actors):
    assert regulator.isFundOperator(1, actors.fund)
    assert regulator.isFundOperator(1, actors.operator)
    assert not regulator.isFundOperator(1, actors.outsider)
    assert not regulator.isFundOperator(1, ZERO)
    assert not regulator.isFundOperator(2, actors.fund)


def test_set_fund_operator__by_fund_account__allows_and_revokes(regulator, actors):
    tx = regulator.setFundOperator(1, actors.outsider, True, sender=actors.fund)
    assert_fields(single(regulator.FundOperatorSet, tx), programId=1, operator=actors.outsider, allowed=True)
    assert regulator.isFundOperator(1, actors.outsider)
    tx = regulator.setFundOperator(1, actors.outsider, False, sender=actors.fund)
    assert_fields(single(regulator.FundOperatorSet, tx), programId=1, operator=actors.outsider, allowed=False)
    assert not regulator.isFundOperator(1, actors.outsider)


def test_set_fund_operator__not_the_fund_account__reverts(regulator, actors):
    for caller in (actors.operator, actors.admin, actors.configurator, actors.outsider):
        with ape.reverts(regulator.Regulator_NotFundAccount, programId=1, caller=caller, fundAccount=actors.fund):
            regulator.setFundOperator(1, actors.outsider, True, sender=caller)


def test_set_fund_operator__unknown_program__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_ProgramNotFound, programId=4):
        regulator.setFundOperator(4, actors.outsider, True, sender=actors.fund)


def test_set_fund_operator__zero_operator__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_ZeroOperator, programId=1):
        regulator.setFundOperator(1, ZERO, True, sender=actors.fund)


# ------------------------------------------------------------------------------------------------ payees


def test_set_payee_approval__by_institution__approves_and_withdraws(regulator, actors):
    other = keccak(text="another-split")
    tx = regulator.setPayeeApproval(other, True, sender=actors.institution)
    assert_fields(single(regulator.PayeeApprovalSet, tx), institution=actors.institution, payee=other, approved=True)
    assert regulator.isPayeeApproved(actors.institution, other)
    assert not regulator.isPayeeApproved(actors.institution2, other)
    tx = regulator.setPayeeApproval(other, False, sender=actors.institution)
    assert_fields(single(regulator.PayeeApprovalSet, tx), institution=actors.institution, payee=other, approved=False)
    assert not regulator.isPayeeApproved(actors.institution, other)


def test_set_payee_approval__frozen_institution__still_allowed(regulator, actors):
    regulator.setInstitutionFrozen(actors.institution, True, sender=actors.supervisor)
    regulator.setPayeeApproval(PAYEE, False, sender=actors.institution)
    assert not regulator.isPayeeApproved(actors.institution, PAYEE)


def test_set_payee_approval__not_an_institution__reverts(regulator, actors):
    for caller in (actors.outsider, actors.admin, actors.registrar, actors.module):
        with ape.reverts(regulator.Regulator_InstitutionNotRegistered, institution=caller):
            regulator.setPayeeApproval(PAYEE, True, sender=caller)


def test_set_payee_approval__zero_payee__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_ZeroPayee, institution=actors.institution):
        regulator.setPayeeApproval(ZERO32, True, sender=actors.institution)


# ------------------------------------------------------------------------------------------------ other views


def test_views__unknown_program__revert(regulator):
    with ape.reverts(regulator.Regulator_ProgramNotFound, programId=5):
        regulator.periodOf(5, 0)
    with ape.reverts(regulator.Regulator_ProgramNotFound, programId=5):
        regulator.currentPeriod(5)
    with ape.reverts(regulator.Regulator_ProgramNotFound, programId=5):
        regulator.periodBounds(5, 0)
    with ape.reverts(regulator.Regulator_ProgramNotFound, programId=5):
        regulator.quote(5, PATIENT, FOLLOW_UP, UNIT)


def test_patient_usage__unknown_patient_or_service__is_zero(regulator, reserve):
    reserve()
    assert regulator.patientUsage(1, NEW_PATIENT, FOLLOW_UP, 0) == (0, 0)
    assert regulator.patientUsage(1, PATIENT, NEW_SERVICE, 0) == (0, 0)
    assert regulator.patientUsage(2, PATIENT, FOLLOW_UP, 0) == (0, 0)


def test_get_reservation__unknown__returns_zero_record(regulator):
    assert regulator.reservationCount() == 0
    assert_fields(
        regulator.getReservation(1),
        module=ZERO,
        programId=0,
        period=0,
        patientId=ZERO32,
        institution=ZERO,
        serviceType=ZERO32,
        fundReserved=0,
        patientReserved=0,
        deductibleCounted=0,
    )
