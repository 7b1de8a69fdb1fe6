"""reserve: the success path (event, record, counters) and every check, in order, with its error's numbers.

Every refusal runs through both entry points of a claim, `reserve` and `commitCharge` (the `submit` fixture): the two
make exactly the same checks in the same order with the same errors (IRegulator)."""

import ape
import pytest
from eth_utils import keccak

from carepay.cost_sharing import split_for

from .conftest import (
    CHRONIC,
    CHRONIC_COVERAGE,
    DAILY_LIMIT,
    DEFAULT_BUDGET,
    FIRST_VISIT,
    FOLLOW_UP,
    FOLLOW_UP_COVERAGE,
    OTHER_REGION,
    PATIENT,
    PATIENT2,
    PAYEE,
    REGION,
    UNIT,
)
from .events import assert_fields, single
from .periods import DAY, MONTHS, add_months

ZERO = "0x0000000000000000000000000000000000000000"
FULL = keccak(text="FULLY_COVERED")  # 100 % fund share, no deductible: fund share == charge
UNKNOWN_PATIENT = keccak(text="nobody")


@pytest.fixture
def full_coverage(regulator, actors):
    regulator.setCoverage(1, FULL, (True, False, 10_000, 0, 0), sender=actors.configurator)
    return FULL


@pytest.fixture(params=["reserve", "commitCharge"])
def submit(request, regulator, actors):
    """Sends a claim through `reserve` or `commitCharge`, as the module."""
    entry = getattr(regulator, request.param)
    return lambda c: entry(c, sender=actors.module)


def day_of(timestamp):
    return timestamp // DAY


# ------------------------------------------------------------------------------------------------ success


def test_reserve__valid_claim__emits_stores_and_counts(regulator, actors, claim, chain):
    c = claim(charge=120 * UNIT)
    shares = split_for(FOLLOW_UP_COVERAGE, 120 * UNIT)
    tx = regulator.reserve(c, sender=actors.module)

    log = single(regulator.Reserved, tx)
    assert_fields(
        log,
        reservationId=1,
        module=actors.module,
        claim=c,
        quote=(shares.fund, shares.patient, shares.deductible, 0),
    )
    assert regulator.reservationCount() == 1
    assert_fields(
        regulator.getReservation(1),
        module=actors.module,
        programId=1,
        period=0,
        patientId=PATIENT,
        institution=actors.institution,
        serviceType=FOLLOW_UP,
        fundReserved=shares.fund,
        patientReserved=shares.patient,
        deductibleCounted=shares.deductible,
    )
    assert regulator.budgetOf(1, actors.institution, 0) == (DEFAULT_BUDGET, shares.fund, DEFAULT_BUDGET - shares.fund)
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (shares.deductible, shares.fund)
    day = day_of(chain.blocks.head.timestamp)
    assert regulator.practitionerServices(actors.practitioner, day) == 1
    assert regulator.practitionerServices(actors.practitioner, day + 1) == 0


def test_reserve__returns_the_id_and_quote(regulator, actors, claim):
    c = claim(service_type=CHRONIC, charge=10 * UNIT)
    result = regulator.reserve.call(c, sender=actors.module)
    shares = split_for(CHRONIC_COVERAGE, 10 * UNIT)
    assert result[0] == 1
    assert tuple(result[1]) == (shares.fund, shares.patient, 0, 0)


def test_reserve__successive_claims__share_the_period_counters(regulator, actors, reserve):
    met, used, total_fund = 0, 0, 0
    for rid, charge in enumerate([30 * UNIT, 40 * UNIT, 1_500 * UNIT], start=1):
        practitioner = actors.practitioner if rid < 3 else actors.practitioner3
        tx, got = reserve(charge=charge, practitioner=practitioner)
        shares = split_for(FOLLOW_UP_COVERAGE, charge, deductible_met=met, fund_used=used)
        assert got == rid
        assert_fields(
            single(regulator.Reserved, tx), quote=(shares.fund, shares.patient, shares.deductible, 0)
        )
        met += shares.deductible
        used += shares.fund
        total_fund += shares.fund
    # 30 and 20 of the 40 go to the deductible; the cap (1000) bounds the 1500 charge's fund share.
    assert met == FOLLOW_UP_COVERAGE.deductible
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (met, used)
    assert regulator.budgetOf(1, actors.institution, 0)[1] == total_fund


