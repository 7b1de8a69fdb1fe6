"""topUp: extension in the reservation's own period, renewal into the current period (moving the counters
exactly), and every check with its error."""

import ape
import pytest
from eth_utils import keccak

from carepay.cost_sharing import deductible_restored, split_for

from .conftest import (
    CHRONIC,
    CHRONIC_COVERAGE,
    DEFAULT_BUDGET,
    FOLLOW_UP,
    FOLLOW_UP_COVERAGE,
    OTHER_REGION,
    PATIENT,
    REGION,
    UNIT,
)
from .events import assert_fields, single
from .periods import DAY, MONTHS, add_months


@pytest.fixture
def top_up(regulator, actors):
    def do(rid, charge, unspent_fund=0, unspent_patient=0, initiator=None, sender=None):
        return regulator.topUp(
            rid, unspent_fund, unspent_patient, charge, initiator or actors.patient, sender=sender or actors.module
        )

    return do


@pytest.fixture
def next_month(anchor, at):
    """Moves to the second day of the next month (period 1)."""

    def move(months=1):
        at(add_months(anchor, months) + DAY)

    return move


# ------------------------------------------------------------------------------------------------ same period


def test_top_up__same_period__extends_in_place_and_emits(regulator, actors, reserve, top_up):
    _, rid = reserve(charge=30 * UNIT)  # all deductible
    first = split_for(FOLLOW_UP_COVERAGE, 30 * UNIT)
    tx = top_up(rid, 100 * UNIT)
    second = split_for(FOLLOW_UP_COVERAGE, 100 * UNIT, deductible_met=first.deductible, fund_used=first.fund)
    assert second.deductible == 20 * UNIT  # the rest of the deductible
    assert_fields(
        single(regulator.Extended, tx),
        reservationId=rid,
        charge=100 * UNIT,
        quote=(second.fund, second.patient, second.deductible, 0),
    )
    assert not regulator.Renewed.from_receipt(tx)
    assert not regulator.Released.from_receipt(tx)
    assert regulator.reservationCount() == 1
    assert_fields(
        regulator.getReservation(rid),
        period=0,
        fundReserved=first.fund + second.fund,
        patientReserved=first.patient + second.patient,
        deductibleCounted=first.deductible + second.deductible,
    )
    fund = first.fund + second.fund
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (FOLLOW_UP_COVERAGE.deductible, fund)
    assert regulator.budgetOf(1, actors.institution, 0) == (DEFAULT_BUDGET, fund, DEFAULT_BUDGET - fund)


def test_top_up__returns_the_same_id_in_the_same_period(regulator, actors, reserve):
    _, rid = reserve(charge=30 * UNIT)
    result = regulator.topUp.call(rid, 0, 0, 10 * UNIT, actors.patient, sender=actors.module)
    assert result[0] == rid


