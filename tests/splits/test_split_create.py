"""SplitRouter: deployment, split creation (validation, id, idempotence) and the split views."""

import ape
import pytest

from split_helpers import address_of, sorted_split
from split_model import MAX_RECIPIENTS, SCALE, split_id

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
UNKNOWN_ID = b"\x42" * 32


def test_constructor__zero_token__reverts(project, deployer, router):
    with ape.reverts(router.SplitRouter_ZeroAddressToken):
        deployer.deploy(project.SplitRouter, ZERO_ADDRESS)


def test_constructor__sets_token_and_constants(router, token):
    assert router.token() == token.address
    assert router.SCALE() == SCALE == 1_000_000
    assert router.MAX_RECIPIENTS() == MAX_RECIPIENTS == 32


def test_create_split__care_team__stores_it_and_emits_every_field(router, create_split, care_split, stranger):
    recipients, allocations, residual_index = care_split
    expected_id = split_id(recipients, allocations, residual_index)
    assert not router.splitExists(expected_id)

    sid, tx = create_split(router, recipients, allocations, residual_index, sender=stranger)

    assert sid == expected_id
    logs = tx.decode_logs(router.SplitCreated)
    assert len(logs) == 1
    assert logs[0].splitId == expected_id
    assert list(logs[0].recipients) == recipients
    assert list(logs[0].allocations) == allocations
    assert logs[0].residualIndex == residual_index
    assert router.splitExists(sid)
    got_recipients, got_allocations, got_residual = router.getSplit(sid)
    assert (list(got_recipients), list(got_allocations), got_residual) == (recipients, allocations, residual_index)
    assert router.totalReceived(sid) == 0
    assert router.settledReceived(sid) == 0
    for recipient in recipients:
        assert router.entitlement(sid, recipient) == 0
        assert router.claimable(sid, recipient) == 0
        assert router.claimed(sid, recipient) == 0


def test_compute_split_id__matches_the_python_id_rule(router, care_split):
    recipients, allocations, residual_index = care_split
    assert router.computeSplitId(recipients, allocations, residual_index) == split_id(*care_split)


def test_compute_split_id__another_residual__is_another_split(router, care_split):
    recipients, allocations, residual_index = care_split
    other = (residual_index + 1) % len(recipients)
    assert router.computeSplitId(recipients, allocations, other) != router.computeSplitId(*care_split)


def test_create_split__existing__returns_it_without_event_or_change(
    router, token, create_split, care_split, fund_and_pay, stranger
):
    sid, _ = create_split(router, *care_split)
    fund_and_pay(router, token, sid, 1_000)

    tx = router.createSplit(*care_split, sender=stranger)

    assert tx.decode_logs(router.SplitCreated) == []
    assert router.computeSplitId(*care_split) == sid
    assert router.totalReceived(sid) == 1_000
    assert router.getSplit(sid)[2] == care_split[2]


def test_create_split__single_recipient__is_allowed(router, create_split):
    sid, tx = create_split(router, [address_of("solo")], [SCALE], 0)
    assert router.splitExists(sid)
    assert tx.decode_logs(router.SplitCreated)[0].splitId == sid


def test_create_split__max_recipients__is_allowed(router, create_split, equal_split):
    recipients, allocations, residual_index = equal_split(MAX_RECIPIENTS, residual_index=MAX_RECIPIENTS - 1)
    sid, _ = create_split(router, recipients, allocations, residual_index)
    assert list(router.getSplit(sid)[0]) == recipients


def test_create_split__no_recipients__reverts(router, deployer):
    with ape.reverts(router.SplitRouter_NoRecipients):
        router.createSplit([], [], 0, sender=deployer)


def test_create_split__too_many_recipients__reverts(router, deployer, equal_split):
    recipients, allocations, _ = equal_split(MAX_RECIPIENTS + 1)
    with ape.reverts(router.SplitRouter_TooManyRecipients, count=MAX_RECIPIENTS + 1, max=MAX_RECIPIENTS):
        router.createSplit(recipients, allocations, 0, sender=deployer)


