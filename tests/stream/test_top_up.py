"""CareStream.topUp: more money for a stream, in the same budget period or a later one."""

import dataclasses

import ape
import pytest

from .conftest import CHRONIC, DEDUCTIBLE, FUND_CAP, ONE, PATIENT_ID, RATIO_BPS, month_start
from .model import CANCELLED, INSOLVENT, STREAMING, cost_share


def _ledger(stream, stream_id):
    return tuple(stream.getStream(stream_id).ledger)


def _model_ledger(model):
    l = model.ledger
    return (l.fund_in, l.patient_in, l.fund_out, l.patient_out)


def test_top_up__same_period__extends_the_reservation_after_paying_what_streamed(
    create_stream, stream, token, regulator, fund, patient, operator, split_id, program_id, hospital, at,
    expected_shares,
):
    stream_id, model, tx0 = create_stream()
    reservation_id = stream.getStream(stream_id).reservationId
    t = at(tx0.timestamp + 86_400)
    period = regulator.periodOf(program_id, t)
    charge = 150 * ONE
    fund_share, patient_share, _ = expected_shares(charge, t)
    owed, owed_fund, owed_patient, _, _ = model.top_up(t, fund_share, patient_share)
    assert owed == model.rate * 86_400 // 10**18
    reserved_before = regulator.getReservation(reservation_id)
    used_before = regulator.budgetOf(program_id, hospital, period)[1]
    fund_before, patient_before = token.balanceOf(fund), token.balanceOf(patient)

    tx = stream.topUp(stream_id, charge, sender=operator)

    [event] = tx.decode_logs(stream.StreamToppedUp)
    assert (event.streamId, event.caller, event.charge) == (stream_id, operator, charge)
    assert (event.fundShare, event.patientShare) == (fund_share, patient_share)
    assert (event.oldReservationId, event.newReservationId) == (reservation_id, reservation_id)
    [withdrawn] = tx.decode_logs(stream.Withdrawn)
    assert (withdrawn.amount, withdrawn.fundPart, withdrawn.patientPart) == (owed, owed_fund, owed_patient)
    [extended] = tx.decode_logs(regulator.Extended)
    assert extended.reservationId == reservation_id
    assert _ledger(stream, stream_id) == _model_ledger(model)
    assert stream.getStream(stream_id).reservationId == reservation_id
    reservation = regulator.getReservation(reservation_id)
    assert reservation.fundReserved == reserved_before.fundReserved + fund_share
    assert reservation.patientReserved == reserved_before.patientReserved + patient_share
    assert regulator.budgetOf(program_id, hospital, period)[1] == used_before + fund_share
    assert token.balanceOf(fund) == fund_before - fund_share
    assert token.balanceOf(patient) == patient_before - patient_share
    assert token.balanceOf(stream) == model.ledger.total


def test_top_up__later_period__renews_the_reservation_with_exactly_the_unstreamed_money(
    create_stream, stream, regulator, operator, program_id, hospital, chain, at, usage
):
    # Created a day into next month (period p), topped up two days into the month after (period p + 1).
    created = month_start(chain.pending_timestamp, 1) + 86_400
    stream_id, model, tx0 = create_stream(at=created, deposit=1_000 * ONE)
    old_id = stream.getStream(stream_id).reservationId
    old_period = regulator.periodOf(program_id, created)
    t = at(month_start(created, 1) + 2 * 86_400)
    new_period = regulator.periodOf(program_id, t)
    assert new_period == old_period + 1
    old_reservation = regulator.getReservation(old_id)
    old_used = regulator.budgetOf(program_id, hospital, old_period)[1]
    met, fund_used = usage(t)
    assert (met, fund_used) == (0, 0)

    charge = 100 * ONE
    unstreamed = model.deposited - model.earned(t)
    # The carried amounts are the payers' balances once what streamed is paid (attributed) first.
    probe = dataclasses.replace(model.ledger)
    probe.record_out(model.withdrawable(t))
    carried_fund, carried_patient = probe.fund_balance, probe.patient_balance
    assert carried_fund + carried_patient == unstreamed > 0
    # Carried fund counts toward the new period's fundUsed before the charge is cost-shared.
    fund_share, patient_share, _ = cost_share(charge, RATIO_BPS, DEDUCTIBLE, met, FUND_CAP, fund_used + carried_fund)
    _, _, _, unspent_fund, unspent_patient = model.top_up(t, fund_share, patient_share)
    assert (unspent_fund, unspent_patient) == (carried_fund, carried_patient)

    tx = stream.topUp(stream_id, charge, sender=operator)

    new_id = regulator.reservationCount()
    assert new_id != old_id
    [event] = tx.decode_logs(stream.StreamToppedUp)
    assert (event.oldReservationId, event.newReservationId) == (old_id, new_id)
    assert (event.fundShare, event.patientShare) == (fund_share, patient_share)
    [renewed] = tx.decode_logs(regulator.Renewed)
    assert (renewed.oldReservationId, renewed.newReservationId) == (old_id, new_id)
    assert (renewed.carriedFund, renewed.carriedPatient) == (carried_fund, carried_patient)
    assert stream.getStream(stream_id).reservationId == new_id
    old_after = regulator.getReservation(old_id)
    assert old_after.fundReserved == old_reservation.fundReserved - carried_fund
    assert old_after.patientReserved == old_reservation.patientReserved - carried_patient
    new = regulator.getReservation(new_id)
    assert (new.fundReserved, new.patientReserved) == (carried_fund + fund_share, carried_patient + patient_share)
    assert new.period == new_period
    assert regulator.budgetOf(program_id, hospital, old_period)[1] == old_used - carried_fund
    assert regulator.budgetOf(program_id, hospital, new_period)[1] == carried_fund + fund_share
    assert regulator.patientUsage(program_id, PATIENT_ID, CHRONIC, new_period)[1] == carried_fund + fund_share
    assert _ledger(stream, stream_id) == _model_ledger(model)
    # The stream's fund balance is exactly what the new reservation holds: a cancellation can release it.
    assert model.ledger.fund_balance == new.fundReserved
    assert model.ledger.patient_balance == new.patientReserved