def test_top_up__does_not_count_a_practitioner_service(regulator, actors, reserve, top_up, chain):
    _, rid = reserve()
    for _ in range(5):
        top_up(rid, UNIT)
    assert regulator.practitionerServices(actors.practitioner, chain.blocks.head.timestamp // DAY) == 1


def test_top_up__same_period_zero_charge__reverts(regulator, actors, reserve, top_up):
    _, rid = reserve()
    with ape.reverts(regulator.Regulator_ZeroCharge):
        top_up(rid, 0, unspent_fund=1)


def test_top_up__same_period_over_budget__reverts(regulator, actors, reserve, top_up):
    _, rid = reserve(service_type=CHRONIC, charge=100 * UNIT)  # fund 90
    regulator.setPeriodBudget(1, actors.institution, 0, 100 * UNIT, sender=actors.configurator)
    with ape.reverts(
        regulator.Regulator_BudgetExceeded,
        programId=1,
        institution=actors.institution,
        period=0,
        requested=18 * UNIT,
        remaining=10 * UNIT,
    ):
        top_up(rid, 20 * UNIT)
    top_up(rid, 11 * UNIT + 1)  # fund floor(11.000001 * 0.9) = 9.900000: fits
    assert regulator.budgetOf(1, actors.institution, 0)[1] == 90 * UNIT + (11 * UNIT + 1) * 9_000 // 10_000


# ------------------------------------------------------------------------------------------------ checks


def test_top_up__unknown_reservation__reverts(regulator, actors, top_up):
    with ape.reverts(regulator.Regulator_ReservationNotFound, reservationId=9):
        top_up(9, UNIT)


def test_top_up__other_module__reverts(regulator, actors, reserve, top_up):
    _, rid = reserve()
    with ape.reverts(
        regulator.Regulator_NotReservationModule, reservationId=rid, caller=actors.other_module, module=actors.module
    ):
        top_up(rid, UNIT, sender=actors.other_module)


def test_top_up__frozen_program__reverts(regulator, actors, reserve, top_up):
    _, rid = reserve()
    regulator.setProgramFrozen(1, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_ProgramFrozen, programId=1):
        top_up(rid, UNIT)


@pytest.mark.parametrize("initiator", ["operator", "fund"])
def test_top_up__fund_operator_as_initiator__is_allowed(regulator, actors, reserve, top_up, initiator):
    _, rid = reserve()
    tx = top_up(rid, UNIT, initiator=getattr(actors, initiator))
    assert single(regulator.Extended, tx).reservationId == rid


def test_top_up__unauthorized_initiator__reverts(regulator, actors, reserve, top_up):
    _, rid = reserve()
    with ape.reverts(
        regulator.Regulator_UnauthorizedInitiator, programId=1, patientId=PATIENT, initiator=actors.outsider
    ):
        top_up(rid, UNIT, initiator=actors.outsider)


def test_top_up__frozen_patient__reverts(regulator, actors, reserve, top_up):
    _, rid = reserve()
    regulator.setPatientFrozen(PATIENT, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_PatientFrozen, patientId=PATIENT):
        top_up(rid, UNIT)


def test_top_up__patient_moved_to_another_program__reverts(regulator, actors, reserve, top_up, anchor):
    _, rid = reserve()
    regulator.createProgram(actors.fund, (anchor, 1, MONTHS), sender=actors.configurator)
    regulator.registerPatient(PATIENT, actors.patient, 2, REGION, sender=actors.registrar)
    with ape.reverts(regulator.Regulator_PatientNotInProgram, patientId=PATIENT, patientProgramId=2, programId=1):
        top_up(rid, UNIT)


def test_top_up__frozen_institution__reverts(regulator, actors, reserve, top_up):
    _, rid = reserve()
    regulator.setInstitutionFrozen(actors.institution, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=actors.institution):
        top_up(rid, UNIT)


def test_top_up__frozen_practitioner__does_not_block(regulator, actors, reserve, top_up):
    _, rid = reserve()
    regulator.setPractitionerFrozen(actors.practitioner, True, sender=actors.supervisor)
    tx = top_up(rid, UNIT)
    assert single(regulator.Extended, tx).reservationId == rid


def test_top_up__service_no_longer_covered__reverts(regulator, actors, reserve, top_up):
    _, rid = reserve()
    regulator.setCoverage(1, FOLLOW_UP, (False, False, 0, 0, 0), sender=actors.configurator)
    with ape.reverts(regulator.Regulator_ServiceNotCovered, programId=1, serviceType=FOLLOW_UP):
        top_up(rid, UNIT)


def test_top_up__patient_moved_region__reverts(regulator, actors, reserve, top_up):
    _, rid = reserve()
    regulator.registerPatient(PATIENT, actors.patient, 1, OTHER_REGION, sender=actors.registrar)
    with ape.reverts(
        regulator.Regulator_CrossRegionNotAllowed,
        programId=1,
        serviceType=FOLLOW_UP,
        patientRegion=OTHER_REGION,
        institutionRegion=REGION,
    ):
        top_up(rid, UNIT)


def test_top_up__caller_without_module_role__reverts(regulator, actors, reserve, top_up):
    _, rid = reserve()
    with ape.reverts(
        regulator.AccessControlUnauthorizedAccount, account=actors.outsider, neededRole=regulator.MODULE_ROLE()
    ):
        top_up(rid, UNIT, sender=actors.outsider)


# ------------------------------------------------------------------------------------------------ later period


def test_top_up__later_period__renews_and_moves_counters_exactly(regulator, actors, reserve, top_up, next_month):
    _, rid = reserve(charge=200 * UNIT)
    first = split_for(FOLLOW_UP_COVERAGE, 200 * UNIT)  # d 50, fund 120, patient 80
    # The module paid out 70 of it (fund 42 + patient 28, say); 78 fund and 52 patient are unspent.
    unspent_fund, unspent_patient = first.fund - 42 * UNIT, first.patient - 28 * UNIT
    next_month()
    charge = 100 * UNIT
    tx = top_up(rid, charge, unspent_fund=unspent_fund, unspent_patient=unspent_patient)

    # The new period: the carried fund counts toward fundUsed first, then the charge is shared.
    new = split_for(FOLLOW_UP_COVERAGE, charge, deductible_met=0, fund_used=unspent_fund)
    restored = deductible_restored(first.deductible, first.fund - unspent_fund, first.patient - unspent_patient)
    assert_fields(
        single(regulator.Released, tx),
        reservationId=rid,
        fundAmount=unspent_fund,
        patientAmount=unspent_patient,
        deductibleRestored=restored,
    )
    assert_fields(
        single(regulator.Renewed, tx),
        oldReservationId=rid,
        newReservationId=2,
        carriedFund=unspent_fund,
        carriedPatient=unspent_patient,
    )
    assert_fields(
        single(regulator.Extended, tx),
        reservationId=2,
        charge=charge,
        quote=(new.fund, new.patient, new.deductible, 1),
    )
    old_fund, old_patient = first.fund - unspent_fund, first.patient - unspent_patient
    assert_fields(
        regulator.getReservation(rid),
        period=0,
        fundReserved=old_fund,
        patientReserved=old_patient,
        deductibleCounted=first.deductible - restored,
    )
    assert_fields(
        regulator.getReservation(2),
        module=actors.module,
        programId=1,
        period=1,
        patientId=PATIENT,
        institution=actors.institution,
        serviceType=FOLLOW_UP,
        fundReserved=unspent_fund + new.fund,
        patientReserved=unspent_patient + new.patient,
        deductibleCounted=new.deductible,
    )
    # Old period: only what was spent remains; new period: carried + new.
    assert regulator.budgetOf(1, actors.institution, 0)[1] == old_fund
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (first.deductible - restored, old_fund)
    assert regulator.budgetOf(1, actors.institution, 1)[1] == unspent_fund + new.fund
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 1) == (new.deductible, unspent_fund + new.fund)


