"""The bounds that the packed storage brings (64-bit reservation amounts) and the views modules use instead of
storing the program and the patient themselves (reservationAccounts, reservationPatientAccount)."""

import ape
import pytest
from eth_utils import keccak

from .conftest import PATIENT, UNIT

MAX = 2**64 - 1  # the most a reservation holds of fund or of patient money
PATIENT_PAYS = keccak(text="PATIENT_PAYS_ALL")  # covered at ratio 0, no deductible: patient share == charge
FUND_PAYS = keccak(text="FUND_PAYS_ALL")  # ratio 100 %, no deductible, no cap: fund share == charge


@pytest.fixture
def lines(regulator, actors):
    regulator.setCoverage(1, PATIENT_PAYS, (True, False, 0, 0, 0), sender=actors.configurator)
    regulator.setCoverage(1, FUND_PAYS, (True, False, 10_000, 0, 0), sender=actors.configurator)
    regulator.setDefaultBudget(1, actors.institution, 2**128 - 1, sender=actors.configurator)


def test_reserve__patient_share_at_the_64_bit_bound__is_held(regulator, actors, reserve, lines):
    _, rid = reserve(service_type=PATIENT_PAYS, charge=MAX)
    held = regulator.getReservation(rid)
    assert (held.fundReserved, held.patientReserved) == (0, MAX)


def test_reserve__patient_share_above_64_bits__reverts_with_the_amounts(regulator, actors, claim, lines):
    with ape.reverts(regulator.Regulator_ReservationAboveMax, fundReserved=0, patientReserved=MAX + 1, max=MAX):
        regulator.reserve(claim(service_type=PATIENT_PAYS, charge=MAX + 1), sender=actors.module)


def test_reserve__fund_share_above_64_bits__reverts_with_the_amounts(regulator, actors, claim, lines):
    with ape.reverts(regulator.Regulator_ReservationAboveMax, fundReserved=MAX + 1, patientReserved=0, max=MAX):
        regulator.reserve(claim(service_type=FUND_PAYS, charge=MAX + 1), sender=actors.module)


def test_top_up__to_the_64_bit_bound__is_held_and_one_more_unit_reverts(regulator, actors, reserve, lines):
    _, rid = reserve(service_type=PATIENT_PAYS, charge=MAX - 1)
    regulator.topUp(rid, 0, MAX - 1, 1, actors.patient, sender=actors.module)
    assert regulator.getReservation(rid).patientReserved == MAX
    with ape.reverts(regulator.Regulator_ReservationAboveMax, fundReserved=0, patientReserved=MAX + 1, max=MAX):
        regulator.topUp(rid, 0, MAX, 1, actors.patient, sender=actors.module)


def test_reservation_accounts__name_the_fund_account_and_the_patients_current_account(
    regulator, actors, reserve, accounts
):
    _, rid = reserve(charge=100 * UNIT)
    assert regulator.reservationAccounts(rid) == (actors.fund, actors.patient)
    assert regulator.reservationPatientAccount(rid) == actors.patient
    # A patient who moves to a new account is refunded there.
    new_account = accounts.generate_test_account()
    regulator.registerPatient(PATIENT, new_account, 1, 110_000, sender=actors.registrar)
    assert regulator.reservationAccounts(rid) == (actors.fund, new_account)
    assert regulator.reservationPatientAccount(rid) == new_account


@pytest.mark.parametrize("view", ["reservationAccounts", "reservationPatientAccount"])
def test_reservation_accounts__unknown_reservation__reverts(regulator, view):
    with ape.reverts(regulator.Regulator_ReservationNotFound, reservationId=99):
        getattr(regulator, view)(99)


def test_budget_of__unregistered_institution__is_all_zero(regulator, accounts):
    assert regulator.budgetOf(1, accounts.generate_test_account(), 0) == (0, 0, 0)
