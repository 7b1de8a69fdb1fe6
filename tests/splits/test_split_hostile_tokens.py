"""SplitRouter with hostile tokens, each as the settlement token of its own router deployment.

The router only ever handles its one configured token; these deployments show that with a token that
misbehaves the accounting stays exact (no unit owed that the router does not hold) or the failure is
explicit (an error naming the problem).
"""

import ape
import pytest

from split_model import naive_entitlements

PAID = 1_000_000


@pytest.fixture
def deploy_with(project, deployer, create_split, care_split):
    """deploy_with(token_contract, *args) -> (token, router, split id of the care team's split)."""

    def deploy(token_type, *args):
        token = deployer.deploy(token_type, *args)
        router = deployer.deploy(project.SplitRouter, token)
        sid, _ = create_split(router, *care_split)
        return token, router, sid

    return deploy


# --- the configured token only -------------------------------------------------------------------


def test_pay__another_token_approved__still_pulls_only_the_settlement_token(
    project, deployer, router, token, payer, create_split, care_split
):
    other = deployer.deploy(project.MockERC20, "Other USD", "oUSD")
    sid, _ = create_split(router, *care_split)
    other.mint(payer, PAID, sender=payer)
    other.approve(router, PAID, sender=payer)
    with ape.reverts(token.ERC20InsufficientAllowance, spender=router.address, allowance=0, needed=PAID):
        router.pay(sid, PAID, sender=payer)
    assert other.balanceOf(router) == 0


def test_pay__units_sent_directly__are_credited_to_no_split(
    router, token, payer, create_split, care_split, fund_and_pay
):
    sid, _ = create_split(router, *care_split)
    token.mint(payer, 500, sender=payer)
    token.transfer(router, 500, sender=payer)

    tx = fund_and_pay(router, token, sid, PAID)

    assert tx.decode_logs(router.SplitPaid)[0].amount == PAID
    assert router.totalReceived(sid) == PAID
    assert token.balanceOf(router) == PAID + 500


# --- missing return values -----------------------------------------------------------------------


def test_no_return_token__pay_withdraw_and_distribute__work_exactly(
    project, deploy_with, care_split, care_team, fund_and_pay, stranger
):
    token, router, sid = deploy_with(project.MockNoReturnToken)
    recipients, allocations, residual_index = care_split
    expected = naive_entitlements(PAID, allocations, residual_index)

    fund_and_pay(router, token, sid, PAID)
    doctor = care_team["doctor"]
    router.withdraw(sid, doctor, sender=doctor)
    tx = router.distribute(sid, sender=stranger)

    assert doctor.address not in [log.recipient for log in tx.decode_logs(router.Withdrawn)]
    assert [token.balanceOf(r) for r in recipients] == expected
    assert token.balanceOf(router) == 0


def test_no_return_token__pay_without_approval__reverts_with_the_token_error(project, deploy_with, payer):
    token, router, sid = deploy_with(project.MockNoReturnToken)
    token.mint(payer, PAID, sender=payer)
    with ape.reverts(token.ERC20InsufficientAllowance, spender=router.address, allowance=0, needed=PAID):
        router.pay(sid, PAID, sender=payer)


# --- returns false instead of reverting ----------------------------------------------------------


def test_false_return_token__failing_pay__reverts_explicitly(project, deploy_with, payer, stranger):
    token, router, sid = deploy_with(project.MockFalseReturnToken)
    token.mint(payer, PAID, sender=payer)
    token.approve(router, PAID, sender=payer)
    token.setFailing(True, sender=stranger)
    with ape.reverts(router.SafeERC20FailedOperation, token=token.address):
        router.pay(sid, PAID, sender=payer)


def test_false_return_token__failing_withdraw__reverts_and_records_nothing(
    project, deploy_with, care_team, fund_and_pay, stranger
):
    token, router, sid = deploy_with(project.MockFalseReturnToken)
    fund_and_pay(router, token, sid, PAID)
    doctor = care_team["doctor"]
    owed = router.claimable(sid, doctor)
    token.setFailing(True, sender=stranger)

    with ape.reverts(router.SafeERC20FailedOperation, token=token.address):
        router.withdraw(sid, doctor, sender=doctor)

    assert router.claimable(sid, doctor) == owed
    token.setFailing(False, sender=stranger)
    router.withdraw(sid, doctor, sender=doctor)
    assert token.balanceOf(doctor) == owed