def test_create_split__length_mismatch__reverts(router, deployer, care_split):
    recipients, allocations, residual_index = care_split
    with ape.reverts(
        router.SplitRouter_LengthMismatch, recipientsLength=len(recipients), allocationsLength=len(recipients) - 1
    ):
        router.createSplit(recipients, allocations[:-1], residual_index, sender=deployer)


def test_create_split__residual_index_out_of_bounds__reverts(router, deployer, care_split):
    recipients, allocations, _ = care_split
    with ape.reverts(
        router.SplitRouter_ResidualIndexOutOfBounds, residualIndex=len(recipients), count=len(recipients)
    ):
        router.createSplit(recipients, allocations, len(recipients), sender=deployer)


def test_create_split__zero_address_recipient__reverts(router, deployer):
    with ape.reverts(router.SplitRouter_ZeroAddressRecipient):
        router.createSplit([ZERO_ADDRESS, address_of(1)], [500_000, 500_000], 1, sender=deployer)


def test_create_split__unsorted_recipients__reverts_at_the_first_descent(router, deployer, equal_split):
    recipients, allocations, _ = equal_split(4)
    swapped = [recipients[0], recipients[2], recipients[1], recipients[3]]
    with ape.reverts(
        router.SplitRouter_RecipientsNotStrictlyAscending, index=2, previous=recipients[2], current=recipients[1]
    ):
        router.createSplit(swapped, allocations, 0, sender=deployer)


def test_create_split__duplicate_recipient__reverts(router, deployer, equal_split):
    recipients, _, _ = equal_split(3)
    duplicated = [recipients[0], recipients[1], recipients[1]]
    with ape.reverts(
        router.SplitRouter_RecipientsNotStrictlyAscending, index=2, previous=recipients[1], current=recipients[1]
    ):
        router.createSplit(duplicated, [400_000, 300_000, 300_000], 0, sender=deployer)


def test_create_split__zero_allocation__reverts(router, deployer, equal_split):
    recipients, _, _ = equal_split(3)
    with ape.reverts(router.SplitRouter_ZeroAllocation, index=1, recipient=recipients[1]):
        router.createSplit(recipients, [600_000, 0, 400_000], 0, sender=deployer)


@pytest.mark.parametrize("delta", [-1, 1])
def test_create_split__allocations_not_adding_up_to_scale__reverts(router, deployer, equal_split, delta):
    recipients, allocations, _ = equal_split(3)
    allocations[0] += delta
    with ape.reverts(router.SplitRouter_AllocationSumMismatch, sum=SCALE + delta, scale=SCALE):
        router.createSplit(recipients, allocations, 0, sender=deployer)


def test_create_split__allocation_above_scale__reverts_on_the_sum(router, deployer, equal_split):
    recipients, _, _ = equal_split(2)
    with ape.reverts(router.SplitRouter_AllocationSumMismatch, sum=2**32 - 1 + 1, scale=SCALE):
        router.createSplit(recipients, [2**32 - 1, 1], 0, sender=deployer)


def test_views__unknown_split__revert_with_its_id(router, care_team):
    someone = care_team["doctor"]
    assert not router.splitExists(UNKNOWN_ID)
    for view, args in [
        (router.getSplit, ()),
        (router.totalReceived, ()),
        (router.settledReceived, ()),
        (router.entitlement, (someone,)),
        (router.claimable, (someone,)),
        (router.claimed, (someone,)),
    ]:
        with ape.reverts(router.SplitRouter_UnknownSplit, splitId=UNKNOWN_ID):
            view(UNKNOWN_ID, *args)


def test_views__not_a_recipient__read_zero(router, token, create_split, care_split, fund_and_pay, stranger):
    sid, _ = create_split(router, *care_split)
    fund_and_pay(router, token, sid, 10**6)
    assert router.entitlement(sid, stranger) == 0
    assert router.claimable(sid, stranger) == 0
    assert router.claimed(sid, stranger) == 0


def test_sorted_split_helper__sorts_by_address_value():
    shares = {address_of(i): SCALE // 4 for i in range(4)}
    recipients, _, _ = sorted_split(shares, address_of(0))
    assert [int(r, 16) for r in recipients] == sorted(int(r, 16) for r in recipients)
