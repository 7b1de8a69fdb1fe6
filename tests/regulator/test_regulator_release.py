"""release and checkPayout: refunds lower the reservation and its period's counters, restore the deductible by
the exact rule, are never blocked by a freeze; payouts are blocked by program and institution freezes."""

import ape
import pytest

from carepay.cost_sharing import deductible_restored, split_for

from .conftest import CHRONIC, DEFAULT_BUDGET, FOLLOW_UP, FOLLOW_UP_COVERAGE, PATIENT, UNIT
from .events import assert_fields, single
from .periods import DAY, add_months

CHARGE = 100 * UNIT
SHARES = split_for(FOLLOW_UP_COVERAGE, CHARGE)  # deductible 50, fund 40, patient 60


def test_release__lowers_reservation_and_counters_and_emits(regulator, actors, reserve):
    _, rid = reserve(charge=CHARGE)
    fund_back, patient_back = 15 * UNIT, 5 * UNIT
    tx = regulator.release(rid, fund_back, patient_back, sender=actors.module)
    remaining_fund, remaining_patient = SHARES.fund - fund_back, SHARES.patient - patient_back
    restored = deductible_restored(SHARES.deductible, remaining_fund, remaining_patient)
    assert restored == 0  # 80 still consumed, above the 50 deductible portion
    assert_fields(
        single(regulator.Released, tx),
        reservationId=rid,
        fundAmount=fund_back,
        patientAmount=patient_back,
        deductibleRestored=0,
    )
    assert_fields(
        regulator.getReservation(rid),
        fundReserved=remaining_fund,
        patientReserved=remaining_patient,
        deductibleCounted=SHARES.deductible,
    )
    assert regulator.budgetOf(1, actors.institution, 0) == (DEFAULT_BUDGET, remaining_fund, DEFAULT_BUDGET - remaining_fund)
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (SHARES.deductible, remaining_fund)


@pytest.mark.parametrize(
    ("fund_back", "patient_back"),
    [
        (0, 0),  # nothing
        (40 * UNIT, 10 * UNIT),  # leaves exactly the deductible portion: restores nothing
        (40 * UNIT, 10 * UNIT + 1),  # one unit below it: restores one unit
        (40 * UNIT, 45 * UNIT),  # leaves 15: restores 35
        (10 * UNIT, 60 * UNIT),  # leaves 30 (all fund money): restores 20
        (40 * UNIT, 60 * UNIT),  # everything: restores the whole portion
    ],
)
def test_release__deductible_restore__follows_the_exact_rule(regulator, actors, reserve, fund_back, patient_back):
    _, rid = reserve(charge=CHARGE)
    remaining_fund, remaining_patient = SHARES.fund - fund_back, SHARES.patient - patient_back
    restored = deductible_restored(SHARES.deductible, remaining_fund, remaining_patient)
    assert restored == max(SHARES.deductible - (remaining_fund + remaining_patient), 0)
    tx = regulator.release(rid, fund_back, patient_back, sender=actors.module)
    assert_fields(
        single(regulator.Released, tx),
        reservationId=rid,
        fundAmount=fund_back,
        patientAmount=patient_back,
        deductibleRestored=restored,
    )
    counted = SHARES.deductible - restored
    assert_fields(
        regulator.getReservation(rid),
        fundReserved=remaining_fund,
        patientReserved=remaining_patient,
        deductibleCounted=counted,
    )
    assert counted == min(SHARES.deductible, remaining_fund + remaining_patient)
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (counted, remaining_fund)
    assert regulator.budgetOf(1, actors.institution, 0)[1] == remaining_fund


def test_release__in_steps__restores_the_same_as_at_once(regulator, actors, reserve):
    _, rid = reserve(charge=CHARGE)
    total_restored = 0
    for fund_back, patient_back in [(10 * UNIT, 20 * UNIT), (20 * UNIT, 20 * UNIT), (10 * UNIT, 20 * UNIT)]:
        tx = regulator.release(rid, fund_back, patient_back, sender=actors.module)
        total_restored += single(regulator.Released, tx).deductibleRestored
    assert total_restored == SHARES.deductible
    assert_fields(regulator.getReservation(rid), fundReserved=0, patientReserved=0, deductibleCounted=0)
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (0, 0)
    assert regulator.budgetOf(1, actors.institution, 0) == (DEFAULT_BUDGET, 0, DEFAULT_BUDGET)


def test_release__restored_deductible__applies_again_to_the_next_charge(regulator, actors, reserve):
    _, rid = reserve(charge=CHARGE)
    regulator.release(rid, SHARES.fund, SHARES.patient, sender=actors.module)
    _, again = reserve(charge=CHARGE)
    assert regulator.getReservation(again).deductibleCounted == SHARES.deductible


def test_release__fund_above_held__reverts(regulator, actors, reserve):
    _, rid = reserve(charge=CHARGE)
    with ape.reverts(
        regulator.Regulator_FundReleaseExceedsReserved, reservationId=rid, requested=SHARES.fund + 1, held=SHARES.fund
    ):
        regulator.release(rid, SHARES.fund + 1, 0, sender=actors.module)


