"""CareStream.create and the constructor."""

import ape
import pytest
from ape import project

from .conftest import DEDUCTIBLE, ONE, PATIENT_ID
from .model import PENDING, STREAMING


def _canonical(value):
    """Event fields decode as plain values (lower-case addresses, HexBytes): compare like with like."""
    value = getattr(value, "address", value)
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return value


# ------------------------------------------------------------------------------------------ constructor


def test_constructor__sets_the_collaborators_and_approves_the_router(stream, token, regulator, router):
    assert stream.TOKEN() == token
    assert stream.REGULATOR() == regulator
    assert stream.ROUTER() == router
    assert stream.nextStreamId() == 1
    assert token.allowance(stream, router) == 2**256 - 1


def test_constructor__token_is_not_the_routers__reverts(admin, regulator, router):
    other = admin.deploy(project.CareUSD, 0, admin)
    with ape.reverts(project.CareStream.CareStream_TokenMismatch, token=other.address, routerToken=router.token()):
        admin.deploy(project.CareStream, other, regulator, router)


# ------------------------------------------------------------------------------------------ happy paths


def test_create__starting_now__pulls_both_shares_and_records_the_stream(
    stream, token, regulator, fund, patient, operator, params, chain, expected_shares, split_id, program_id
):
    p = params()
    now = chain.pending_timestamp
    chain.pending_timestamp = now
    fund_share, patient_share, deductible_portion = expected_shares(p[9], now)
    assert deductible_portion == DEDUCTIBLE  # first charge of the period meets the deductible
    assert fund_share + patient_share == p[9]
    fund_before, patient_before = token.balanceOf(fund), token.balanceOf(patient)
    reservations_before = regulator.reservationCount()

    tx = stream.create(p, sender=operator)

    assert tx.timestamp == now
    reservation_id = reservations_before + 1
    assert regulator.reservationCount() == reservation_id
    assert token.balanceOf(fund) == fund_before - fund_share
    assert token.balanceOf(patient) == patient_before - patient_share
    assert token.balanceOf(stream) == p[9]
    assert stream.nextStreamId() == 2

    [event] = tx.decode_logs(stream.StreamCreated)
    assert event.streamId == 1
    assert event.sender == operator
    assert event.patientId == PATIENT_ID
    assert [_canonical(field) for field in event.params] == [_canonical(field) for field in p]
    assert event.startTime == now
    assert event.fundShare == fund_share
    assert event.patientShare == patient_share
    assert event.reservationId == reservation_id

    s = stream.getStream(1)
    assert s.accrual.ratePerSecond == p[6]
    assert s.accrual.snapshotTime == now
    assert s.accrual.endTime == 0
    assert s.accrual.activeSeconds == 0
    assert s.accrual.state == 0
    assert s.sender == operator
    assert s.programId == program_id
    assert s.reservationId == reservation_id
    assert s.patientId == PATIENT_ID
    assert s.splitId == split_id
    assert tuple(s.ledger) == (fund_share, patient_share, 0, 0)
    assert stream.statusOf(1) == STREAMING

    reservation = regulator.getReservation(reservation_id)
    assert reservation.module == stream
    assert reservation.fundReserved == fund_share
    assert reservation.patientReserved == patient_share


def test_create__by_the_patients_account__is_allowed(create_stream, patient, stream):
    stream_id, model, tx = create_stream(sender=patient)
    assert stream.getStream(stream_id).sender == patient
    [event] = tx.decode_logs(stream.StreamCreated)
    assert event.sender == patient


def test_create__future_start__is_pending_until_the_start(create_stream, stream, chain, view_at):
    start = chain.pending_timestamp + 3_600
    stream_id, model, _ = create_stream(start=start)
    view_at(start - 1)
    assert stream.statusOf(stream_id) == PENDING
    assert stream.streamedAmountOf(stream_id) == 0
    view_at(start + 100)
    assert stream.statusOf(stream_id) == STREAMING
    assert stream.streamedAmountOf(stream_id) == model.streamed(start + 100) > 0


