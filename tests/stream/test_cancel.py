"""CareStream.cancel: exact settlement between the care team, the fund and the patient."""

import ape
import pytest

from .conftest import ONE
from .model import CANCELLED

# A rate that is not a whole number of units per second, so rounding matters.
ODD_RATE = 7 * 10**18 // 3 + 1


def _assert_cancelled(stream, tx, stream_id, caller, expected):
    [event] = tx.decode_logs(stream.StreamCancelled)
    assert event.streamId == stream_id
    assert event.caller == caller
    assert (event.paidToCareTeam, event.heldForCareTeam) == (expected["paid"], expected["held"])
    assert (event.fundRefund, event.patientRefund) == (expected["fund_refund"], expected["patient_refund"])
    assert event.uncoveredDebt == expected["uncovered_debt"]


@pytest.fixture
def balances(token, fund, patient, router, stream):
    def read():
        return {
            "fund": token.balanceOf(fund),
            "patient": token.balanceOf(patient),
            "router": token.balanceOf(router),
            "stream": token.balanceOf(stream),
        }

    return read


@pytest.mark.parametrize("elapsed", [1, 3_333, 86_400 - 7])
def test_cancel__while_streaming__pays_the_care_team_and_refunds_both_payers_pro_rata(
    create_stream, stream, regulator, operator, split_id, at, balances, elapsed
):
    stream_id, model, tx0 = create_stream(rate=ODD_RATE, deposit=500 * ONE + 7)
    reservation_id = stream.getStream(stream_id).reservationId
    reserved = regulator.getReservation(reservation_id)
    t = at(tx0.timestamp + elapsed)
    before = balances()
    expected = model.cancel(t)
    assert expected["paid"] == ODD_RATE * elapsed // 10**18
    assert expected["paid"] + expected["fund_refund"] + expected["patient_refund"] == model.deposited

    tx = stream.cancel(stream_id, sender=operator)

    _assert_cancelled(stream, tx, stream_id, operator, expected)
    [withdrawn] = tx.decode_logs(stream.Withdrawn)
    assert (withdrawn.amount, withdrawn.fundPart, withdrawn.patientPart) == (
        expected["paid"],
        expected["fund_part"],
        expected["patient_part"],
    )
    [released] = tx.decode_logs(regulator.Released)
    assert (released.reservationId, released.fundAmount, released.patientAmount) == (
        reservation_id,
        expected["fund_refund"],
        expected["patient_refund"],
    )
    after = balances()
    assert after["fund"] == before["fund"] + expected["fund_refund"]
    assert after["patient"] == before["patient"] + expected["patient_refund"]
    assert after["router"] == before["router"] + expected["paid"]
    assert after["stream"] == 0
    # To the unit: fund + patient + care team == deposits, and each payer gets back its own ratio.
    assert expected["fund_part"] + expected["fund_refund"] == model.ledger.fund_in
    assert expected["patient_part"] + expected["patient_refund"] == model.ledger.patient_in
    reservation = regulator.getReservation(reservation_id)
    assert reservation.fundReserved == reserved.fundReserved - expected["fund_refund"]
    assert reservation.patientReserved == reserved.patientReserved - expected["patient_refund"]
    s = stream.getStream(stream_id)
    assert (s.accrual.state, s.accrual.snapshotTime, s.accrual.activeSeconds) == (2, t, elapsed)
    assert tuple(s.ledger) == (model.ledger.fund_in, model.ledger.patient_in, model.ledger.fund_in, model.ledger.patient_in)
    assert stream.statusOf(stream_id) == CANCELLED
    assert stream.streamedAmountOf(stream_id) == expected["paid"]
    assert stream.withdrawnAmountOf(stream_id) == expected["paid"]
    assert stream.withdrawableAmountOf(stream_id) == 0
    assert stream.refundableAmountOf(stream_id) == 0
    assert stream.depletionTimeOf(stream_id) == 0


def test_cancel__pending__refunds_everything_and_releases_the_reservation(
    create_stream, stream, regulator, patient, program_id, hospital, chain, balances
):
    now = chain.pending_timestamp
    stream_id, model, _ = create_stream(at=now, start=now + 86_400)
    reservation_id = stream.getStream(stream_id).reservationId
    period = regulator.periodOf(program_id, now)
    used = regulator.budgetOf(program_id, hospital, period)[1]
    before = balances()
    chain.pending_timestamp = now + 10
    expected = model.cancel(now + 10)
    assert expected["paid"] == 0
    assert (expected["fund_refund"], expected["patient_refund"]) == (model.ledger.fund_in, model.ledger.patient_in)

    tx = stream.cancel(stream_id, sender=patient)

    _assert_cancelled(stream, tx, stream_id, patient, expected)
    assert tx.decode_logs(stream.Withdrawn) == []
    assert balances()["fund"] == before["fund"] + expected["fund_refund"]
    assert balances()["patient"] == before["patient"] + expected["patient_refund"]
    reservation = regulator.getReservation(reservation_id)
    assert (reservation.fundReserved, reservation.patientReserved) == (0, 0)
    assert regulator.budgetOf(program_id, hospital, period)[1] == used - expected["fund_refund"]