def test_release__patient_above_held__reverts(regulator, actors, reserve):
    _, rid = reserve(charge=CHARGE)
    regulator.release(rid, 0, 7, sender=actors.module)
    with ape.reverts(
        regulator.Regulator_PatientReleaseExceedsReserved,
        reservationId=rid,
        requested=SHARES.patient,
        held=SHARES.patient - 7,
    ):
        regulator.release(rid, 0, SHARES.patient, sender=actors.module)


def test_release__unknown_reservation__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_ReservationNotFound, reservationId=3):
        regulator.release(3, 0, 0, sender=actors.module)


def test_release__other_module__reverts(regulator, actors, reserve):
    _, rid = reserve(charge=CHARGE)
    with ape.reverts(
        regulator.Regulator_NotReservationModule, reservationId=rid, caller=actors.other_module, module=actors.module
    ):
        regulator.release(rid, 1, 1, sender=actors.other_module)


def test_release__everything_frozen__still_refunds(regulator, actors, reserve):
    _, rid = reserve(charge=CHARGE)
    regulator.setProgramFrozen(1, True, sender=actors.supervisor)
    regulator.setInstitutionFrozen(actors.institution, True, sender=actors.supervisor)
    regulator.setPractitionerFrozen(actors.practitioner, True, sender=actors.supervisor)
    regulator.setPatientFrozen(PATIENT, True, sender=actors.supervisor)
    tx = regulator.release(rid, SHARES.fund, SHARES.patient, sender=actors.module)
    assert_fields(
        single(regulator.Released, tx),
        reservationId=rid,
        fundAmount=SHARES.fund,
        patientAmount=SHARES.patient,
        deductibleRestored=SHARES.deductible,
    )


def test_release__in_a_later_period__lowers_the_reservations_own_period(regulator, actors, reserve, anchor, at):
    _, rid = reserve(charge=CHARGE)
    at(add_months(anchor, 1) + DAY)
    _, later = reserve(service_type=CHRONIC, charge=10 * UNIT)
    regulator.release(rid, SHARES.fund, 0, sender=actors.module)
    assert regulator.budgetOf(1, actors.institution, 0)[1] == 0
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (SHARES.deductible, 0)
    assert regulator.budgetOf(1, actors.institution, 1)[1] == regulator.getReservation(later).fundReserved


# ------------------------------------------------------------------------------------------------ checkPayout


def test_check_payout__nothing_frozen__passes(regulator, actors, reserve):
    _, rid = reserve(charge=CHARGE)
    regulator.checkPayout(rid)


def test_check_payout__patient_or_practitioner_frozen__still_passes(regulator, actors, reserve):
    _, rid = reserve(charge=CHARGE)
    regulator.setPatientFrozen(PATIENT, True, sender=actors.supervisor)
    regulator.setPractitionerFrozen(actors.practitioner, True, sender=actors.supervisor)
    regulator.checkPayout(rid)


def test_check_payout__unknown_reservation__reverts(regulator):
    with ape.reverts(regulator.Regulator_ReservationNotFound, reservationId=42):
        regulator.checkPayout(42)


def test_check_payout__another_institution_frozen__still_passes(regulator, actors, reserve):
    # Something is frozen (the count is not zero), so the reservation's own flags are read, and they are clear.
    _, rid = reserve(charge=CHARGE)
    regulator.setInstitutionFrozen(actors.institution2, True, sender=actors.supervisor)
    assert regulator.payoutFreezeCount() == 1
    regulator.checkPayout(rid)


def test_check_payout__unknown_reservation_while_something_is_frozen__reverts(regulator, actors):
    regulator.setInstitutionFrozen(actors.institution2, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_ReservationNotFound, reservationId=42):
        regulator.checkPayout(42)


def test_check_payout__frozen_program__reverts_until_unfrozen(regulator, actors, reserve):
    _, rid = reserve(charge=CHARGE)
    regulator.setProgramFrozen(1, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_ProgramFrozen, programId=1):
        regulator.checkPayout(rid)
    regulator.setProgramFrozen(1, False, sender=actors.supervisor)
    regulator.checkPayout(rid)


def test_check_payout__frozen_institution__reverts_until_unfrozen(regulator, actors, reserve):
    _, rid = reserve(charge=CHARGE)
    regulator.setInstitutionFrozen(actors.institution, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=actors.institution):
        regulator.checkPayout(rid)
    regulator.setInstitutionFrozen(actors.institution, False, sender=actors.supervisor)
    regulator.checkPayout(rid)


def test_check_payout__both_frozen__names_the_program_first(regulator, actors, reserve):
    _, rid = reserve(charge=CHARGE)
    regulator.setInstitutionFrozen(actors.institution, True, sender=actors.supervisor)
    regulator.setProgramFrozen(1, True, sender=actors.supervisor)
    with ape.reverts(regulator.Regulator_ProgramFrozen, programId=1):
        regulator.checkPayout(rid)