def test_reserve__fund_operator_or_fund_account_as_initiator__is_allowed(regulator, actors, reserve, claim):
    for initiator in (actors.operator, actors.fund):
        tx, rid = reserve(initiator=initiator)
        assert_fields(single(regulator.Reserved, tx), reservationId=rid, claim=claim(initiator=initiator))


def test_reserve__cross_region_service_allowing_it__is_allowed(regulator, actors, reserve):
    _, rid = reserve(service_type=CHRONIC, institution=actors.institution2, practitioner=actors.practitioner2)
    assert regulator.getReservation(rid).institution == actors.institution2


def test_reserve__fund_share_zero__leaves_the_budget_untouched(regulator, actors, reserve):
    regulator.setPeriodBudget(1, actors.institution, 0, 0, sender=actors.configurator)
    _, rid = reserve(charge=50 * UNIT)  # all of it is deductible
    assert_fields(regulator.getReservation(rid), fundReserved=0, patientReserved=50 * UNIT, deductibleCounted=50 * UNIT)
    assert regulator.budgetOf(1, actors.institution, 0) == (0, 0, 0)
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (50 * UNIT, 0)


def test_reserve__deductible_met_and_no_ratio__changes_no_counter(regulator, actors, reserve):
    regulator.setCoverage(1, FOLLOW_UP, (True, False, 0, 0, 0), sender=actors.configurator)
    _, rid = reserve(charge=50 * UNIT)
    assert_fields(regulator.getReservation(rid), fundReserved=0, patientReserved=50 * UNIT, deductibleCounted=0)
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (0, 0)
    assert regulator.budgetOf(1, actors.institution, 0)[1] == 0


# ------------------------------------------------------------------------------------------------ checks, in order


def test_reserve__zero_charge__reverts(submit, regulator, actors, claim):
    with ape.reverts(regulator.Regulator_ZeroCharge):
        submit(claim(charge=0))


def test_reserve__unknown_program__reverts(submit, regulator, actors, claim):
    with ape.reverts(regulator.Regulator_ProgramNotFound, programId=8):
        submit(claim(program_id=8))


def test_reserve__frozen_program__reverts(submit, regulator, actors, claim):
    regulator.setProgramFrozen(1, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_ProgramFrozen, programId=1):
        submit(claim())


def test_reserve__before_the_first_period__reverts(submit, regulator, actors, claim, anchor, chain):
    future = add_months(anchor, 4)
    regulator.createProgram(actors.fund, (future, 1, MONTHS), sender=actors.configurator)
    now = chain.pending_timestamp
    chain.pending_timestamp = now
    with ape.reverts(regulator.Regulator_BeforeFirstPeriod, programId=2, timestamp=now, anchor=future):
        submit(claim(program_id=2))


@pytest.mark.parametrize("who", ["outsider", "patient2", "zero", "revoked_operator"])
def test_reserve__initiator_neither_patient_nor_operator__reverts(submit, regulator, actors, claim, who):
    if who == "revoked_operator":
        regulator.setFundOperator(1, actors.operator, False, sender=actors.fund)
    initiator = {"outsider": actors.outsider, "patient2": actors.patient2, "zero": ZERO}.get(who, actors.operator)
    with ape.reverts(regulator.Regulator_UnauthorizedInitiator, programId=1, patientId=PATIENT, initiator=initiator):
        submit(claim(initiator=initiator))


