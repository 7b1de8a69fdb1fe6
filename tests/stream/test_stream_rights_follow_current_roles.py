"""Who may pause, resume, top up and cancel a stream: the parties as they are now, not whoever opened it.

`CareStream._authorized` asks the Regulator (`mayActFor`, one call from the stream's reservation): the patient's
account as registered now, or a current fund operator of the stream's program (its fund account included), the
rule by which the Regulator accepts a claim's initiator. The stored `sender` is information only (getStream,
StreamCreated): a fund operator removed by the fund account (a case manager who left, a leaked key) and a
patient's old account after the registrar moved the patient lose every right over the streams they opened,
at once (security review finding 3).
"""

import ape
import pytest

from .conftest import ONE, PATIENT_ID, REGION


@pytest.fixture
def new_patient_account(accounts, admin, regulator, program_id):
    """Moves the patient to a new account (registrar), funded and approved like the old one."""

    def move():
        account = accounts.generate_test_account()
        admin.transfer(account, 10**18)
        tx = regulator.registerPatient(PATIENT_ID, account, program_id, REGION, sender=admin)
        assert regulator.PatientRegistered.from_receipt(tx)[0].account == account
        return account

    return move


def test_removed_fund_operator__can_no_longer_pause_resume_top_up_or_cancel(
    create_stream, stream, regulator, program_id, fund, operator, at
):
    stream_id, _, tx0 = create_stream(sender=operator)
    assert stream.getStream(stream_id).sender == operator
    tx = regulator.setFundOperator(program_id, operator, False, sender=fund)
    assert not regulator.FundOperatorSet.from_receipt(tx)[0].allowed
    assert not regulator.isFundOperator(program_id, operator)
    at(tx0.timestamp + 60)

    for call, args in (("pause", ()), ("resume", ()), ("topUp", (10 * ONE,)), ("cancel", ())):
        with ape.reverts(stream.CareStream_Unauthorized, caller=operator, streamId=stream_id):
            getattr(stream, call)(stream_id, *args, sender=operator)
    # The stored sender is unchanged: information, not a right.
    assert stream.getStream(stream_id).sender == operator


def test_removed_fund_operator__named_again__acts_again(create_stream, stream, regulator, program_id, fund, operator, at):
    stream_id, _, tx0 = create_stream(sender=operator)
    regulator.setFundOperator(program_id, operator, False, sender=fund)
    regulator.setFundOperator(program_id, operator, True, sender=fund)
    at(tx0.timestamp + 60)
    tx = stream.pause(stream_id, sender=operator)
    [paused] = tx.decode_logs(stream.StreamPaused)
    assert (paused.streamId, paused.caller) == (stream_id, operator)


def test_patients_old_account__can_no_longer_pause_or_cancel(create_stream, stream, patient, new_patient_account, at):
    stream_id, _, tx0 = create_stream(sender=patient)
    assert stream.getStream(stream_id).sender == patient
    new_patient_account()
    at(tx0.timestamp + 60)
    with ape.reverts(stream.CareStream_Unauthorized, caller=patient, streamId=stream_id):
        stream.pause(stream_id, sender=patient)
    with ape.reverts(stream.CareStream_Unauthorized, caller=patient, streamId=stream_id):
        stream.cancel(stream_id, sender=patient)


def test_patients_new_account__pauses_resumes_and_cancels_a_stream_the_old_account_opened(
    create_stream, stream, token, patient, new_patient_account, at
):
    stream_id, model, tx0 = create_stream(sender=patient)
    account = new_patient_account()
    t = at(tx0.timestamp + 60)
    [paused] = stream.pause(stream_id, sender=account).decode_logs(stream.StreamPaused)
    assert (paused.streamId, paused.caller, paused.streamedAmount) == (stream_id, account, model.streamed(t))
    model.pause(t)
    t = at(t + 60)
    [resumed] = stream.resume(stream_id, sender=account).decode_logs(stream.StreamResumed)
    assert (resumed.caller, resumed.streamedAmount) == (account, model.streamed(t))
    model.resume(t)
    t = at(t + 60)
    expected = model.cancel(t)
    tx = stream.cancel(stream_id, sender=account)
    [cancelled] = tx.decode_logs(stream.StreamCancelled)
    assert (cancelled.caller, cancelled.patientRefund) == (account, expected["patient_refund"])
    # The patient's refund goes to the current account, never to the old one.
    assert token.balanceOf(account) == expected["patient_refund"] > 0


def test_operator_named_after_creation__may_pause_and_cancel_the_patients_stream(
    create_stream, stream, regulator, program_id, fund, patient, stranger, at
):
    stream_id, _, tx0 = create_stream(sender=patient)
    at(tx0.timestamp + 60)
    with ape.reverts(stream.CareStream_Unauthorized, caller=stranger, streamId=stream_id):
        stream.pause(stream_id, sender=stranger)
    regulator.setFundOperator(program_id, stranger, True, sender=fund)
    [paused] = stream.pause(stream_id, sender=stranger).decode_logs(stream.StreamPaused)
    assert paused.caller == stranger
    [cancelled] = stream.cancel(stream_id, sender=stranger).decode_logs(stream.StreamCancelled)
    assert (cancelled.streamId, cancelled.caller) == (stream_id, stranger)


def test_fund_account__may_pause_a_stream_an_operator_opened(create_stream, stream, fund, operator, at):
    stream_id, _, tx0 = create_stream(sender=operator)
    at(tx0.timestamp + 60)
    [paused] = stream.pause(stream_id, sender=fund).decode_logs(stream.StreamPaused)
    assert (paused.streamId, paused.caller) == (stream_id, fund)


def test_unknown_stream__reverts_before_asking_the_regulator(stream, operator):
    with ape.reverts(stream.CareStream_UnknownStream, streamId=99):
        stream.pause(99, sender=operator)
