"""Pause: no money moves while paused; allowances, permits and cancellations still work."""

import ape

from carepay import signing


def test_pause__pauser__sets_paused_and_emits(token, pauser):
    tx = token.pause(sender=pauser)

    assert token.paused()
    assert tx.events == [token.Paused(pauser)]


def test_pause__already_paused__reverts(token, pauser):
    token.pause(sender=pauser)

    with ape.reverts(token.EnforcedPause):
        token.pause(sender=pauser)


def test_unpause__paused__clears_and_emits(token, pauser):
    token.pause(sender=pauser)
    tx = token.unpause(sender=pauser)

    assert not token.paused()
    assert tx.events == [token.Unpaused(pauser)]


def test_unpause__not_paused__reverts(token, pauser):
    with ape.reverts(token.ExpectedPause):
        token.unpause(sender=pauser)


def test_transfer__paused__reverts(token, pauser, alice, bob, fund):
    fund(alice, 10)
    token.pause(sender=pauser)

    with ape.reverts(token.EnforcedPause):
        token.transfer(bob, 1, sender=alice)


def test_transfer_from__paused__reverts(token, pauser, alice, bob, carol, fund):
    fund(alice, 10)
    token.approve(carol, 10, sender=alice)
    token.pause(sender=pauser)

    with ape.reverts(token.EnforcedPause):
        token.transferFrom(alice, bob, 1, sender=carol)
    assert token.allowance(alice, carol) == 10


def test_transfer__after_unpause__works_again(token, pauser, alice, bob, fund):
    fund(alice, 10)
    token.pause(sender=pauser)
    token.unpause(sender=pauser)
    tx = token.transfer(bob, 4, sender=alice)

    assert token.balanceOf(bob) == 4
    assert token.balanceOf(alice) == 6
    assert tx.events == [token.Transfer(alice, bob, 4)]


def test_approve__paused__still_allowed(token, pauser, alice, bob):
    token.pause(sender=pauser)
    tx = token.approve(bob, 5, sender=alice)

    assert token.allowance(alice, bob) == 5
    assert tx.events == [token.Approval(alice, bob, 5)]


def test_permit__paused__still_allowed(token, pauser, alice, bob, relayer, sign_permit, now):
    token.pause(sender=pauser)
    deadline = now + 3600
    v, r, s = sign_permit(alice, bob, 9, deadline)
    token.permit(alice, bob, 9, deadline, v, r, s, sender=relayer)

    assert token.allowance(alice, bob) == 9


def test_transfer_with_authorization__paused__reverts_and_keeps_nonce(
    token, pauser, alice, bob, relayer, fund, sign_authorization, now
):
    fund(alice, 10)
    nonce = signing.random_nonce()
    sig = sign_authorization(alice, bob, 5, 0, now + 3600, nonce)
    token.pause(sender=pauser)

    with ape.reverts(token.EnforcedPause):
        token.transferWithAuthorization(alice, bob, 5, 0, now + 3600, nonce, *sig, sender=relayer)
    with ape.reverts(token.EnforcedPause):
        token.transferWithAuthorization(alice, bob, 5, 0, now + 3600, nonce, sig.signature, sender=relayer)
    assert not token.authorizationState(alice, nonce)


def test_receive_with_authorization__paused__reverts(token, pauser, alice, bob, fund, sign_authorization, now):
    fund(alice, 10)
    nonce = signing.random_nonce()
    sig = sign_authorization(alice, bob, 5, 0, now + 3600, nonce, receive=True)
    token.pause(sender=pauser)

    with ape.reverts(token.EnforcedPause):
        token.receiveWithAuthorization(alice, bob, 5, 0, now + 3600, nonce, *sig, sender=bob)
    with ape.reverts(token.EnforcedPause):
        token.receiveWithAuthorization(alice, bob, 5, 0, now + 3600, nonce, sig.signature, sender=bob)


def test_cancel_authorization__paused__still_allowed(token, pauser, alice, relayer, sign_cancel):
    nonce = signing.random_nonce()
    token.pause(sender=pauser)
    tx = token.cancelAuthorization(alice, nonce, *sign_cancel(alice, nonce), sender=relayer)

    assert token.authorizationState(alice, nonce)
    assert tx.events == [token.AuthorizationCanceled(alice, nonce)]


def test_mint_and_burn__paused__both_revert(token, pauser, minter, fund):
    fund(minter, 5)
    token.pause(sender=pauser)

    with ape.reverts(token.EnforcedPause):
        token.mint(minter, 1, sender=minter)
    with ape.reverts(token.EnforcedPause):
        token.burn(1, sender=minter)
