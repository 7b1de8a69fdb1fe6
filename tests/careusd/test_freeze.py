"""Compliance freeze: a frozen account can neither send, receive, approve nor be approved."""

import ape
from ape.utils import ZERO_ADDRESS

from carepay import signing

MAX_UINT256 = 2**256 - 1


def test_freeze__freezer__marks_account_and_emits(token, freezer, alice):
    tx = token.freeze(alice, sender=freezer)

    assert token.isFrozen(alice)
    assert tx.events == [token.AccountFrozen(alice)]


def test_freeze__already_frozen__reverts(token, freezer, alice):
    token.freeze(alice, sender=freezer)

    with ape.reverts(token.CareUSD_AccountAlreadyFrozen, account=alice):
        token.freeze(alice, sender=freezer)


def test_freeze__zero_address__reverts(token, freezer):
    with ape.reverts(token.CareUSD_FreezeZeroAddress):
        token.freeze(ZERO_ADDRESS, sender=freezer)


def test_unfreeze__frozen__clears_and_emits(token, freezer, alice):
    token.freeze(alice, sender=freezer)
    tx = token.unfreeze(alice, sender=freezer)

    assert not token.isFrozen(alice)
    assert tx.events == [token.AccountUnfrozen(alice)]


def test_unfreeze__not_frozen__reverts(token, freezer, alice):
    with ape.reverts(token.CareUSD_AccountNotFrozen, account=alice):
        token.unfreeze(alice, sender=freezer)


def test_transfer__frozen_sender__reverts(token, freezer, alice, bob, fund):
    fund(alice, 10)
    token.freeze(alice, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=alice):
        token.transfer(bob, 1, sender=alice)
    assert token.balanceOf(alice) == 10


def test_transfer__frozen_receiver__reverts(token, freezer, alice, bob, fund):
    fund(alice, 10)
    token.freeze(bob, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=bob):
        token.transfer(bob, 1, sender=alice)


def test_transfer__after_unfreeze__works_again(token, freezer, alice, bob, fund):
    fund(alice, 10)
    token.freeze(alice, sender=freezer)
    token.unfreeze(alice, sender=freezer)
    token.transfer(bob, 3, sender=alice)

    assert token.balanceOf(bob) == 3


def test_transfer_from__frozen_owner__reverts(token, freezer, alice, bob, carol, fund):
    fund(alice, 10)
    token.approve(carol, 10, sender=alice)
    token.freeze(alice, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=alice):
        token.transferFrom(alice, bob, 1, sender=carol)


def test_transfer_from__frozen_receiver__reverts(token, freezer, alice, bob, carol, fund):
    fund(alice, 10)
    token.approve(carol, 10, sender=alice)
    token.freeze(bob, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=bob):
        token.transferFrom(alice, bob, 1, sender=carol)


def test_transfer_from__frozen_spender__reverts(token, freezer, alice, bob, carol, fund):
    fund(alice, 10)
    token.approve(carol, 10, sender=alice)
    token.freeze(carol, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=carol):
        token.transferFrom(alice, bob, 1, sender=carol)
    assert token.allowance(alice, carol) == 10


def test_transfer_from__frozen_spender_with_infinite_allowance__reverts(token, freezer, alice, bob, carol, fund):
    fund(alice, 10)
    token.approve(carol, MAX_UINT256, sender=alice)
    token.freeze(carol, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=carol):
        token.transferFrom(alice, bob, 1, sender=carol)


def test_transfer_from__nobody_frozen__spends_allowance_and_moves_money(token, alice, bob, carol, fund):
    fund(alice, 10)
    token.approve(carol, 8, sender=alice)
    tx = token.transferFrom(alice, bob, 5, sender=carol)

    assert token.allowance(alice, carol) == 3
    assert token.balanceOf(bob) == 5
    assert tx.events == [token.Transfer(alice, bob, 5)]  # OZ 5 emits no Approval on spending


def test_approve__frozen_owner__reverts(token, freezer, alice, bob):
    token.freeze(alice, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=alice):
        token.approve(bob, 1, sender=alice)