def test_top_up__insolvent__repays_the_debt_first(create_stream, stream, operator, at, expected_shares, view_at):
    stream_id, model, tx0 = create_stream(deposit=30 * ONE)
    t = at(tx0.timestamp + 10 * 86_400)
    assert model.status(t) == INSOLVENT
    debt = model.uncovered_debt(t)
    charge = 200 * ONE
    fund_share, patient_share, _ = expected_shares(charge, t)
    owed, owed_fund, owed_patient, _, _ = model.top_up(t, fund_share, patient_share)
    assert owed == 30 * ONE

    tx = stream.topUp(stream_id, charge, sender=operator)

    [withdrawn] = tx.decode_logs(stream.Withdrawn)
    assert (withdrawn.amount, withdrawn.fundPart, withdrawn.patientPart) == (owed, owed_fund, owed_patient)
    assert stream.uncoveredDebtOf(stream_id) == 0
    assert stream.withdrawableAmountOf(stream_id) == debt == model.withdrawable(t)
    assert stream.statusOf(stream_id) == STREAMING
    view_at(t + 3_600)
    assert stream.withdrawableAmountOf(stream_id) == model.withdrawable(t + 3_600)


def test_top_up__pending_stream__pays_nothing_first(create_stream, stream, patient, chain, expected_shares, at):
    now = chain.pending_timestamp
    stream_id, model, _ = create_stream(at=now, start=now + 3_600)
    t = at(now + 10)
    fund_share, patient_share, _ = expected_shares(50 * ONE, t)
    model.top_up(t, fund_share, patient_share)
    tx = stream.topUp(stream_id, 50 * ONE, sender=patient)
    assert tx.decode_logs(stream.Withdrawn) == []
    [event] = tx.decode_logs(stream.StreamToppedUp)
    assert event.caller == patient
    assert _ledger(stream, stream_id) == _model_ledger(model)


def test_top_up__unknown_stream__reverts(stream, operator):
    with ape.reverts(stream.CareStream_UnknownStream, streamId=3):
        stream.topUp(3, ONE, sender=operator)


def test_top_up__stranger__reverts(create_stream, stream, stranger):
    stream_id, _, _ = create_stream()
    with ape.reverts(stream.CareStream_Unauthorized, caller=stranger, streamId=stream_id):
        stream.topUp(stream_id, ONE, sender=stranger)


def test_top_up__cancelled__reverts(create_stream, stream, operator):
    stream_id, _, _ = create_stream()
    stream.cancel(stream_id, sender=operator)
    with ape.reverts(stream.CareStream_WrongStatus, streamId=stream_id, status=CANCELLED):
        stream.topUp(stream_id, ONE, sender=operator)


def test_top_up__zero_charge__reverts(create_stream, stream, operator):
    stream_id, _, _ = create_stream()
    with ape.reverts(stream.CareStream_ZeroDeposit):
        stream.topUp(stream_id, 0, sender=operator)


def test_top_up__budget_exceeded__reverts_and_changes_nothing(
    create_stream, stream, token, regulator, admin, operator, hospital, program_id, at
):
    stream_id, _, tx0 = create_stream()
    period = regulator.periodOf(program_id, tx0.timestamp)
    used = regulator.budgetOf(program_id, hospital, period)[1]
    regulator.setPeriodBudget(program_id, hospital, period, used, sender=admin)
    at(tx0.timestamp + 100)
    before = (_ledger(stream, stream_id), token.balanceOf(stream), stream.getStream(stream_id).reservationId)
    with ape.reverts(regulator.Regulator_BudgetExceeded):
        stream.topUp(stream_id, 100 * ONE, sender=operator)
    assert (_ledger(stream, stream_id), token.balanceOf(stream), stream.getStream(stream_id).reservationId) == before