def test_top_up__later_period__returns_the_new_id(regulator, actors, reserve, anchor, chain):
    _, rid = reserve(service_type=CHRONIC, charge=10 * UNIT)
    chain.mine(timestamp=add_months(anchor, 1) + DAY)  # calls run on the latest block
    result = regulator.topUp.call(rid, 9 * UNIT, 1 * UNIT, 5 * UNIT, actors.patient, sender=actors.module)
    assert result[0] == rid + 1
    shares = split_for(CHRONIC_COVERAGE, 5 * UNIT)
    assert tuple(result[1]) == (shares.fund, shares.patient, 0, 1)


def test_top_up__later_period_pure_carry__moves_the_unspent_amounts(regulator, actors, reserve, top_up, next_month):
    _, rid = reserve(service_type=CHRONIC, charge=100 * UNIT)  # fund 90, patient 10
    next_month()
    tx = top_up(rid, 0, unspent_fund=60 * UNIT, unspent_patient=10 * UNIT)
    assert_fields(single(regulator.Extended, tx), reservationId=2, charge=0, quote=(0, 0, 0, 1))
    assert_fields(regulator.getReservation(2), period=1, fundReserved=60 * UNIT, patientReserved=10 * UNIT)
    assert_fields(regulator.getReservation(rid), period=0, fundReserved=30 * UNIT, patientReserved=0)
    assert regulator.budgetOf(1, actors.institution, 0)[1] == 30 * UNIT
    assert regulator.budgetOf(1, actors.institution, 1)[1] == 60 * UNIT
    assert regulator.patientUsage(1, PATIENT, CHRONIC, 1) == (0, 60 * UNIT)


