"""EIP-2612 permits, signed in Python with eth-account: the (v, r, s) form and the bytes form."""

import ape
import pytest
from ape.utils import ZERO_ADDRESS
from eth_account import Account

from carepay import signing


def _recover(token, chain_id, owner, spender, value, nonce, deadline, sig):
    """Who the contract will recover from `sig` for this permit (used to predict ERC2612InvalidSigner)."""
    digest = signing.typed_data_digest(
        signing.permit_typed_data(token.address, chain_id, owner, spender, value, nonce, deadline)
    )
    return Account._recover_hash(digest, vrs=(sig.v, int.from_bytes(sig.r, "big"), int.from_bytes(sig.s, "big")))


@pytest.fixture(params=["vrs", "bytes"])
def form(request):
    return request.param


def _permit(token, form, owner, spender, value, deadline, sig, sender):
    tail = tuple(sig) if form == "vrs" else (sig.signature,)
    return token.permit(owner, spender, value, deadline, *tail, sender=sender)


def test_permit__valid_signature__sets_allowance_bumps_nonce_and_emits(
    token, form, alice, bob, relayer, sign_permit, now
):
    deadline = now + 3600
    sig = sign_permit(alice, bob, 123, deadline)
    tx = _permit(token, form, alice, bob, 123, deadline, sig, relayer)

    assert token.allowance(alice, bob) == 123
    assert token.nonces(alice) == 1
    assert tx.events == [token.Approval(alice, bob, 123)]


def test_permit__then_transfer_from__spender_moves_money(token, alice, bob, carol, fund, sign_permit, now):
    fund(alice, 50)
    deadline = now + 3600
    token.permit(alice, bob, 30, deadline, *sign_permit(alice, bob, 30, deadline), sender=bob)
    token.transferFrom(alice, carol, 30, sender=bob)

    assert token.balanceOf(carol) == 30
    assert token.balanceOf(alice) == 20
    assert token.allowance(alice, bob) == 0


def test_permit__at_deadline__accepted(token, form, alice, bob, relayer, sign_permit, chain):
    deadline = chain.pending_timestamp + 100
    sig = sign_permit(alice, bob, 1, deadline)
    chain.pending_timestamp = deadline
    _permit(token, form, alice, bob, 1, deadline, sig, relayer)

    assert token.allowance(alice, bob) == 1


def test_permit__after_deadline__reverts_expired(token, form, alice, bob, relayer, sign_permit, chain):
    deadline = chain.pending_timestamp + 100
    sig = sign_permit(alice, bob, 1, deadline)
    chain.pending_timestamp = deadline + 1

    with ape.reverts(token.ERC2612ExpiredSignature, deadline=deadline):
        _permit(token, form, alice, bob, 1, deadline, sig, relayer)


def test_permit_vrs__wrong_signer__reverts_with_recovered_signer(
    token, alice, bob, relayer, outsider, sign_permit, now
):
    deadline = now + 3600
    sig = sign_permit(alice, bob, 1, deadline, key=outsider.key)

    with ape.reverts(token.ERC2612InvalidSigner, signer=outsider.address, owner=alice):
        token.permit(alice, bob, 1, deadline, *sig, sender=relayer)


def test_permit_bytes__wrong_signer__reverts_invalid_signature(token, alice, bob, relayer, outsider, sign_permit, now):
    deadline = now + 3600
    sig = sign_permit(alice, bob, 1, deadline, key=outsider.key)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        token.permit(alice, bob, 1, deadline, sig.signature, sender=relayer)


def test_permit_vrs__replayed__reverts_because_nonce_moved_on(
    token, alice, bob, relayer, sign_permit, chain_id, now
):
    deadline = now + 3600
    sig = sign_permit(alice, bob, 7, deadline)
    token.permit(alice, bob, 7, deadline, *sig, sender=relayer)
    token.approve(bob, 0, sender=alice)
    # With nonce 1 the same signature recovers to some unrelated address.
    recovered = _recover(token, chain_id, alice, bob, 7, 1, deadline, sig)

    with ape.reverts(token.ERC2612InvalidSigner, signer=recovered, owner=alice):
        token.permit(alice, bob, 7, deadline, *sig, sender=relayer)
    assert token.allowance(alice, bob) == 0


