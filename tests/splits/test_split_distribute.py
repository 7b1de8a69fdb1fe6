"""SplitRouter.distribute: anyone pushes every recipient its share; a frozen recipient blocks nobody."""

import ape
import pytest

from split_model import SplitModel, naive_entitlements

UNKNOWN_ID = b"\x42" * 32
PAID = 10_000_003


@pytest.fixture(scope="session")
def blocklist_token(project, deployer):
    return deployer.deploy(project.MockBlocklistToken)


@pytest.fixture(scope="session")
def frozen_router(project, deployer, blocklist_token):
    """A router whose settlement token can freeze accounts, as CareUSD can."""
    return deployer.deploy(project.SplitRouter, blocklist_token)


def test_distribute__pays_every_recipient_its_exact_share(
    router, token, create_split, care_split, fund_and_pay, stranger
):
    recipients, allocations, residual_index = care_split
    sid, _ = create_split(router, *care_split)
    fund_and_pay(router, token, sid, PAID)
    expected = naive_entitlements(PAID, allocations, residual_index)

    tx = router.distribute(sid, sender=stranger)

    settled = tx.decode_logs(router.SplitSettled)
    assert [(log.splitId, log.amount, log.settledReceived) for log in settled] == [(sid, PAID, PAID)]
    assert [(log.splitId, log.recipient, log.amount) for log in tx.decode_logs(router.Withdrawn)] == [
        (sid, r, a) for r, a in zip(recipients, expected)
    ]
    assert tx.decode_logs(router.DistributionFailed) == []
    assert [token.balanceOf(r) for r in recipients] == expected
    assert sum(expected) == PAID
    assert token.balanceOf(router) == 0
    assert [router.claimed(sid, r) for r in recipients] == expected
    assert [router.claimable(sid, r) for r in recipients] == [0] * len(recipients)


def test_distribute__after_some_withdrawals__skips_those_with_nothing_left(
    router, token, create_split, care_split, care_team, fund_and_pay, stranger
):
    recipients, allocations, residual_index = care_split
    sid, _ = create_split(router, *care_split)
    fund_and_pay(router, token, sid, PAID)
    model = SplitModel(allocations, residual_index)
    model.pay(PAID)
    doctor = care_team["doctor"]
    model.withdraw(recipients.index(doctor.address))
    router.withdraw(sid, doctor, sender=doctor)

    tx = router.distribute(sid, sender=stranger)

    expected = [(recipients[i], amount) for i, amount, _ in model.distribute()]
    assert doctor.address not in [r for r, _ in expected]
    assert [(log.recipient, log.amount) for log in tx.decode_logs(router.Withdrawn)] == expected
    assert token.balanceOf(router) == 0


def test_distribute__nothing_claimable__reverts(router, create_split, care_split, stranger):
    sid, _ = create_split(router, *care_split)
    with ape.reverts(router.SplitRouter_NothingToDistribute, splitId=sid):
        router.distribute(sid, sender=stranger)


def test_distribute__twice_without_new_payment__reverts(
    router, token, create_split, care_split, fund_and_pay, stranger
):
    sid, _ = create_split(router, *care_split)
    fund_and_pay(router, token, sid, PAID)
    router.distribute(sid, sender=stranger)
    with ape.reverts(router.SplitRouter_NothingToDistribute, splitId=sid):
        router.distribute(sid, sender=stranger)


def test_distribute__unknown_split__reverts(router, stranger):
    with ape.reverts(router.SplitRouter_UnknownSplit, splitId=UNKNOWN_ID):
        router.distribute(UNKNOWN_ID, sender=stranger)