def test_create__charge_below_the_deductible__pulls_only_the_patient_share(
    create_stream, stream, token, fund, chain
):
    fund_before = token.balanceOf(fund)
    stream_id, model, tx = create_stream(deposit=DEDUCTIBLE // 2)
    assert model.ledger.fund_in == 0
    assert token.balanceOf(fund) == fund_before
    [event] = tx.decode_logs(stream.StreamCreated)
    assert (event.fundShare, event.patientShare) == (0, DEDUCTIBLE // 2)


def test_create__two_streams__get_consecutive_ids(create_stream, stream):
    first, _, _ = create_stream()
    second, _, _ = create_stream()
    assert (first, second) == (1, 2)
    assert stream.nextStreamId() == 3


# ------------------------------------------------------------------------------------------ own checks


def test_create__zero_rate__reverts(stream, params, operator):
    with ape.reverts(stream.CareStream_ZeroRate):
        stream.create(params(rate=0), sender=operator)


def test_create__zero_deposit__reverts(stream, params, operator):
    with ape.reverts(stream.CareStream_ZeroDeposit):
        stream.create(params(deposit=0), sender=operator)


def test_create__start_in_the_past__reverts(stream, params, operator, chain):
    now = chain.pending_timestamp
    chain.pending_timestamp = now
    with ape.reverts(stream.CareStream_StartTimeInPast, startTime=now - 1, currentTime=now):
        stream.create(params(start=now - 1), sender=operator)


@pytest.mark.parametrize("offset", [0, -1])
def test_create__end_not_after_start__reverts(stream, params, operator, chain, offset):
    start = chain.pending_timestamp + 100
    with ape.reverts(stream.CareStream_EndBeforeStart, startTime=start, endTime=start + offset):
        stream.create(params(start=start, end=start + offset), sender=operator)


def test_create__end_not_after_now_with_immediate_start__reverts(stream, params, operator, chain):
    now = chain.pending_timestamp
    chain.pending_timestamp = now
    with ape.reverts(stream.CareStream_EndBeforeStart, startTime=now, endTime=now):
        stream.create(params(end=now), sender=operator)


def test_create__unknown_split__reverts(stream, params, operator):
    unknown = b"\x42" * 32
    with ape.reverts(stream.CareStream_UnknownSplit, splitId=unknown):
        stream.create(params(split=unknown), sender=operator)


# ------------------------------------------------------------------------------------------ Regulator refusals


@pytest.fixture
def snapshot_balances(stream, token, fund, patient):
    return lambda: (stream.nextStreamId(), token.balanceOf(fund), token.balanceOf(patient), token.balanceOf(stream))


def test_create__stranger_initiator__reverts_with_the_regulators_error_and_changes_nothing(
    stream, regulator, params, stranger, program_id, snapshot_balances
):
    before = snapshot_balances()
    with ape.reverts(
        regulator.Regulator_UnauthorizedInitiator, programId=program_id, patientId=PATIENT_ID, initiator=stranger
    ):
        stream.create(params(), sender=stranger)
    assert snapshot_balances() == before


def test_create__budget_exceeded__reverts_with_the_regulators_error_and_changes_nothing(
    stream, regulator, params, operator, admin, hospital, program_id, snapshot_balances, chain, expected_shares
):
    now = chain.pending_timestamp
    period = regulator.periodOf(program_id, now)
    regulator.setPeriodBudget(program_id, hospital, period, 10 * ONE, sender=admin)
    deposit = 300 * ONE
    chain.pending_timestamp = now + 1
    fund_share, _, _ = expected_shares(deposit, now + 1)
    before = snapshot_balances()
    with ape.reverts(regulator.Regulator_BudgetExceeded):
        stream.create(params(deposit=deposit), sender=operator)
    assert snapshot_balances() == before
    assert regulator.budgetOf(program_id, hospital, period)[1] == 0
    assert fund_share > 10 * ONE


def test_create__institution_frozen__reverts_with_the_regulators_error(
    stream, regulator, params, operator, admin, hospital, snapshot_balances
):
    regulator.setInstitutionFrozen(hospital, True, sender=admin)
    before = snapshot_balances()
    with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=hospital):
        stream.create(params(), sender=operator)
    assert snapshot_balances() == before


def test_create__uncovered_service__reverts_with_the_regulators_error(
    stream, regulator, params, operator, program_id, snapshot_balances
):
    service = b"VIRTUAL_FIRST_VISIT".ljust(32, b"\0")
    before = snapshot_balances()
    with ape.reverts(regulator.Regulator_ServiceNotCovered, programId=program_id, serviceType=service):
        stream.create(params(service=service), sender=operator)
    assert snapshot_balances() == before


def test_create__module_role_missing__reverts(admin, token, regulator, router, params, operator, split_id):
    unregistered = admin.deploy(project.CareStream, token, regulator, router)
    with ape.reverts(
        regulator.AccessControlUnauthorizedAccount, account=unregistered.address, neededRole=regulator.MODULE_ROLE()
    ):
        unregistered.create(params(), sender=operator)


def test_create__patient_did_not_approve__reverts_with_the_tokens_error(
    stream, token, params, operator, patient, snapshot_balances, chain, expected_shares
):
    token.approve(stream, 0, sender=patient)
    now = chain.pending_timestamp
    chain.pending_timestamp = now
    _, patient_share, _ = expected_shares(300 * ONE, now)
    before = snapshot_balances()
    with ape.reverts(token.ERC20InsufficientAllowance, spender=stream, allowance=0, needed=patient_share):
        stream.create(params(), sender=operator)
    assert snapshot_balances() == before