def test_cancel__insolvent__writes_the_uncovered_debt_off(create_stream, stream, regulator, operator, at, balances):
    stream_id, model, tx0 = create_stream(deposit=30 * ONE)
    t = at(tx0.timestamp + 5 * 86_400)
    expected = model.cancel(t)
    assert expected["uncovered_debt"] == model.streamed(t) - 30 * ONE > 0
    assert (expected["fund_refund"], expected["patient_refund"], expected["paid"]) == (0, 0, 30 * ONE)
    before = balances()

    tx = stream.cancel(stream_id, sender=operator)

    _assert_cancelled(stream, tx, stream_id, operator, expected)
    assert tx.decode_logs(regulator.Released) == []
    assert balances()["router"] == before["router"] + 30 * ONE
    assert stream.uncoveredDebtOf(stream_id) == 0
    assert stream.streamedAmountOf(stream_id) == 30 * ONE


def test_cancel__after_the_end__refunds_what_did_not_stream(create_stream, stream, operator, chain, at, balances):
    now = chain.pending_timestamp
    stream_id, model, _ = create_stream(at=now, end=now + 86_400, deposit=100 * ONE)
    t = at(now + 3 * 86_400)
    expected = model.cancel(t)
    assert expected["paid"] == model.rate * 86_400 // 10**18
    tx = stream.cancel(stream_id, sender=operator)
    _assert_cancelled(stream, tx, stream_id, operator, expected)
    assert stream.getStream(stream_id).accrual.activeSeconds == 86_400


def test_cancel__paused__settles_at_the_pause(create_stream, stream, operator, at):
    stream_id, model, tx0 = create_stream()
    t = at(tx0.timestamp + 500)
    model.pause(t)
    stream.pause(stream_id, sender=operator)
    t = at(t + 10_000)
    expected = model.cancel(t)
    assert expected["paid"] == model.rate * 500 // 10**18
    tx = stream.cancel(stream_id, sender=operator)
    _assert_cancelled(stream, tx, stream_id, operator, expected)


def test_cancel__after_withdrawals_and_a_top_up__settles_to_the_unit(
    create_stream, stream, operator, keeper, at, expected_shares, balances
):
    stream_id, model, tx0 = create_stream(rate=ODD_RATE, deposit=200 * ONE + 3)
    t = at(tx0.timestamp + 777)
    model.withdraw(t)
    stream.withdraw(stream_id, sender=keeper)
    t = at(t + 1_001)
    fund_share, patient_share, _ = expected_shares(77 * ONE + 1, t)
    model.top_up(t, fund_share, patient_share)
    stream.topUp(stream_id, 77 * ONE + 1, sender=operator)
    t = at(t + 4_321)
    expected = model.cancel(t)
    tx = stream.cancel(stream_id, sender=operator)
    _assert_cancelled(stream, tx, stream_id, operator, expected)
    assert model.ledger.fund_out == model.ledger.fund_in
    assert model.ledger.patient_out == model.ledger.patient_in
    assert model.paid + expected["fund_refund"] + expected["patient_refund"] == model.deposited
    assert balances()["stream"] == 0


def test_cancel__program_frozen__refunds_the_payers_and_holds_the_care_teams_part(
    create_stream, stream, regulator, admin, operator, keeper, program_id, at, balances
):
    stream_id, model, tx0 = create_stream(rate=ODD_RATE)
    regulator.setProgramFrozen(program_id, True, sender=admin)
    t = at(tx0.timestamp + 500)
    before = balances()
    expected = model.cancel(t, payout_allowed=False)
    tx = stream.cancel(stream_id, sender=operator)
    _assert_cancelled(stream, tx, stream_id, operator, expected)
    assert balances()["fund"] == before["fund"] + expected["fund_refund"]
    assert balances()["patient"] == before["patient"] + expected["patient_refund"]
    assert balances()["stream"] == expected["held"] > 0
    with ape.reverts(regulator.Regulator_ProgramFrozen, programId=program_id):
        stream.withdraw(stream_id, sender=keeper)
    regulator.setProgramFrozen(program_id, False, sender=admin)
    t = at(t + 10)
    amount, fund_part, patient_part = model.withdraw(t)
    [withdrawn] = stream.withdraw(stream_id, sender=keeper).decode_logs(stream.Withdrawn)
    assert (withdrawn.amount, withdrawn.fundPart, withdrawn.patientPart) == (amount, fund_part, patient_part)
    assert balances()["stream"] == 0


