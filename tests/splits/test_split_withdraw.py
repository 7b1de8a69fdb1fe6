"""SplitRouter.withdraw: a recipient (or anyone for it) pulls what it can claim, to the recipient."""

import ape
import pytest

from split_helpers import address_of
from split_model import SCALE, SplitModel, naive_entitlements

UNKNOWN_ID = b"\x42" * 32


@pytest.fixture
def paid_care_split(router, token, create_split, care_split, fund_and_pay):
    """The care team's split with 10_000_003 units paid in (a total that does not divide evenly)."""
    sid, _ = create_split(router, *care_split)
    fund_and_pay(router, token, sid, 10_000_003)
    return sid


def _withdrawn(router, tx):
    return [(log.splitId, log.recipient, log.amount) for log in tx.decode_logs(router.Withdrawn)]


def test_withdraw__recipient__receives_its_floor_share_without_settling(
    router, token, care_team, care_split, paid_care_split
):
    doctor = care_team["doctor"]
    expected = 10_000_003 * 250_000 // SCALE

    tx = router.withdraw(paid_care_split, doctor, sender=doctor)

    assert _withdrawn(router, tx) == [(paid_care_split, doctor.address, expected)]
    assert tx.decode_logs(router.SplitSettled) == []
    assert token.balanceOf(doctor) == expected
    assert token.balanceOf(router) == 10_000_003 - expected
    assert router.claimed(paid_care_split, doctor) == expected
    assert router.claimable(paid_care_split, doctor) == 0
    assert router.entitlement(paid_care_split, doctor) == expected
    assert router.settledReceived(paid_care_split) == 0


def test_withdraw__by_a_third_party__sends_to_the_recipient(router, token, care_team, paid_care_split, stranger):
    hospital = care_team["hospital"]
    expected = 10_000_003 * 400_000 // SCALE

    tx = router.withdraw(paid_care_split, hospital, sender=stranger)

    assert _withdrawn(router, tx) == [(paid_care_split, hospital.address, expected)]
    assert token.balanceOf(hospital) == expected
    assert token.balanceOf(stranger) == 0


def test_withdraw__residual__settles_then_receives_every_remainder(
    router, token, care_team, care_split, paid_care_split
):
    recipients, allocations, residual_index = care_split
    platform = care_team["platform"]
    assert recipients[residual_index] == platform.address
    expected = naive_entitlements(10_000_003, allocations, residual_index)
    others_before = [router.entitlement(paid_care_split, r) for r in recipients]

    tx = router.withdraw(paid_care_split, platform, sender=platform)

    settled = tx.decode_logs(router.SplitSettled)
    assert [(log.splitId, log.amount, log.settledReceived) for log in settled] == [
        (paid_care_split, 10_000_003, 10_000_003)
    ]
    assert _withdrawn(router, tx) == [(paid_care_split, platform.address, expected[residual_index])]
    # The platform's floor (700_000) plus every recipient's remainder (3 units in all).
    assert expected[residual_index] == 10_000_003 * 70_000 // SCALE + 10_000_003 - sum(
        10_000_003 * a // SCALE for a in allocations
    )
    assert token.balanceOf(platform) == expected[residual_index]
    assert router.settledReceived(paid_care_split) == 10_000_003
    # The settlement changed nobody's entitlement.
    assert [router.entitlement(paid_care_split, r) for r in recipients] == others_before


def test_withdraw__residual_twice_without_new_payment__reverts_nothing_to_claim(
    router, care_team, paid_care_split
):
    platform = care_team["platform"]
    router.withdraw(paid_care_split, platform, sender=platform)
    with ape.reverts(router.SplitRouter_NothingToClaim, splitId=paid_care_split, recipient=platform.address):
        router.withdraw(paid_care_split, platform, sender=platform)


def test_withdraw__recipient_twice__second_gets_only_what_arrived_since(
    router, token, care_team, paid_care_split, fund_and_pay
):
    vendor = care_team["vendor"]
    router.withdraw(paid_care_split, vendor, sender=vendor)
    fund_and_pay(router, token, paid_care_split, 2_000_000)

    tx = router.withdraw(paid_care_split, vendor, sender=vendor)

    first = 10_000_003 * 150_000 // SCALE
    total = 12_000_003 * 150_000 // SCALE
    assert _withdrawn(router, tx) == [(paid_care_split, vendor.address, total - first)]
    assert token.balanceOf(vendor) == total


