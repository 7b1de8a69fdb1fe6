"""CareStream.withdraw: paying the care team's split what has streamed and is covered."""

import ape

from .conftest import ONE
from .model import INSOLVENT


def _assert_withdrawn(stream, tx, stream_id, split_id, caller, amount, fund_part, patient_part):
    [event] = tx.decode_logs(stream.Withdrawn)
    assert event.streamId == stream_id
    assert event.splitId == split_id
    assert event.caller == caller
    assert (event.amount, event.fundPart, event.patientPart) == (amount, fund_part, patient_part)
    assert fund_part + patient_part == amount


def test_withdraw__after_a_day__pays_the_streamed_amount_into_the_split(
    create_stream, stream, token, router, keeper, split_id, at
):
    stream_id, model, tx0 = create_stream()
    t = at(tx0.timestamp + 86_400)
    amount, fund_part, patient_part = model.withdraw(t)
    assert amount == model.rate * 86_400 // 10**18
    router_before = token.balanceOf(router)
    received_before = router.totalReceived(split_id)

    tx = stream.withdraw(stream_id, sender=keeper)

    _assert_withdrawn(stream, tx, stream_id, split_id, keeper, amount, fund_part, patient_part)
    [paid] = tx.decode_logs(router.SplitPaid)
    assert (paid.splitId, paid.payer, paid.amount) == (split_id, stream, amount)
    assert token.balanceOf(router) == router_before + amount
    assert router.totalReceived(split_id) == received_before + amount
    assert token.balanceOf(stream) == model.deposited - amount
    assert tuple(stream.getStream(stream_id).ledger) == (
        model.ledger.fund_in,
        model.ledger.patient_in,
        model.ledger.fund_out,
        model.ledger.patient_out,
    )
    assert stream.withdrawnAmountOf(stream_id) == amount


def test_withdraw__twice__pays_only_the_increment(create_stream, stream, keeper, split_id, at):
    stream_id, model, tx0 = create_stream()
    t1 = at(tx0.timestamp + 1_000)
    model.withdraw(t1)
    stream.withdraw(stream_id, sender=keeper)
    t2 = at(t1 + 5_555)
    amount, fund_part, patient_part = model.withdraw(t2)
    tx = stream.withdraw(stream_id, sender=keeper)
    _assert_withdrawn(stream, tx, stream_id, split_id, keeper, amount, fund_part, patient_part)
    assert stream.withdrawnAmountOf(stream_id) == model.paid == model.rate * 6_555 // 10**18


def test_withdraw__insolvent__pays_the_balance_and_shows_the_debt(
    create_stream, stream, token, keeper, split_id, at, view_at
):
    stream_id, model, tx0 = create_stream(deposit=30 * ONE)
    t = at(tx0.timestamp + 10 * 86_400)  # 100 cUSD streamed against 30 deposited
    assert model.status(t) == INSOLVENT
    debt = model.uncovered_debt(t)
    amount, fund_part, patient_part = model.withdraw(t)
    assert amount == 30 * ONE

    tx = stream.withdraw(stream_id, sender=keeper)

    _assert_withdrawn(stream, tx, stream_id, split_id, keeper, amount, fund_part, patient_part)
    assert token.balanceOf(stream) == 0
    assert stream.uncoveredDebtOf(stream_id) == debt > 0
    assert stream.statusOf(stream_id) == INSOLVENT
    assert model.ledger.total == 0 and model.ledger.fund_out == model.ledger.fund_in
    view_at(t + 100)
    assert stream.uncoveredDebtOf(stream_id) == model.uncovered_debt(t + 100)
    assert stream.withdrawableAmountOf(stream_id) == 0


def test_withdraw__unknown_stream__reverts(stream, keeper):
    with ape.reverts(stream.CareStream_UnknownStream, streamId=7):
        stream.withdraw(7, sender=keeper)


def test_withdraw__nothing_streamed_yet__reverts(create_stream, stream, keeper, chain):
    stream_id, _, _ = create_stream(start=chain.pending_timestamp + 3_600)
    with ape.reverts(stream.CareStream_NothingToWithdraw, streamId=stream_id):
        stream.withdraw(stream_id, sender=keeper)


def test_withdraw__everything_already_paid__reverts(create_stream, stream, keeper, at):
    stream_id, _, tx0 = create_stream(deposit=ONE)
    at(tx0.timestamp + 86_400)
    stream.withdraw(stream_id, sender=keeper)
    with ape.reverts(stream.CareStream_NothingToWithdraw, streamId=stream_id):
        stream.withdraw(stream_id, sender=keeper)


def test_withdraw__institution_frozen__reverts_with_the_regulators_error_and_pays_after_unfreeze(
    create_stream, stream, regulator, admin, hospital, keeper, split_id, at
):
    stream_id, model, tx0 = create_stream()
    regulator.setInstitutionFrozen(hospital, True, sender=admin)
    at(tx0.timestamp + 3_600)
    with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=hospital):
        stream.withdraw(stream_id, sender=keeper)
    regulator.setInstitutionFrozen(hospital, False, sender=admin)
    t = at(tx0.timestamp + 7_200)
    amount, fund_part, patient_part = model.withdraw(t)
    tx = stream.withdraw(stream_id, sender=keeper)
    _assert_withdrawn(stream, tx, stream_id, split_id, keeper, amount, fund_part, patient_part)


def test_withdraw__program_frozen__reverts_with_the_regulators_error(
    create_stream, stream, regulator, admin, keeper, program_id, at
):
    stream_id, _, tx0 = create_stream()
    regulator.setProgramFrozen(program_id, True, sender=admin)
    at(tx0.timestamp + 3_600)
    with ape.reverts(regulator.Regulator_ProgramFrozen, programId=program_id):
        stream.withdraw(stream_id, sender=keeper)