def test_permit_bytes__replayed__reverts_invalid_signature(token, alice, bob, relayer, sign_permit, now):
    deadline = now + 3600
    sig = sign_permit(alice, bob, 7, deadline)
    token.permit(alice, bob, 7, deadline, sig.signature, sender=relayer)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        token.permit(alice, bob, 7, deadline, sig.signature, sender=relayer)


def test_permit__forms_share_one_nonce_sequence(token, alice, bob, carol, relayer, sign_permit, now):
    deadline = now + 3600
    token.permit(alice, bob, 1, deadline, sign_permit(alice, bob, 1, deadline).signature, sender=relayer)
    token.permit(alice, carol, 2, deadline, *sign_permit(alice, carol, 2, deadline), sender=relayer)

    assert token.nonces(alice) == 2
    assert token.allowance(alice, bob) == 1
    assert token.allowance(alice, carol) == 2


def test_permit__future_nonce__rejected(token, alice, bob, relayer, sign_permit, now):
    deadline = now + 3600
    sig = sign_permit(alice, bob, 1, deadline, nonce=1)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        token.permit(alice, bob, 1, deadline, sig.signature, sender=relayer)


def test_permit__zero_spender__reverts_with_erc6093_invalid_spender(token, form, alice, relayer, sign_permit, now):
    deadline = now + 3600
    sig = sign_permit(alice, ZERO_ADDRESS, 1, deadline)

    with ape.reverts(token.ERC20InvalidSpender, spender=ZERO_ADDRESS):
        _permit(token, form, alice, ZERO_ADDRESS, 1, deadline, sig, relayer)


def test_permit_vrs__malformed_v__reverts_ecdsa_invalid_signature(token, alice, bob, relayer, sign_permit, now):
    deadline = now + 3600
    sig = sign_permit(alice, bob, 1, deadline)

    with ape.reverts(token.ECDSAInvalidSignature):
        token.permit(alice, bob, 1, deadline, 29, sig.r, sig.s, sender=relayer)


def test_permit_bytes__short_signature__reverts_invalid_signature(token, alice, bob, relayer, sign_permit, now):
    deadline = now + 3600
    sig = sign_permit(alice, bob, 1, deadline)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        token.permit(alice, bob, 1, deadline, sig.signature[:64], sender=relayer)


def test_permit_bytes__smart_wallet_owner__accepted_through_erc1271(
    token, smart_wallet, alice, bob, relayer, sign_permit, now
):
    deadline = now + 3600
    # The wallet's key (alice) signs the permit whose owner is the wallet.
    sig = sign_permit(smart_wallet, bob, 44, deadline, key=alice.private_key)
    tx = token.permit(smart_wallet, bob, 44, deadline, sig.signature, sender=relayer)

    assert token.allowance(smart_wallet, bob) == 44
    assert token.nonces(smart_wallet) == 1
    assert tx.events == [token.Approval(smart_wallet, bob, 44)]


def test_permit_bytes__smart_wallet_wrong_key__reverts(token, smart_wallet, bob, relayer, outsider, sign_permit, now):
    deadline = now + 3600
    sig = sign_permit(smart_wallet, bob, 44, deadline, key=outsider.key)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=smart_wallet):
        token.permit(smart_wallet, bob, 44, deadline, sig.signature, sender=relayer)


def test_permit_vrs__smart_wallet_owner__reverts_since_eip2612_form_is_ecdsa_only(
    token, smart_wallet, alice, bob, relayer, sign_permit, now
):
    deadline = now + 3600
    sig = sign_permit(smart_wallet, bob, 44, deadline, key=alice.private_key)

    with ape.reverts(token.ERC2612InvalidSigner, signer=alice, owner=smart_wallet):
        token.permit(smart_wallet, bob, 44, deadline, *sig, sender=relayer)


def test_permit_vrs__high_s_malleated__reverts_ecdsa_invalid_s(token, alice, bob, relayer, sign_permit, now):
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141  # secp256k1 group order
    deadline = now + 3600
    sig = sign_permit(alice, bob, 1, deadline)
    high_s = (n - int.from_bytes(sig.s, "big")).to_bytes(32, "big")

    with ape.reverts(token.ECDSAInvalidSignatureS, s=high_s):
        token.permit(alice, bob, 1, deadline, 55 - sig.v, sig.r, high_s, sender=relayer)