def test_cancel__institution_frozen__refunds_the_payers_and_holds_the_care_teams_part(
    create_stream, stream, regulator, admin, operator, keeper, hospital, split_id, at, balances
):
    stream_id, model, tx0 = create_stream(rate=ODD_RATE)
    regulator.setInstitutionFrozen(hospital, True, sender=admin)
    t = at(tx0.timestamp + 2_000)
    before = balances()
    expected = model.cancel(t, payout_allowed=False)
    assert expected["paid"] == 0 and expected["held"] == ODD_RATE * 2_000 // 10**18

    tx = stream.cancel(stream_id, sender=operator)

    _assert_cancelled(stream, tx, stream_id, operator, expected)
    assert tx.decode_logs(stream.Withdrawn) == []
    after = balances()
    assert after["fund"] == before["fund"] + expected["fund_refund"]
    assert after["patient"] == before["patient"] + expected["patient_refund"]
    assert after["stream"] == expected["held"]
    assert stream.withdrawableAmountOf(stream_id) == expected["held"]
    assert stream.statusOf(stream_id) == CANCELLED

    at(t + 100)
    with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=hospital):
        stream.withdraw(stream_id, sender=keeper)

    regulator.setInstitutionFrozen(hospital, False, sender=admin)
    t = at(t + 1_000_000)
    amount, fund_part, patient_part = model.withdraw(t)
    assert amount == expected["held"]
    tx = stream.withdraw(stream_id, sender=keeper)
    [withdrawn] = tx.decode_logs(stream.Withdrawn)
    assert (withdrawn.splitId, withdrawn.amount, withdrawn.fundPart, withdrawn.patientPart) == (
        split_id,
        amount,
        fund_part,
        patient_part,
    )
    assert balances()["stream"] == 0
    assert model.ledger.total == 0
    assert stream.withdrawnAmountOf(stream_id) == amount
    with ape.reverts(stream.CareStream_NothingToWithdraw, streamId=stream_id):
        stream.withdraw(stream_id, sender=keeper)


def test_cancel__patient_account_frozen_in_the_token__holds_the_patients_refund(
    create_stream, stream, token, admin, operator, patient, stranger, chain, at, balances
):
    stream_id, model, tx0 = create_stream()
    token.freeze(patient, sender=admin)
    t = at(tx0.timestamp + 100)
    before = balances()
    expected = model.cancel(t)

    tx = stream.cancel(stream_id, sender=operator)

    _assert_cancelled(stream, tx, stream_id, operator, expected)
    [held] = tx.decode_logs(stream.RefundHeld)
    assert (held.streamId, held.account, held.amount) == (stream_id, patient, expected["patient_refund"])
    assert balances()["fund"] == before["fund"] + expected["fund_refund"]
    assert balances()["patient"] == before["patient"]
    assert balances()["stream"] == expected["patient_refund"]
    assert stream.heldRefundOf(patient) == expected["patient_refund"]

    with ape.reverts(token.CareUSD_AccountFrozen, account=patient):
        stream.claimRefund(patient, sender=stranger)
    token.unfreeze(patient, sender=admin)
    tx = stream.claimRefund(patient, sender=stranger)
    [claimed] = tx.decode_logs(stream.RefundClaimed)
    assert (claimed.account, claimed.caller, claimed.amount) == (patient, stranger, expected["patient_refund"])
    assert balances()["patient"] == before["patient"] + expected["patient_refund"]
    assert stream.heldRefundOf(patient) == 0
    assert balances()["stream"] == 0


def test_claim_refund__nothing_held__reverts(stream, patient, stranger):
    with ape.reverts(stream.CareStream_NoHeldRefund, account=patient):
        stream.claimRefund(patient, sender=stranger)


def test_cancel__stranger__reverts(create_stream, stream, stranger):
    stream_id, _, _ = create_stream()
    with ape.reverts(stream.CareStream_Unauthorized, caller=stranger, streamId=stream_id):
        stream.cancel(stream_id, sender=stranger)


def test_cancel__unknown_stream__reverts(stream, operator):
    with ape.reverts(stream.CareStream_UnknownStream, streamId=0):
        stream.cancel(0, sender=operator)


def test_cancel__twice__reverts(create_stream, stream, operator, patient):
    stream_id, _, _ = create_stream()
    stream.cancel(stream_id, sender=patient)
    with ape.reverts(stream.CareStream_WrongStatus, streamId=stream_id, status=CANCELLED):
        stream.cancel(stream_id, sender=operator)


def test_cancel__patient_with_a_new_account__acts_and_is_refunded_there(
    create_stream, stream, regulator, token, admin, stranger, program_id, at
):
    from .conftest import PATIENT_ID, REGION

    stream_id, model, tx0 = create_stream()
    regulator.registerPatient(PATIENT_ID, stranger, program_id, REGION, sender=admin)
    t = at(tx0.timestamp + 50)
    expected = model.cancel(t)
    before = token.balanceOf(stranger)
    tx = stream.cancel(stream_id, sender=stranger)
    _assert_cancelled(stream, tx, stream_id, stranger, expected)
    assert token.balanceOf(stranger) == before + expected["patient_refund"]