def test_top_up__later_period_nothing_to_carry_nor_charge__reverts(regulator, actors, reserve, top_up, next_month):
    _, rid = reserve()
    next_month()
    with ape.reverts(regulator.Regulator_ZeroCharge):
        top_up(rid, 0)


def test_top_up__later_period_with_only_a_charge__opens_from_zero(regulator, actors, reserve, top_up, next_month):
    _, rid = reserve(charge=100 * UNIT)
    next_month()
    tx = top_up(rid, 100 * UNIT)
    shares = split_for(FOLLOW_UP_COVERAGE, 100 * UNIT)
    assert_fields(
        single(regulator.Released, tx), reservationId=rid, fundAmount=0, patientAmount=0, deductibleRestored=0
    )
    assert_fields(
        regulator.getReservation(2),
        period=1,
        fundReserved=shares.fund,
        patientReserved=shares.patient,
        deductibleCounted=shares.deductible,
    )


def test_top_up__carried_fund__uses_cap_headroom_first(regulator, actors, reserve, top_up, next_month):
    regulator.setCoverage(1, CHRONIC, (True, True, 10_000, 0, 100 * UNIT), sender=actors.configurator)
    _, rid = reserve(service_type=CHRONIC, charge=80 * UNIT)  # fund 80 of the cap of 100
    next_month()
    tx = top_up(rid, 50 * UNIT, unspent_fund=70 * UNIT)
    # 70 carried leaves 30 of the new period's cap: the new charge's fund share is 30, not 50.
    assert_fields(single(regulator.Extended, tx), quote=(30 * UNIT, 20 * UNIT, 0, 1))
    assert regulator.patientUsage(1, PATIENT, CHRONIC, 1) == (0, 100 * UNIT)


def test_top_up__carried_fund_above_the_cap__is_kept_and_the_charge_gets_nothing(
    regulator, actors, reserve, top_up, next_month
):
    _, rid = reserve(service_type=CHRONIC, charge=100 * UNIT)  # fund 90
    regulator.setCoverage(1, CHRONIC, (True, True, 10_000, 0, 50 * UNIT), sender=actors.configurator)
    next_month()
    tx = top_up(rid, 10 * UNIT, unspent_fund=90 * UNIT)
    assert_fields(single(regulator.Extended, tx), quote=(0, 10 * UNIT, 0, 1))
    assert regulator.patientUsage(1, PATIENT, CHRONIC, 1) == (0, 90 * UNIT)


def test_top_up__carried_money__never_counts_toward_the_deductible(regulator, actors, reserve, top_up, next_month):
    _, rid = reserve(charge=30 * UNIT)  # all 30 to the deductible
    next_month()
    tx = top_up(rid, 0, unspent_patient=30 * UNIT)
    assert_fields(regulator.getReservation(2), fundReserved=0, patientReserved=30 * UNIT, deductibleCounted=0)
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 1) == (0, 0)
    # The old reservation was emptied: its deductible is restored in period 0.
    assert_fields(single(regulator.Released, tx), deductibleRestored=30 * UNIT)
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (0, 0)


def test_top_up__later_period_over_budget__names_carried_plus_new(regulator, actors, reserve, top_up, next_month):
    _, rid = reserve(service_type=CHRONIC, charge=100 * UNIT)  # fund 90
    regulator.setPeriodBudget(1, actors.institution, 1, 100 * UNIT, sender=actors.configurator)
    next_month()
    with ape.reverts(
        regulator.Regulator_BudgetExceeded,
        programId=1,
        institution=actors.institution,
        period=1,
        requested=90 * UNIT + 18 * UNIT,
        remaining=100 * UNIT,
    ):
        top_up(rid, 20 * UNIT, unspent_fund=90 * UNIT)