def test_withdraw__nothing_to_claim__reverts(router, create_split, care_split, care_team):
    sid, _ = create_split(router, *care_split)
    doctor = care_team["doctor"]
    with ape.reverts(router.SplitRouter_NothingToClaim, splitId=sid, recipient=doctor.address):
        router.withdraw(sid, doctor, sender=doctor)


def test_withdraw__after_claiming_everything__reverts_nothing_to_claim(router, care_team, paid_care_split):
    doctor = care_team["doctor"]
    router.withdraw(paid_care_split, doctor, sender=doctor)
    with ape.reverts(router.SplitRouter_NothingToClaim, splitId=paid_care_split, recipient=doctor.address):
        router.withdraw(paid_care_split, doctor, sender=doctor)


def test_withdraw__not_a_recipient__reverts(router, paid_care_split, stranger):
    with ape.reverts(router.SplitRouter_NotRecipient, splitId=paid_care_split, account=stranger.address):
        router.withdraw(paid_care_split, stranger, sender=stranger)


def test_withdraw__unknown_split__reverts(router, stranger):
    with ape.reverts(router.SplitRouter_UnknownSplit, splitId=UNKNOWN_ID):
        router.withdraw(UNKNOWN_ID, stranger, sender=stranger)


def test_withdraw__one_recipients_claims__never_change_anothers_entitlement(
    router, token, care_team, care_split, paid_care_split, fund_and_pay
):
    recipients = care_split[0]
    for name in ["doctor", "platform", "patient", "hospital"]:
        before = {r: router.entitlement(paid_care_split, r) for r in recipients}
        who = care_team[name]
        router.withdraw(paid_care_split, who, sender=who)
        after = {r: router.entitlement(paid_care_split, r) for r in recipients}
        assert after == before
        fund_and_pay(router, token, paid_care_split, 333_331)


def test_withdraw__remainder_that_would_shrink__is_never_paid_twice(
    router, token, create_split, fund_and_pay, stranger
):
    """The reason for settlements: thirds of a unit, the residual last.

    By the plain rule the residual is owed 3 at a total of 3 but only 2 at a total of 4 (the two others
    then reach 1 each). Paid 3 at total 3, the plain rule would owe 1 + 1 + 3 = 5 out of 4.
    """
    recipients = sorted([address_of("a"), address_of("b"), address_of("c")], key=lambda a: int(a, 16))
    allocations = [333_333, 333_333, 333_334]
    sid, _ = create_split(router, recipients, allocations, 2)
    residual = recipients[2]
    assert naive_entitlements(3, allocations, 2)[2] == 3 and naive_entitlements(4, allocations, 2)[2] == 2

    fund_and_pay(router, token, sid, 3)
    tx = router.withdraw(sid, residual, sender=stranger)
    assert _withdrawn(router, tx) == [(sid, residual, 3)]
    fund_and_pay(router, token, sid, 1)

    assert [router.entitlement(sid, r) for r in recipients] == [0, 0, 4]
    assert [router.claimable(sid, r) for r in recipients] == [0, 0, 1]
    router.distribute(sid, sender=stranger)
    assert [token.balanceOf(r) for r in recipients] == [0, 0, 4]
    assert token.balanceOf(router) == 0


def test_withdraw__after_a_settlement__others_share_each_later_payment_by_floor(
    router, token, care_split, care_team, paid_care_split, fund_and_pay
):
    recipients, allocations, residual_index = care_split
    model = SplitModel(allocations, residual_index)
    model.pay(10_000_003)
    platform = care_team["platform"]
    assert router.withdraw(paid_care_split, platform, sender=platform).decode_logs(router.Withdrawn)[0].amount == (
        model.withdraw(residual_index)
    )
    for amount in [7, 1_000_001, 99]:
        fund_and_pay(router, token, paid_care_split, amount)
        model.pay(amount)
    assert [router.entitlement(paid_care_split, r) for r in recipients] == [
        model.entitlement(i) for i in range(len(recipients))
    ]
    # Each non-residual: what the settlement credited plus floor(later payments * a / SCALE).
    unsettled = 7 + 1_000_001 + 99
    for i, r in enumerate(recipients):
        if i != residual_index:
            expected = 10_000_003 * allocations[i] // SCALE + unsettled * allocations[i] // SCALE
            assert router.entitlement(paid_care_split, r) == expected
    assert sum(router.entitlement(paid_care_split, r) for r in recipients) == 10_000_003 + unsettled