def test_reserve__unregistered_patient__reverts(submit, regulator, actors, claim):
    with ape.reverts(regulator.Regulator_PatientNotRegistered, patientId=UNKNOWN_PATIENT):
        submit(claim(patient_id=UNKNOWN_PATIENT, initiator=actors.operator))


def test_reserve__patient_of_another_program__reverts(submit, regulator, actors, claim, anchor):
    regulator.createProgram(actors.fund, (anchor, 1, MONTHS), sender=actors.configurator)
    with ape.reverts(regulator.Regulator_PatientNotInProgram, patientId=PATIENT, patientProgramId=1, programId=2):
        submit(claim(program_id=2))


def test_reserve__frozen_patient__reverts(submit, regulator, actors, claim):
    regulator.setPatientFrozen(PATIENT, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_PatientFrozen, patientId=PATIENT):
        submit(claim())


def test_reserve__unregistered_institution__reverts(submit, regulator, actors, claim):
    with ape.reverts(regulator.Regulator_InstitutionNotRegistered, institution=actors.outsider):
        submit(claim(institution=actors.outsider))


def test_reserve__frozen_institution__reverts(submit, regulator, actors, claim):
    regulator.setInstitutionFrozen(actors.institution, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=actors.institution):
        submit(claim())


def test_reserve__unregistered_practitioner__reverts(submit, regulator, actors, claim):
    with ape.reverts(regulator.Regulator_PractitionerNotRegistered, practitioner=actors.outsider):
        submit(claim(practitioner=actors.outsider))


def test_reserve__practitioner_of_another_institution__reverts(submit, regulator, actors, claim):
    with ape.reverts(
        regulator.Regulator_PractitionerNotAtInstitution,
        practitioner=actors.practitioner2,
        practitionerInstitution=actors.institution2,
        institution=actors.institution,
    ):
        submit(claim(practitioner=actors.practitioner2))


def test_reserve__frozen_practitioner__reverts(submit, regulator, actors, claim):
    regulator.setPractitionerFrozen(actors.practitioner, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_PractitionerFrozen, practitioner=actors.practitioner):
        submit(claim())


def test_reserve__practitioner_over_daily_limit__reverts_until_the_next_utc_day(submit, regulator, actors, reserve, claim, chain):
    for _ in range(DAILY_LIMIT):
        reserve()
    now = chain.pending_timestamp
    day = day_of(now)
    assert regulator.practitionerServices(actors.practitioner, day) == DAILY_LIMIT
    chain.pending_timestamp = now
    with ape.reverts(
        regulator.Regulator_DailyServiceLimitReached, practitioner=actors.practitioner, day=day, limit=DAILY_LIMIT
    ):
        submit(claim())
    # Another practitioner of the same institution is counted separately ...
    reserve(practitioner=actors.practitioner3)
    # ... and the next UTC day starts from zero.
    chain.pending_timestamp = (day + 1) * DAY
    reserve()
    assert regulator.practitionerServices(actors.practitioner, day + 1) == 1
    # Only the latest day is kept (in the practitioner's own slot): the earlier day now reads 0.
    assert regulator.practitionerServices(actors.practitioner, day) == 0


def test_reserve__practitioner_with_zero_limit__reverts(submit, regulator, actors, claim, chain):
    regulator.registerPractitioner(actors.practitioner, actors.institution, 0, sender=actors.registrar)
    now = chain.pending_timestamp
    chain.pending_timestamp = now
    with ape.reverts(
        regulator.Regulator_DailyServiceLimitReached, practitioner=actors.practitioner, day=day_of(now), limit=0
    ):
        submit(claim())


@pytest.mark.parametrize("service", [FIRST_VISIT, keccak(text="NEVER_CONFIGURED")])
def test_reserve__service_not_covered__reverts(submit, regulator, actors, claim, service):
    # e.g. online first visits: only follow-up visits are covered online.
    with ape.reverts(regulator.Regulator_ServiceNotCovered, programId=1, serviceType=service):
        submit(claim(service_type=service))


