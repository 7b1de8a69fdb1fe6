"""IRegulator.mayActFor: who may act now for the claim behind a reservation (a module's pause, resume, top-up or
cancel). It is `reserve`'s initiator rule (check 4) applied to the parties' current roles: the patient's account
as registered now, or a current fund operator of the reservation's program, its fund account included."""

import ape
import pytest

from .conftest import MONTHS, PATIENT, REGION, UNIT

ZERO = "0x" + "00" * 20


def test_may_act_for__patient_fund_account_and_operator__may(regulator, actors, reserve):
    _, rid = reserve()
    assert regulator.mayActFor(rid, actors.patient)
    assert regulator.mayActFor(rid, actors.fund)
    assert regulator.mayActFor(rid, actors.operator)


def test_may_act_for__stranger_other_patient_module_and_zero__may_not(regulator, actors, reserve):
    _, rid = reserve()
    for account in (actors.outsider, actors.patient2, actors.module, actors.institution, ZERO):
        assert not regulator.mayActFor(rid, account), account


def test_may_act_for__removed_operator__loses_the_right_at_once_and_regains_it_when_named_again(
    regulator, actors, reserve
):
    _, rid = reserve(initiator=actors.operator)
    tx = regulator.setFundOperator(1, actors.operator, False, sender=actors.fund)
    assert not regulator.FundOperatorSet.from_receipt(tx)[0].allowed
    assert not regulator.mayActFor(rid, actors.operator)
    regulator.setFundOperator(1, actors.operator, True, sender=actors.fund)
    assert regulator.mayActFor(rid, actors.operator)


def test_may_act_for__operator_named_after_the_reservation__may(regulator, actors, reserve):
    _, rid = reserve()
    assert not regulator.mayActFor(rid, actors.outsider)
    regulator.setFundOperator(1, actors.outsider, True, sender=actors.fund)
    assert regulator.mayActFor(rid, actors.outsider)


def test_may_act_for__patient_moved_to_a_new_account__only_the_new_account_may(regulator, actors, reserve, accounts):
    _, rid = reserve()
    new_account = accounts.generate_test_account()
    tx = regulator.registerPatient(PATIENT, new_account, 1, REGION, sender=actors.registrar)
    assert regulator.PatientRegistered.from_receipt(tx)[0].account == new_account
    assert not regulator.mayActFor(rid, actors.patient)
    assert regulator.mayActFor(rid, new_account)


def test_may_act_for__operator_of_another_program__may_not(regulator, actors, reserve, anchor):
    _, rid = reserve()
    other_fund, other_operator = actors.institution2, actors.outsider
    tx = regulator.createProgram(other_fund, (anchor, 1, MONTHS), sender=actors.configurator)
    other_program = regulator.ProgramCreated.from_receipt(tx)[0].programId
    regulator.setFundOperator(other_program, other_operator, True, sender=other_fund)
    assert regulator.isFundOperator(other_program, other_operator)
    assert not regulator.mayActFor(rid, other_operator)
    assert not regulator.mayActFor(rid, other_fund)


def test_may_act_for__unknown_reservation__reverts(regulator, actors):
    with ape.reverts(regulator.Regulator_ReservationNotFound, reservationId=99):
        regulator.mayActFor(99, actors.patient)


@pytest.mark.parametrize("who", ["patient", "fund", "operator", "removed_operator", "outsider", "old_account"])
def test_may_act_for__agrees_with_reserves_initiator_rule(regulator, actors, reserve, claim, accounts, who):
    """The same accounts pass `reserve`'s check 4 for a new claim of the same patient and program."""
    _, rid = reserve()
    account = getattr(actors, who, None)
    if who == "removed_operator":
        account = actors.operator
        regulator.setFundOperator(1, account, False, sender=actors.fund)
    elif who == "old_account":
        account = actors.patient
        regulator.registerPatient(PATIENT, accounts.generate_test_account(), 1, REGION, sender=actors.registrar)
    may = regulator.mayActFor(rid, account)
    assert may == (who in ("patient", "fund", "operator"))
    if may:
        tx = regulator.reserve(claim(initiator=account, charge=10 * UNIT), sender=actors.module)
        assert regulator.Reserved.from_receipt(tx)[0].claim[6] == account  # Claim.initiator
    else:
        with ape.reverts(regulator.Regulator_UnauthorizedInitiator, programId=1, patientId=PATIENT, initiator=account):
            regulator.reserve(claim(initiator=account, charge=10 * UNIT), sender=actors.module)