def test_top_up__institution_frozen_with_money_owed__reverts_with_the_regulators_error(
    create_stream, stream, regulator, admin, operator, hospital, at
):
    stream_id, _, tx0 = create_stream()
    regulator.setInstitutionFrozen(hospital, True, sender=admin)
    at(tx0.timestamp + 100)
    with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=hospital):
        stream.topUp(stream_id, ONE, sender=operator)


def test_top_up__patient_frozen__reverts_with_the_regulators_error(
    create_stream, stream, regulator, admin, operator, chain
):
    stream_id, _, _ = create_stream(start=chain.pending_timestamp + 3_600)
    regulator.setPatientFrozen(PATIENT_ID, True, sender=admin)
    with ape.reverts(regulator.Regulator_PatientFrozen, patientId=PATIENT_ID):
        stream.topUp(stream_id, ONE, sender=operator)


def test_top_up__after_the_end_up_to_the_debt__repays_it_and_leaves_nothing_refundable(
    create_stream, stream, operator, chain, at, expected_shares
):
    now = chain.pending_timestamp
    stream_id, model, _ = create_stream(at=now, end=now + 86_400, deposit=5 * ONE)
    t = at(now + 2 * 86_400)
    debt = model.uncovered_debt(t)
    assert debt > 0
    fund_share, patient_share, _ = expected_shares(debt, t)
    owed, _, _, _, _ = model.top_up(t, fund_share, patient_share)
    assert owed == 5 * ONE

    tx = stream.topUp(stream_id, debt, sender=operator)

    [topped] = tx.decode_logs(stream.StreamToppedUp)
    assert (topped.charge, topped.fundShare, topped.patientShare) == (debt, fund_share, patient_share)
    assert stream.withdrawableAmountOf(stream_id) == debt == model.withdrawable(t)
    assert stream.uncoveredDebtOf(stream_id) == 0
    assert stream.refundableAmountOf(stream_id) == 0 == model.refundable(t)


@pytest.mark.parametrize("over", [1, 20 * ONE])
def test_top_up__after_the_end_above_the_debt__reverts_and_changes_nothing(
    create_stream, stream, operator, chain, at, token, over
):
    # Nothing accrues after the end: money above the debt would only be locked (with the fund's budget) until a cancel.
    now = chain.pending_timestamp
    end = now + 86_400
    stream_id, model, _ = create_stream(at=now, end=end, deposit=5 * ONE)
    t = at(now + 2 * 86_400)
    debt = model.uncovered_debt(t)
    before = (stream.getStream(stream_id), token.balanceOf(stream))
    with ape.reverts(stream.CareStream_TopUpAfterEnd, streamId=stream_id, endTime=end, charge=debt + over,
                     uncoveredDebt=debt):
        stream.topUp(stream_id, debt + over, sender=operator)
    assert (stream.getStream(stream_id), token.balanceOf(stream)) == before


def test_top_up__after_the_end_without_debt__reverts_with_a_zero_debt(create_stream, stream, operator, chain, at):
    now = chain.pending_timestamp
    end = now + 60
    stream_id, model, _ = create_stream(at=now, end=end, deposit=300 * ONE)  # far more than 60 s stream
    at(end + 10)
    with ape.reverts(stream.CareStream_TopUpAfterEnd, streamId=stream_id, endTime=end, charge=ONE, uncoveredDebt=0):
        stream.topUp(stream_id, ONE, sender=operator)


def test_top_up__later_period_then_cancel__releases_from_the_renewed_reservation(
    create_stream, stream, regulator, operator, patient, chain, at
):
    created = month_start(chain.pending_timestamp, 1) + 86_400
    stream_id, model, _ = create_stream(at=created, deposit=1_000 * ONE)
    t = at(month_start(created, 1) + 3_600)
    tx = stream.topUp(stream_id, 50 * ONE, sender=patient)
    [event] = tx.decode_logs(stream.StreamToppedUp)
    model.top_up(t, event.fundShare, event.patientShare)
    new_id = event.newReservationId
    assert new_id != event.oldReservationId
    held = regulator.getReservation(new_id)

    t = at(t + 5_000)
    expected = model.cancel(t)
    assert expected["fund_refund"] > 0 and expected["patient_refund"] > 0
    tx = stream.cancel(stream_id, sender=operator)

    [released] = tx.decode_logs(regulator.Released)
    assert (released.reservationId, released.fundAmount, released.patientAmount) == (
        new_id,
        expected["fund_refund"],
        expected["patient_refund"],
    )
    after = regulator.getReservation(new_id)
    assert after.fundReserved == held.fundReserved - expected["fund_refund"]
    assert after.patientReserved == held.patientReserved - expected["patient_refund"]
    assert model.ledger.total == 0