def test_reserve__other_region_without_cross_region_rule__reverts(submit, regulator, actors, claim):
    with ape.reverts(
        regulator.Regulator_CrossRegionNotAllowed,
        programId=1,
        serviceType=FOLLOW_UP,
        patientRegion=REGION,
        institutionRegion=OTHER_REGION,
    ):
        submit(
            claim(institution=actors.institution2, practitioner=actors.practitioner2)
        )


def test_reserve__patient_moved_region__reverts(submit, regulator, actors, claim):
    regulator.registerPatient(PATIENT, actors.patient, 1, 999, sender=actors.registrar)
    with ape.reverts(
        regulator.Regulator_CrossRegionNotAllowed,
        programId=1,
        serviceType=FOLLOW_UP,
        patientRegion=999,
        institutionRegion=REGION,
    ):
        submit(claim())


@pytest.mark.parametrize("case", ["never_approved", "withdrawn", "approved_by_another_institution"])
def test_reserve__payee_not_approved__reverts(submit, regulator, actors, claim, case):
    payee = PAYEE
    if case == "never_approved":
        payee = keccak(text="unknown-split")
    elif case == "withdrawn":
        regulator.setPayeeApproval(PAYEE, False, sender=actors.institution)
    else:
        payee = keccak(text="institution2-only")
        regulator.setPayeeApproval(payee, True, sender=actors.institution2)
    with ape.reverts(regulator.Regulator_PayeeNotApproved, institution=actors.institution, payee=payee):
        submit(claim(payee=payee))


def test_reserve__fund_share_above_default_budget__reverts(submit, regulator, actors, claim, full_coverage):
    with ape.reverts(
        regulator.Regulator_BudgetExceeded,
        programId=1,
        institution=actors.institution,
        period=0,
        requested=DEFAULT_BUDGET + 1,
        remaining=DEFAULT_BUDGET,
    ):
        submit(claim(service_type=full_coverage, charge=DEFAULT_BUDGET + 1))


def test_reserve__budget__can_be_exhausted_exactly_to_the_unit(submit, regulator, actors, reserve, claim, full_coverage):
    budget = 1_000_003
    regulator.setPeriodBudget(1, actors.institution, 0, budget, sender=actors.configurator)
    reserve(service_type=full_coverage, charge=budget - 1)
    assert regulator.budgetOf(1, actors.institution, 0) == (budget, budget - 1, 1)
    with ape.reverts(
        regulator.Regulator_BudgetExceeded,
        programId=1,
        institution=actors.institution,
        period=0,
        requested=2,
        remaining=1,
    ):
        submit(claim(service_type=full_coverage, charge=2))
    reserve(service_type=full_coverage, charge=1)  # exactly the remaining unit
    assert regulator.budgetOf(1, actors.institution, 0) == (budget, budget, 0)
    with ape.reverts(
        regulator.Regulator_BudgetExceeded,
        programId=1,
        institution=actors.institution,
        period=0,
        requested=1,
        remaining=0,
    ):
        submit(
            claim(service_type=full_coverage, charge=1, practitioner=actors.practitioner3)
        )


def test_reserve__explicit_zero_budget__refuses_any_fund_share(submit, regulator, actors, claim, full_coverage):
    regulator.setPeriodBudget(1, actors.institution, 0, 0, sender=actors.configurator)
    with ape.reverts(
        regulator.Regulator_BudgetExceeded,
        programId=1,
        institution=actors.institution,
        period=0,
        requested=1,
        remaining=0,
    ):
        submit(claim(service_type=full_coverage, charge=1))


