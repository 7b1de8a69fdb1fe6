"""SplitRouter.pay: pulls the settlement token and adds to the split's total, nothing else."""

import ape
import pytest

from split_model import MAX_AMOUNT, naive_entitlements

UNKNOWN_ID = b"\x42" * 32


@pytest.fixture
def care_split_id(router, create_split, care_split):
    sid, _ = create_split(router, *care_split)
    return sid


def test_pay__moves_the_tokens_and_emits_the_new_total(router, token, payer, care_split_id):
    token.mint(payer, 5_000_000, sender=payer)
    token.approve(router, 5_000_000, sender=payer)

    tx = router.pay(care_split_id, 3_000_000, sender=payer)

    logs = tx.decode_logs(router.SplitPaid)
    assert len(logs) == 1
    assert (logs[0].splitId, logs[0].payer, logs[0].amount, logs[0].totalReceived) == (
        care_split_id,
        payer.address,
        3_000_000,
        3_000_000,
    )
    assert token.balanceOf(payer) == 2_000_000
    assert token.balanceOf(router) == 3_000_000
    assert router.totalReceived(care_split_id) == 3_000_000
    assert router.settledReceived(care_split_id) == 0


def test_pay__twice__accumulates_and_anyone_may_pay(router, token, care_split_id, fund_and_pay, stranger):
    fund_and_pay(router, token, care_split_id, 1_234_567)
    tx = fund_and_pay(router, token, care_split_id, 7, sender=stranger)

    log = tx.decode_logs(router.SplitPaid)[0]
    assert (log.payer, log.amount, log.totalReceived) == (stranger.address, 7, 1_234_574)
    assert router.totalReceived(care_split_id) == 1_234_574


@pytest.mark.parametrize("amounts", [[1], [999_999], [1_000_001, 3], [10**12 + 17]])
def test_pay__entitlements_follow_the_rule_and_add_up_to_the_total(
    router, token, care_split, care_split_id, fund_and_pay, amounts
):
    recipients, allocations, residual_index = care_split
    for amount in amounts:
        fund_and_pay(router, token, care_split_id, amount)

    total = sum(amounts)
    expected = naive_entitlements(total, allocations, residual_index)
    got = [router.entitlement(care_split_id, r) for r in recipients]
    assert got == expected
    assert sum(got) == total
    assert [router.claimable(care_split_id, r) for r in recipients] == expected


def test_pay__zero_amount__reverts(router, payer, care_split_id):
    with ape.reverts(router.SplitRouter_ZeroAmount, splitId=care_split_id):
        router.pay(care_split_id, 0, sender=payer)


def test_pay__unknown_split__reverts(router, token, payer):
    token.mint(payer, 10, sender=payer)
    token.approve(router, 10, sender=payer)
    with ape.reverts(router.SplitRouter_UnknownSplit, splitId=UNKNOWN_ID):
        router.pay(UNKNOWN_ID, 10, sender=payer)


def test_pay__without_approval__reverts_with_the_token_error(router, token, payer, care_split_id):
    token.mint(payer, 10, sender=payer)
    with ape.reverts(token.ERC20InsufficientAllowance, spender=router.address, allowance=0, needed=10):
        router.pay(care_split_id, 10, sender=payer)


def test_pay__above_balance__reverts_with_the_token_error(router, token, payer, care_split_id):
    token.mint(payer, 9, sender=payer)
    token.approve(router, 10, sender=payer)
    with ape.reverts(token.ERC20InsufficientBalance, sender=payer.address, balance=9, needed=10):
        router.pay(care_split_id, 10, sender=payer)


def test_pay__total_up_to_uint112_max__is_accepted_and_one_more_unit_reverts(
    router, token, payer, care_split, care_split_id, fund_and_pay
):
    fund_and_pay(router, token, care_split_id, MAX_AMOUNT)
    assert router.totalReceived(care_split_id) == MAX_AMOUNT
    recipients, allocations, residual_index = care_split
    # The widest amounts still share exactly (no overflow in amount * allocation).
    assert [router.entitlement(care_split_id, r) for r in recipients] == naive_entitlements(
        MAX_AMOUNT, allocations, residual_index
    )

    token.mint(payer, 1, sender=payer)
    token.approve(router, 1, sender=payer)
    with ape.reverts(
        router.SplitRouter_TotalReceivedTooLarge, splitId=care_split_id, totalReceived=MAX_AMOUNT + 1, max=MAX_AMOUNT
    ):
        router.pay(care_split_id, 1, sender=payer)
