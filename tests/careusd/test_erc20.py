"""Plain ERC-20 behaviour through the CareUSD overrides (ERC-6093 errors from OpenZeppelin)."""

import ape
from ape.utils import ZERO_ADDRESS


def test_transfer__enough_balance__moves_exact_amount_and_emits(token, alice, bob, fund):
    fund(alice, 1_000_001)
    tx = token.transfer(bob, 999_999, sender=alice)

    assert token.balanceOf(alice) == 2
    assert token.balanceOf(bob) == 999_999
    assert token.totalSupply() == 1_000_001
    assert tx.events == [token.Transfer(alice, bob, 999_999)]


def test_transfer__more_than_balance__reverts_insufficient_balance(token, alice, bob, fund):
    fund(alice, 3)

    with ape.reverts(token.ERC20InsufficientBalance, sender=alice, balance=3, needed=4):
        token.transfer(bob, 4, sender=alice)


def test_transfer__to_zero_address__reverts_invalid_receiver(token, alice, fund):
    fund(alice, 3)

    with ape.reverts(token.ERC20InvalidReceiver, receiver=ZERO_ADDRESS):
        token.transfer(ZERO_ADDRESS, 1, sender=alice)


def test_transfer_from__above_allowance__reverts_insufficient_allowance(token, alice, bob, carol, fund):
    fund(alice, 10)
    token.approve(carol, 4, sender=alice)

    with ape.reverts(token.ERC20InsufficientAllowance, spender=carol, allowance=4, needed=5):
        token.transferFrom(alice, bob, 5, sender=carol)


def test_approve__zero_spender__reverts_invalid_spender(token, alice):
    with ape.reverts(token.ERC20InvalidSpender, spender=ZERO_ADDRESS):
        token.approve(ZERO_ADDRESS, 1, sender=alice)


def test_approve__overwrite__sets_new_value_and_emits(token, alice, bob):
    token.approve(bob, 10, sender=alice)
    tx = token.approve(bob, 3, sender=alice)

    assert token.allowance(alice, bob) == 3
    assert tx.events == [token.Approval(alice, bob, 3)]