def test_reserve__budgets__are_per_institution(regulator, actors, reserve, full_coverage):
    regulator.setPeriodBudget(1, actors.institution, 0, 5, sender=actors.configurator)
    regulator.setCoverage(1, full_coverage, (True, True, 10_000, 0, 0), sender=actors.configurator)
    reserve(service_type=full_coverage, charge=5)
    reserve(service_type=full_coverage, charge=7, institution=actors.institution2, practitioner=actors.practitioner2)
    assert regulator.budgetOf(1, actors.institution, 0) == (5, 5, 0)
    assert regulator.budgetOf(1, actors.institution2, 0) == (DEFAULT_BUDGET, 7, DEFAULT_BUDGET - 7)


def test_reserve__failed_check__counts_nothing(submit, regulator, actors, claim, full_coverage, chain):
    now = chain.pending_timestamp
    chain.pending_timestamp = now
    with ape.reverts(
        regulator.Regulator_BudgetExceeded,
        programId=1,
        institution=actors.institution,
        period=0,
        requested=DEFAULT_BUDGET + 1,
        remaining=DEFAULT_BUDGET,
    ):
        submit(claim(service_type=full_coverage, charge=DEFAULT_BUDGET + 1))
    assert regulator.practitionerServices(actors.practitioner, day_of(now)) == 0
    assert regulator.reservationCount() == 0
    assert regulator.patientUsage(1, PATIENT, full_coverage, 0) == (0, 0)


# ------------------------------------------------------------------------------------------------ order of checks


def test_reserve__order__zero_charge_before_program(submit, regulator, actors, claim):
    with ape.reverts(regulator.Regulator_ZeroCharge):
        submit(claim(program_id=9, charge=0))


def test_reserve__order__program_before_initiator(submit, regulator, actors, claim):
    regulator.setProgramFrozen(1, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_ProgramFrozen, programId=1):
        submit(claim(initiator=actors.outsider))


def test_reserve__order__initiator_before_patient(submit, regulator, actors, claim):
    regulator.setPatientFrozen(PATIENT, True, sender=actors.supervisor)
    with ape.reverts(
        regulator.Regulator_UnauthorizedInitiator, programId=1, patientId=PATIENT, initiator=actors.outsider
    ):
        submit(claim(initiator=actors.outsider))


def test_reserve__order__patient_before_institution(submit, regulator, actors, claim):
    regulator.setPatientFrozen(PATIENT2, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_PatientFrozen, patientId=PATIENT2):
        submit(
            claim(patient_id=PATIENT2, initiator=actors.patient2, institution=actors.outsider)
        )


def test_reserve__order__institution_before_practitioner(submit, regulator, actors, claim):
    regulator.setInstitutionFrozen(actors.institution, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=actors.institution):
        submit(claim(practitioner=actors.outsider))


def test_reserve__order__practitioner_before_coverage(submit, regulator, actors, claim):
    regulator.setPractitionerFrozen(actors.practitioner, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_PractitionerFrozen, practitioner=actors.practitioner):
        submit(claim(service_type=FIRST_VISIT))


def test_reserve__order__coverage_before_region_and_payee(submit, regulator, actors, claim):
    with ape.reverts(regulator.Regulator_ServiceNotCovered, programId=1, serviceType=FIRST_VISIT):
        submit(
            claim(
                service_type=FIRST_VISIT,
                institution=actors.institution2,
                practitioner=actors.practitioner2,
                payee=keccak(text="x"),
            ),
        )


def test_reserve__order__region_before_payee(submit, regulator, actors, claim):
    with ape.reverts(
        regulator.Regulator_CrossRegionNotAllowed,
        programId=1,
        serviceType=FOLLOW_UP,
        patientRegion=REGION,
        institutionRegion=OTHER_REGION,
    ):
        submit(
            claim(institution=actors.institution2, practitioner=actors.practitioner2, payee=keccak(text="x")),
        )


def test_reserve__order__payee_before_budget(submit, regulator, actors, claim, full_coverage):
    payee = keccak(text="x")
    with ape.reverts(regulator.Regulator_PayeeNotApproved, institution=actors.institution, payee=payee):
        submit(
            claim(service_type=full_coverage, charge=DEFAULT_BUDGET + 1, payee=payee)
        )
