"""CareStream read-only functions across the state machine."""

import ape
import pytest

from .conftest import ONE
from .model import ENDED, INSOLVENT, PAUSED, PENDING, STREAMING

VIEWS = [
    "getStream",
    "statusOf",
    "streamedAmountOf",
    "withdrawnAmountOf",
    "withdrawableAmountOf",
    "refundableAmountOf",
    "coveredDebtOf",
    "uncoveredDebtOf",
    "depletionTimeOf",
]


@pytest.mark.parametrize("view", VIEWS)
def test_views__unknown_stream__revert(stream, view):
    with ape.reverts(stream.CareStream_UnknownStream, streamId=42):
        getattr(stream, view)(42)


def _assert_views(stream, stream_id, model, t):
    assert stream.statusOf(stream_id) == model.status(t)
    assert stream.streamedAmountOf(stream_id) == model.streamed(t)
    assert stream.withdrawableAmountOf(stream_id) == model.withdrawable(t)
    assert stream.coveredDebtOf(stream_id) == model.withdrawable(t)
    assert stream.uncoveredDebtOf(stream_id) == model.uncovered_debt(t)
    assert stream.refundableAmountOf(stream_id) == model.refundable(t)
    assert stream.withdrawnAmountOf(stream_id) == model.paid
    assert stream.depletionTimeOf(stream_id) == model.depletion_time(t)


def test_views__through_a_streams_life__match_the_model(create_stream, stream, operator, keeper, chain, at, view_at):
    now = chain.pending_timestamp
    deposit = 10 * ONE + 1
    rate = 10**18 * 7 // 9  # about 0.78 units a second: the deposit lasts about 12.9M seconds
    stream_id, model, _ = create_stream(at=now, start=now + 1_000, end=now + 20_000_000, rate=rate, deposit=deposit)

    view_at(now + 500)
    assert model.status(now + 500) == PENDING
    _assert_views(stream, stream_id, model, now + 500)
    depletion = stream.depletionTimeOf(stream_id)
    assert model.streamed(depletion) > deposit >= model.streamed(depletion - 1)

    view_at(now + 1_000 + 86_400)
    assert model.status(now + 1_000 + 86_400) == STREAMING
    _assert_views(stream, stream_id, model, now + 1_000 + 86_400)

    t = at(now + 2_000_000)
    model.withdraw(t)
    stream.withdraw(stream_id, sender=keeper)
    _assert_views(stream, stream_id, model, t)

    t = at(t + 1_000_000)
    model.pause(t)
    stream.pause(stream_id, sender=operator)
    view_at(t + 5)
    assert model.status(t + 5) == PAUSED
    _assert_views(stream, stream_id, model, t + 5)

    t = at(t + 3_000_000)
    model.resume(t)
    stream.resume(stream_id, sender=operator)
    _assert_views(stream, stream_id, model, t)
    assert stream.depletionTimeOf(stream_id) == model.depletion_time(t) > t

    view_at(model.depletion_time(t))
    assert model.status(model.depletion_time(t)) == INSOLVENT
    _assert_views(stream, stream_id, model, model.depletion_time(t))

    view_at(now + 20_000_000)
    assert model.status(now + 20_000_000) == ENDED
    _assert_views(stream, stream_id, model, now + 20_000_000)


def test_depletion_time__stream_ends_before_running_out__is_zero(create_stream, stream, chain, view_at):
    now = chain.pending_timestamp
    stream_id, model, _ = create_stream(at=now, end=now + 100, deposit=100 * ONE)
    view_at(now + 1)
    assert model.depletion_time(now + 1) == 0
    assert stream.depletionTimeOf(stream_id) == 0


def test_depletion_time__exactly_at_the_end__is_the_end(create_stream, stream, chain, view_at):
    now = chain.pending_timestamp
    rate = 10**18  # one unit a second
    stream_id, model, _ = create_stream(at=now, end=now + 10 * ONE + 1, rate=rate, deposit=10 * ONE)
    view_at(now + 1)
    assert stream.depletionTimeOf(stream_id) == now + 10 * ONE + 1 == model.depletion_time(now + 1)


def test_views__held_refund_of_an_account_without_refunds__is_zero(stream, patient):
    assert stream.heldRefundOf(patient) == 0