def test_false_return_token__failing_distribute__reports_every_recipient_and_keeps_their_shares(
    project, deploy_with, care_split, fund_and_pay, stranger
):
    token, router, sid = deploy_with(project.MockFalseReturnToken)
    recipients, allocations, residual_index = care_split
    fund_and_pay(router, token, sid, PAID)
    token.setFailing(True, sender=stranger)

    tx = router.distribute(sid, sender=stranger)

    expected = naive_entitlements(PAID, allocations, residual_index)
    assert [(log.recipient, log.amount) for log in tx.decode_logs(router.DistributionFailed)] == list(
        zip(recipients, expected)
    )
    assert [router.claimable(sid, r) for r in recipients] == expected
    token.setFailing(False, sender=stranger)
    router.distribute(sid, sender=stranger)
    assert [token.balanceOf(r) for r in recipients] == expected


# --- fee on transfer -----------------------------------------------------------------------------


def test_fee_token__pay__credits_only_what_arrived(project, deploy_with, payer, care_split, fund_and_pay, stranger):
    token, router, sid = deploy_with(project.MockFeeOnTransferToken, 100)  # 1% burnt per transfer
    recipients, allocations, residual_index = care_split
    arrived = PAID - PAID * 100 // 10_000

    tx = fund_and_pay(router, token, sid, PAID)

    log = tx.decode_logs(router.SplitPaid)[0]
    assert (log.payer, log.amount, log.totalReceived) == (payer.address, arrived, arrived)
    assert token.balanceOf(router) == arrived
    expected = naive_entitlements(arrived, allocations, residual_index)
    assert [router.entitlement(sid, r) for r in recipients] == expected

    router.distribute(sid, sender=stranger)
    # The router pays out exactly what it was credited; each recipient bears the fee of its own transfer.
    assert token.balanceOf(router) == 0
    assert [token.balanceOf(r) for r in recipients] == [a - a * 100 // 10_000 for a in expected]
    assert [router.claimed(sid, r) for r in recipients] == expected


def test_fee_token__everything_taken__reverts_nothing_received(project, deploy_with, payer):
    token, router, sid = deploy_with(project.MockFeeOnTransferToken, 10_000)  # 100% burnt
    token.mint(payer, PAID, sender=payer)
    token.approve(router, PAID, sender=payer)
    with ape.reverts(router.SplitRouter_NothingReceived, splitId=sid, amount=PAID):
        router.pay(sid, PAID, sender=payer)


# --- reentrancy ----------------------------------------------------------------------------------


def test_reentrant_token__pay_reentering_pay__reverts(project, deploy_with, payer, stranger):
    token, router, sid = deploy_with(project.MockReentrantToken)
    token.mint(payer, PAID, sender=payer)
    token.approve(router, PAID, sender=payer)
    token.arm(router, router.pay.encode_input(sid, 1), sender=stranger)
    with ape.reverts(router.ReentrancyGuardReentrantCall):
        router.pay(sid, PAID, sender=payer)


def test_reentrant_token__withdraw_reentering_withdraw__reverts(
    project, deploy_with, care_team, fund_and_pay, stranger
):
    token, router, sid = deploy_with(project.MockReentrantToken)
    fund_and_pay(router, token, sid, PAID)
    doctor = care_team["doctor"]
    token.arm(router, router.withdraw.encode_input(sid, doctor), sender=stranger)
    with ape.reverts(router.ReentrancyGuardReentrantCall):
        router.withdraw(sid, doctor, sender=doctor)
    assert router.claimed(sid, doctor) == 0


def test_reentrant_token__distribute_reentering__fails_those_transfers_and_keeps_the_shares(
    project, deploy_with, care_split, fund_and_pay, stranger
):
    token, router, sid = deploy_with(project.MockReentrantToken)
    recipients, allocations, residual_index = care_split
    fund_and_pay(router, token, sid, PAID)
    token.arm(router, router.distribute.encode_input(sid), sender=stranger)

    tx = router.distribute(sid, sender=stranger)

    # Every transfer re-entered and was refused by the guard; the refusal rolls the transfer back
    # (and the token's disarming with it), so each recipient is reported and keeps its share.
    expected = naive_entitlements(PAID, allocations, residual_index)
    assert [(log.recipient, log.amount) for log in tx.decode_logs(router.DistributionFailed)] == list(
        zip(recipients, expected)
    )
    assert tx.decode_logs(router.Withdrawn) == []
    assert [router.claimable(sid, r) for r in recipients] == expected
    assert token.balanceOf(router) == PAID

    token.arm("0x0000000000000000000000000000000000000000", b"", sender=stranger)
    router.distribute(sid, sender=stranger)
    assert [token.balanceOf(r) for r in recipients] == expected
    assert token.balanceOf(router) == 0