def test_approve__frozen_spender__reverts(token, freezer, alice, bob):
    token.freeze(bob, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=bob):
        token.approve(bob, 1, sender=alice)


def test_permit__frozen_owner__reverts_in_both_forms(token, freezer, alice, bob, relayer, sign_permit, now):
    deadline = now + 3600
    sig = sign_permit(alice, bob, 5, deadline)
    token.freeze(alice, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=alice):
        token.permit(alice, bob, 5, deadline, *sig, sender=relayer)
    with ape.reverts(token.CareUSD_AccountFrozen, account=alice):
        token.permit(alice, bob, 5, deadline, sig.signature, sender=relayer)
    assert token.nonces(alice) == 0


def test_permit__frozen_spender__reverts_in_both_forms(token, freezer, alice, bob, relayer, sign_permit, now):
    deadline = now + 3600
    sig = sign_permit(alice, bob, 5, deadline)
    token.freeze(bob, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=bob):
        token.permit(alice, bob, 5, deadline, *sig, sender=relayer)
    with ape.reverts(token.CareUSD_AccountFrozen, account=bob):
        token.permit(alice, bob, 5, deadline, sig.signature, sender=relayer)


def test_authorization__frozen_payer__reverts_in_both_forms(
    token, freezer, alice, bob, relayer, fund, sign_authorization, now
):
    fund(alice, 10)
    nonce = signing.random_nonce()
    sig = sign_authorization(alice, bob, 5, 0, now + 3600, nonce)
    token.freeze(alice, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=alice):
        token.transferWithAuthorization(alice, bob, 5, 0, now + 3600, nonce, *sig, sender=relayer)
    with ape.reverts(token.CareUSD_AccountFrozen, account=alice):
        token.transferWithAuthorization(alice, bob, 5, 0, now + 3600, nonce, sig.signature, sender=relayer)
    assert not token.authorizationState(alice, nonce)


def test_authorization__frozen_payee__reverts_for_transfer_and_receive(
    token, freezer, alice, bob, relayer, fund, sign_authorization, now
):
    fund(alice, 10)
    transfer_nonce, receive_nonce = signing.random_nonce(), signing.random_nonce()
    transfer_sig = sign_authorization(alice, bob, 5, 0, now + 3600, transfer_nonce)
    receive_sig = sign_authorization(alice, bob, 5, 0, now + 3600, receive_nonce, receive=True)
    token.freeze(bob, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=bob):
        token.transferWithAuthorization(alice, bob, 5, 0, now + 3600, transfer_nonce, *transfer_sig, sender=relayer)
    with ape.reverts(token.CareUSD_AccountFrozen, account=bob):
        token.receiveWithAuthorization(alice, bob, 5, 0, now + 3600, receive_nonce, *receive_sig, sender=bob)
    with ape.reverts(token.CareUSD_AccountFrozen, account=bob):
        token.receiveWithAuthorization(alice, bob, 5, 0, now + 3600, receive_nonce, receive_sig.signature, sender=bob)


def test_cancel_authorization__frozen_authorizer__still_allowed(token, freezer, alice, relayer, sign_cancel):
    nonce = signing.random_nonce()
    token.freeze(alice, sender=freezer)
    tx = token.cancelAuthorization(alice, nonce, sign_cancel(alice, nonce).signature, sender=relayer)

    assert token.authorizationState(alice, nonce)
    assert tx.events == [token.AuthorizationCanceled(alice, nonce)]


def test_freeze__existing_allowance__kept_and_usable_after_unfreeze(token, freezer, alice, bob, carol, fund):
    fund(alice, 10)
    token.approve(carol, 6, sender=alice)
    token.freeze(carol, sender=freezer)
    assert token.allowance(alice, carol) == 6
    token.unfreeze(carol, sender=freezer)
    token.transferFrom(alice, bob, 6, sender=carol)

    assert token.balanceOf(bob) == 6
    assert token.allowance(alice, carol) == 0