@pytest.mark.parametrize("which", ["fund", "patient"])
def test_top_up__carrying_more_than_held__reverts(regulator, actors, reserve, top_up, next_month, which):
    _, rid = reserve(service_type=CHRONIC, charge=100 * UNIT)  # fund 90, patient 10
    next_month()
    if which == "fund":
        with ape.reverts(
            regulator.Regulator_FundReleaseExceedsReserved, reservationId=rid, requested=90 * UNIT + 1, held=90 * UNIT
        ):
            top_up(rid, UNIT, unspent_fund=90 * UNIT + 1)
    else:
        with ape.reverts(
            regulator.Regulator_PatientReleaseExceedsReserved,
            reservationId=rid,
            requested=10 * UNIT + 1,
            held=10 * UNIT,
        ):
            top_up(rid, UNIT, unspent_patient=10 * UNIT + 1)


def test_top_up__renewed_twice__chains_through_the_periods(regulator, actors, reserve, top_up, next_month):
    _, first = reserve(service_type=CHRONIC, charge=100 * UNIT)  # 90 / 10
    next_month(1)
    top_up(first, 10 * UNIT, unspent_fund=50 * UNIT, unspent_patient=5 * UNIT)  # -> 2: 59 / 6
    next_month(2)
    tx = top_up(2, 10 * UNIT, unspent_fund=59 * UNIT, unspent_patient=6 * UNIT)  # -> 3: 68 / 7
    assert_fields(single(regulator.Renewed, tx), oldReservationId=2, newReservationId=3)
    assert_fields(regulator.getReservation(3), period=2, fundReserved=68 * UNIT, patientReserved=7 * UNIT)
    assert [regulator.budgetOf(1, actors.institution, p)[1] for p in range(3)] == [40 * UNIT, 0, 68 * UNIT]
    assert [regulator.patientUsage(1, PATIENT, CHRONIC, p)[1] for p in range(3)] == [40 * UNIT, 0, 68 * UNIT]


def test_top_up__old_reservation__can_still_be_released_after_renewal(regulator, actors, reserve, top_up, next_month):
    _, rid = reserve(service_type=CHRONIC, charge=100 * UNIT)
    next_month()
    top_up(rid, UNIT, unspent_fund=50 * UNIT)
    tx = regulator.release(rid, 40 * UNIT, 10 * UNIT, sender=actors.module)
    assert_fields(single(regulator.Released, tx), reservationId=rid, fundAmount=40 * UNIT, patientAmount=10 * UNIT)
    assert regulator.budgetOf(1, actors.institution, 0)[1] == 0


def test_top_up__renewed_reservation__belongs_to_the_calling_module(regulator, actors, reserve, top_up, next_month):
    _, rid = reserve(service_type=CHRONIC, charge=10 * UNIT)
    next_month()
    top_up(rid, UNIT, unspent_fund=9 * UNIT)
    with ape.reverts(
        regulator.Regulator_NotReservationModule, reservationId=2, caller=actors.other_module, module=actors.module
    ):
        regulator.release(2, 1, 0, sender=actors.other_module)
    assert regulator.getReservation(2).module == actors.module


def test_top_up__frozen_institution_in_a_later_period__reverts_before_moving_anything(
    regulator, actors, reserve, top_up, next_month
):
    _, rid = reserve(service_type=CHRONIC, charge=10 * UNIT)
    next_month()
    regulator.setInstitutionFrozen(actors.institution, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=actors.institution):
        top_up(rid, UNIT, unspent_fund=9 * UNIT)
    assert regulator.getReservation(rid).fundReserved == 9 * UNIT
    assert regulator.reservationCount() == 1


def test_top_up__service_type_is_kept_on_renewal(regulator, actors, reserve, top_up, next_month):
    other = keccak(text="SECOND_LINE")
    regulator.setCoverage(1, other, (True, True, 5_000, 0, 0), sender=actors.configurator)
    _, rid = reserve(service_type=other, charge=10 * UNIT)
    next_month()
    top_up(rid, 10 * UNIT, unspent_fund=5 * UNIT)
    assert regulator.getReservation(2).serviceType == other
    assert regulator.patientUsage(1, PATIENT, other, 1) == (0, 10 * UNIT)