def test_distribute__frozen_recipient__others_are_paid_and_its_share_stays_claimable(
    frozen_router, blocklist_token, create_split, care_split, care_team, fund_and_pay, stranger
):
    router, token = frozen_router, blocklist_token
    recipients, allocations, residual_index = care_split
    sid, _ = create_split(router, *care_split)
    fund_and_pay(router, token, sid, PAID)
    patient = care_team["patient"]
    token.setBlocked(patient, True, sender=stranger)
    expected = naive_entitlements(PAID, allocations, residual_index)
    patient_share = expected[recipients.index(patient.address)]

    tx = router.distribute(sid, sender=stranger)

    failed = tx.decode_logs(router.DistributionFailed)
    assert [(log.splitId, log.recipient, log.amount) for log in failed] == [(sid, patient.address, patient_share)]
    paid = [(r, a) for r, a in zip(recipients, expected) if r != patient.address]
    assert [(log.recipient, log.amount) for log in tx.decode_logs(router.Withdrawn)] == paid
    for r, a in paid:
        assert token.balanceOf(r) == a
    assert token.balanceOf(patient) == 0
    assert router.claimable(sid, patient) == patient_share
    assert router.claimed(sid, patient) == 0
    assert token.balanceOf(router) == patient_share

    # While frozen, the pull fails loudly with the token's own error and records nothing.
    with ape.reverts(token.ERC20InvalidReceiver, receiver=patient.address):
        router.withdraw(sid, patient, sender=patient)
    # A second push only reports the same failure; it does not revert (others may have been owed too).
    again = router.distribute(sid, sender=stranger)
    assert [(log.recipient, log.amount) for log in again.decode_logs(router.DistributionFailed)] == [
        (patient.address, patient_share)
    ]
    assert again.decode_logs(router.Withdrawn) == []
    assert again.decode_logs(router.SplitSettled) == []  # nothing new to settle

    token.setBlocked(patient, False, sender=stranger)
    tx = router.withdraw(sid, patient, sender=patient)
    assert [(log.recipient, log.amount) for log in tx.decode_logs(router.Withdrawn)] == [
        (patient.address, patient_share)
    ]
    assert token.balanceOf(patient) == patient_share
    assert token.balanceOf(router) == 0


def test_distribute__frozen_residual__keeps_its_settled_remainder_for_later(
    frozen_router, blocklist_token, create_split, care_split, care_team, fund_and_pay, stranger
):
    router, token = frozen_router, blocklist_token
    recipients, allocations, residual_index = care_split
    sid, _ = create_split(router, *care_split)
    fund_and_pay(router, token, sid, PAID)
    platform = care_team["platform"]
    token.setBlocked(platform, True, sender=stranger)
    residual_share = naive_entitlements(PAID, allocations, residual_index)[residual_index]

    tx = router.distribute(sid, sender=stranger)

    assert [(log.recipient, log.amount) for log in tx.decode_logs(router.DistributionFailed)] == [
        (platform.address, residual_share)
    ]
    fund_and_pay(router, token, sid, 5)  # more arrives while the platform is frozen
    token.setBlocked(platform, False, sender=stranger)
    model = SplitModel(allocations, residual_index)
    model.pay(PAID)
    model.distribute(cannot_receive={residual_index})
    model.pay(5)
    tx = router.withdraw(sid, platform, sender=platform)
    assert tx.decode_logs(router.Withdrawn)[0].amount == model.withdraw(residual_index)
    assert token.balanceOf(platform) == model.withdrawn[residual_index]


def test_distribute__every_recipient_frozen__reports_each_and_moves_nothing(
    frozen_router, blocklist_token, create_split, care_split, fund_and_pay, stranger
):
    router, token = frozen_router, blocklist_token
    recipients, allocations, residual_index = care_split
    sid, _ = create_split(router, *care_split)
    fund_and_pay(router, token, sid, PAID)
    for r in recipients:
        token.setBlocked(r, True, sender=stranger)

    tx = router.distribute(sid, sender=stranger)

    expected = naive_entitlements(PAID, allocations, residual_index)
    assert [(log.recipient, log.amount) for log in tx.decode_logs(router.DistributionFailed)] == list(
        zip(recipients, expected)
    )
    assert tx.decode_logs(router.Withdrawn) == []
    assert token.balanceOf(router) == PAID
    assert [router.claimable(sid, r) for r in recipients] == expected


def test_distribute__frozen_residual_then_released__withdraws_without_a_new_settlement(
    frozen_router, blocklist_token, create_split, care_split, care_team, fund_and_pay, stranger
):
    router, token = frozen_router, blocklist_token
    recipients, allocations, residual_index = care_split
    sid, _ = create_split(router, *care_split)
    fund_and_pay(router, token, sid, PAID)
    platform = care_team["platform"]
    token.setBlocked(platform, True, sender=stranger)
    router.distribute(sid, sender=stranger)
    token.setBlocked(platform, False, sender=stranger)

    tx = router.withdraw(sid, platform, sender=platform)

    assert tx.decode_logs(router.SplitSettled) == []
    residual_share = naive_entitlements(PAID, allocations, residual_index)[residual_index]
    assert [(log.recipient, log.amount) for log in tx.decode_logs(router.Withdrawn)] == [
        (platform.address, residual_share)
    ]
    assert token.balanceOf(router) == 0
