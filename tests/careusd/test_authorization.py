"""EIP-3009 authorizations signed in Python with eth-account, in the (v, r, s) and bytes forms."""

import ape
import pytest
from ape.utils import ZERO_ADDRESS

from carepay import signing

HOUR = 3600


@pytest.fixture(params=["vrs", "bytes"])
def form(request):
    return request.param


@pytest.fixture(params=["transfer", "receive"])
def kind(request):
    return request.param


def _tail(form, sig):
    return tuple(sig) if form == "vrs" else (sig.signature,)


@pytest.fixture
def submit(token, relayer):
    """Submits an authorization: transfers by the relayer, receives by the payee (unless `sender` is given)."""

    def call(kind, form, from_, to, value, valid_after, valid_before, nonce, sig, sender=None):
        if kind == "transfer":
            fn, default_sender = token.transferWithAuthorization, relayer
        else:
            fn, default_sender = token.receiveWithAuthorization, to
        return fn(from_, to, value, valid_after, valid_before, nonce, *_tail(form, sig), sender=sender or default_sender)

    return call


@pytest.fixture
def sign(sign_authorization):
    """Signs an authorization of the given kind."""

    def call(kind, from_, to, value, valid_after, valid_before, nonce, key=None):
        return sign_authorization(
            from_, to, value, valid_after, valid_before, nonce, receive=(kind == "receive"), key=key
        )

    return call


# ------------------------------------------------------------------------------------------ transfer / receive


def test_authorization__valid__moves_money_spends_nonce_and_emits(
    token, kind, form, alice, bob, fund, sign, submit, now
):
    fund(alice, 100)
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 60, 0, now + HOUR, nonce)
    assert not token.authorizationState(alice, nonce)

    tx = submit(kind, form, alice, bob, 60, 0, now + HOUR, nonce, sig)

    assert token.balanceOf(alice) == 40
    assert token.balanceOf(bob) == 60
    assert token.totalSupply() == 100
    assert token.authorizationState(alice, nonce)
    assert tx.events == [token.AuthorizationUsed(alice, nonce), token.Transfer(alice, bob, 60)]


def test_authorization__replayed__reverts_used(token, kind, form, alice, bob, fund, sign, submit, now):
    fund(alice, 100)
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 10, 0, now + HOUR, nonce)
    submit(kind, form, alice, bob, 10, 0, now + HOUR, nonce, sig)

    with ape.reverts(token.CareUSD_AuthorizationUsedOrCanceled, authorizer=alice, nonce=nonce):
        submit(kind, form, alice, bob, 10, 0, now + HOUR, nonce, sig)
    assert token.balanceOf(bob) == 10


def test_authorization__replayed_in_other_form__reverts_used(token, kind, alice, bob, fund, sign, submit, now):
    fund(alice, 100)
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 10, 0, now + HOUR, nonce)
    submit(kind, "vrs", alice, bob, 10, 0, now + HOUR, nonce, sig)

    with ape.reverts(token.CareUSD_AuthorizationUsedOrCanceled, authorizer=alice, nonce=nonce):
        submit(kind, "bytes", alice, bob, 10, 0, now + HOUR, nonce, sig)


def test_authorization__at_valid_after__reverts_not_yet_valid(
    token, kind, form, alice, bob, fund, sign, submit, chain
):
    fund(alice, 100)
    valid_after = chain.pending_timestamp + 100
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 10, valid_after, valid_after + HOUR, nonce)
    chain.pending_timestamp = valid_after  # validAfter is exclusive

    with ape.reverts(token.CareUSD_AuthorizationNotYetValid, validAfter=valid_after, currentTime=valid_after):
        submit(kind, form, alice, bob, 10, valid_after, valid_after + HOUR, nonce, sig)
    assert not token.authorizationState(alice, nonce)


def test_authorization__one_second_after_valid_after__accepted(
    token, kind, form, alice, bob, fund, sign, submit, chain
):
    fund(alice, 100)
    valid_after = chain.pending_timestamp + 100
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 10, valid_after, valid_after + HOUR, nonce)
    chain.pending_timestamp = valid_after + 1
    submit(kind, form, alice, bob, 10, valid_after, valid_after + HOUR, nonce, sig)

    assert token.balanceOf(bob) == 10


def test_authorization__at_valid_before__reverts_expired(token, kind, form, alice, bob, fund, sign, submit, chain):
    fund(alice, 100)
    valid_before = chain.pending_timestamp + 100
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 10, 0, valid_before, nonce)
    chain.pending_timestamp = valid_before  # validBefore is exclusive

    with ape.reverts(token.CareUSD_AuthorizationExpired, validBefore=valid_before, currentTime=valid_before):
        submit(kind, form, alice, bob, 10, 0, valid_before, nonce, sig)
    assert not token.authorizationState(alice, nonce)


def test_authorization__one_second_before_valid_before__accepted(
    token, kind, form, alice, bob, fund, sign, submit, chain
):
    fund(alice, 100)
    valid_before = chain.pending_timestamp + 100
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 10, 0, valid_before, nonce)
    chain.pending_timestamp = valid_before - 1
    submit(kind, form, alice, bob, 10, 0, valid_before, nonce, sig)

    assert token.balanceOf(bob) == 10


def test_authorization__wrong_signer__reverts_invalid_signature(
    token, kind, form, alice, bob, outsider, fund, sign, submit, now
):
    fund(alice, 100)
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 10, 0, now + HOUR, nonce, key=outsider.key)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        submit(kind, form, alice, bob, 10, 0, now + HOUR, nonce, sig)


def test_authorization__tampered_value__reverts_invalid_signature(
    token, kind, form, alice, bob, fund, sign, submit, now
):
    fund(alice, 100)
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 10, 0, now + HOUR, nonce)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        submit(kind, form, alice, bob, 11, 0, now + HOUR, nonce, sig)


def test_authorization__signed_for_the_other_kind__reverts_invalid_signature(
    token, kind, form, alice, bob, fund, sign, submit, now
):
    fund(alice, 100)
    nonce = signing.random_nonce()
    other = "receive" if kind == "transfer" else "transfer"
    sig = sign(other, alice, bob, 10, 0, now + HOUR, nonce)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        submit(kind, form, alice, bob, 10, 0, now + HOUR, nonce, sig)


def test_authorization__signed_for_another_chain__reverts_invalid_signature(
    token, kind, form, alice, bob, fund, submit, chain_id, now
):
    fund(alice, 100)
    nonce = signing.random_nonce()
    sign_fn = signing.sign_transfer_authorization if kind == "transfer" else signing.sign_receive_authorization
    sig = sign_fn(alice.private_key, token.address, chain_id + 1, alice, bob, 10, 0, now + HOUR, nonce)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        submit(kind, form, alice, bob, 10, 0, now + HOUR, nonce, sig)


def test_authorization__signed_for_another_token__reverts_invalid_signature(
    token, kind, form, alice, bob, fund, submit, chain_id, deploy_careusd, admin, now
):
    fund(alice, 100)
    other_token = deploy_careusd(admin)
    nonce = signing.random_nonce()
    sign_fn = signing.sign_transfer_authorization if kind == "transfer" else signing.sign_receive_authorization
    sig = sign_fn(alice.private_key, other_token.address, chain_id, alice, bob, 10, 0, now + HOUR, nonce)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        submit(kind, form, alice, bob, 10, 0, now + HOUR, nonce, sig)


def test_authorization__malformed_signature__reverts_invalid_signature(
    token, kind, alice, bob, fund, sign, submit, now
):
    fund(alice, 100)
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 10, 0, now + HOUR, nonce)
    bad_v = signing.Signature(v=29, r=sig.r, s=sig.s)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        submit(kind, "vrs", alice, bob, 10, 0, now + HOUR, nonce, bad_v)
    fn = token.transferWithAuthorization if kind == "transfer" else token.receiveWithAuthorization
    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        fn(alice, bob, 10, 0, now + HOUR, nonce, sig.signature[:64], sender=bob)


def test_authorization__high_s_malleated_signature__reverts_invalid_signature(
    token, kind, form, alice, bob, fund, sign, submit, now
):
    # secp256k1 order: (r, n - s, v ^ 1) is the same signature malleated; OpenZeppelin rejects high s.
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    fund(alice, 100)
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 10, 0, now + HOUR, nonce)
    high_s = (n - int.from_bytes(sig.s, "big")).to_bytes(32, "big")
    malleated = signing.Signature(v=55 - sig.v, r=sig.r, s=high_s)  # 27 <-> 28

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        submit(kind, form, alice, bob, 10, 0, now + HOUR, nonce, malleated)


def test_authorization__insufficient_balance__reverts_erc6093_and_keeps_nonce(
    token, kind, form, alice, bob, fund, sign, submit, now
):
    fund(alice, 5)
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 6, 0, now + HOUR, nonce)

    with ape.reverts(token.ERC20InsufficientBalance, sender=alice, balance=5, needed=6):
        submit(kind, form, alice, bob, 6, 0, now + HOUR, nonce, sig)
    assert not token.authorizationState(alice, nonce)


def test_transfer_with_authorization__to_zero_address__reverts_invalid_receiver(
    token, form, alice, fund, sign, submit, now
):
    fund(alice, 5)
    nonce = signing.random_nonce()
    sig = sign("transfer", alice, ZERO_ADDRESS, 1, 0, now + HOUR, nonce)

    with ape.reverts(token.ERC20InvalidReceiver, receiver=ZERO_ADDRESS):
        submit("transfer", form, alice, ZERO_ADDRESS, 1, 0, now + HOUR, nonce, sig)


def test_authorization__random_nonces__usable_in_any_order(token, kind, alice, bob, fund, sign, submit, now):
    fund(alice, 100)
    first, second = signing.random_nonce(), signing.random_nonce()
    sig_first = sign(kind, alice, bob, 1, 0, now + HOUR, first)
    sig_second = sign(kind, alice, bob, 2, 0, now + HOUR, second)
    submit(kind, "bytes", alice, bob, 2, 0, now + HOUR, second, sig_second)
    submit(kind, "vrs", alice, bob, 1, 0, now + HOUR, first, sig_first)

    assert token.balanceOf(bob) == 3
    assert token.authorizationState(alice, first) and token.authorizationState(alice, second)


def test_authorization__same_nonce_for_two_authorizers__independent(
    token, kind, alice, bob, carol, fund, sign, submit, now
):
    fund(alice, 10)
    fund(carol, 10)
    nonce = signing.random_nonce()
    submit(kind, "vrs", alice, bob, 3, 0, now + HOUR, nonce, sign(kind, alice, bob, 3, 0, now + HOUR, nonce))
    submit(kind, "vrs", carol, bob, 4, 0, now + HOUR, nonce, sign(kind, carol, bob, 4, 0, now + HOUR, nonce))

    assert token.balanceOf(bob) == 7


def test_authorization__canceled_first__reverts_used_or_canceled(
    token, kind, form, alice, bob, relayer, fund, sign, sign_cancel, submit, now
):
    fund(alice, 100)
    nonce = signing.random_nonce()
    sig = sign(kind, alice, bob, 10, 0, now + HOUR, nonce)
    token.cancelAuthorization(alice, nonce, *sign_cancel(alice, nonce), sender=relayer)

    with ape.reverts(token.CareUSD_AuthorizationUsedOrCanceled, authorizer=alice, nonce=nonce):
        submit(kind, form, alice, bob, 10, 0, now + HOUR, nonce, sig)
    assert token.balanceOf(bob) == 0


def test_authorization__smart_wallet_payer__accepted_through_erc1271(
    token, kind, form, smart_wallet, alice, bob, fund, sign, submit, now
):
    fund(smart_wallet, 50)
    nonce = signing.random_nonce()
    # The wallet's key (alice) signs an authorization whose payer is the wallet.
    sig = sign(kind, smart_wallet, bob, 20, 0, now + HOUR, nonce, key=alice.private_key)
    tx = submit(kind, form, smart_wallet, bob, 20, 0, now + HOUR, nonce, sig)

    assert token.balanceOf(smart_wallet) == 30
    assert token.balanceOf(bob) == 20
    assert tx.events == [token.AuthorizationUsed(smart_wallet, nonce), token.Transfer(smart_wallet, bob, 20)]


def test_authorization__smart_wallet_wrong_key__reverts_invalid_signature(
    token, kind, form, smart_wallet, bob, outsider, fund, sign, submit, now
):
    fund(smart_wallet, 50)
    nonce = signing.random_nonce()
    sig = sign(kind, smart_wallet, bob, 20, 0, now + HOUR, nonce, key=outsider.key)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=smart_wallet):
        submit(kind, form, smart_wallet, bob, 20, 0, now + HOUR, nonce, sig)


# ------------------------------------------------------------------------------------------ receive: payee only


def test_receive_with_authorization__caller_not_payee__reverts(
    token, form, alice, bob, relayer, fund, sign, submit, now
):
    fund(alice, 100)
    nonce = signing.random_nonce()
    sig = sign("receive", alice, bob, 10, 0, now + HOUR, nonce)

    with ape.reverts(token.CareUSD_CallerNotPayee, caller=relayer, payee=bob):
        submit("receive", form, alice, bob, 10, 0, now + HOUR, nonce, sig, sender=relayer)
    assert not token.authorizationState(alice, nonce)


def test_receive_with_authorization__payer_submits__reverts_caller_not_payee(
    token, form, alice, bob, fund, sign, submit, now
):
    fund(alice, 100)
    nonce = signing.random_nonce()
    sig = sign("receive", alice, bob, 10, 0, now + HOUR, nonce)

    with ape.reverts(token.CareUSD_CallerNotPayee, caller=alice, payee=bob):
        submit("receive", form, alice, bob, 10, 0, now + HOUR, nonce, sig, sender=alice)


# ------------------------------------------------------------------------------------------------ cancellation


def test_cancel_authorization__valid__spends_nonce_and_emits(token, form, alice, relayer, sign_cancel):
    nonce = signing.random_nonce()
    tx = token.cancelAuthorization(alice, nonce, *_tail(form, sign_cancel(alice, nonce)), sender=relayer)

    assert token.authorizationState(alice, nonce)
    assert tx.events == [token.AuthorizationCanceled(alice, nonce)]


def test_cancel_authorization__twice__reverts_used_or_canceled(token, form, alice, relayer, sign_cancel):
    nonce = signing.random_nonce()
    sig = sign_cancel(alice, nonce)
    token.cancelAuthorization(alice, nonce, *_tail(form, sig), sender=relayer)

    with ape.reverts(token.CareUSD_AuthorizationUsedOrCanceled, authorizer=alice, nonce=nonce):
        token.cancelAuthorization(alice, nonce, *_tail(form, sig), sender=relayer)


def test_cancel_authorization__after_use__reverts_used_or_canceled(
    token, form, alice, bob, relayer, fund, sign, sign_cancel, submit, now
):
    fund(alice, 100)
    nonce = signing.random_nonce()
    submit("transfer", "vrs", alice, bob, 1, 0, now + HOUR, nonce, sign("transfer", alice, bob, 1, 0, now + HOUR, nonce))

    with ape.reverts(token.CareUSD_AuthorizationUsedOrCanceled, authorizer=alice, nonce=nonce):
        token.cancelAuthorization(alice, nonce, *_tail(form, sign_cancel(alice, nonce)), sender=relayer)


def test_cancel_authorization__wrong_signer__reverts_invalid_signature(
    token, form, alice, relayer, outsider, sign_cancel
):
    nonce = signing.random_nonce()
    sig = sign_cancel(alice, nonce, key=outsider.key)

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        token.cancelAuthorization(alice, nonce, *_tail(form, sig), sender=relayer)
    assert not token.authorizationState(alice, nonce)


def test_cancel_authorization__other_nonce_signed__reverts_invalid_signature(
    token, form, alice, relayer, sign_cancel
):
    nonce, other = signing.random_nonce(), signing.random_nonce()

    with ape.reverts(token.CareUSD_InvalidSignature, signer=alice):
        token.cancelAuthorization(alice, nonce, *_tail(form, sign_cancel(alice, other)), sender=relayer)


def test_cancel_authorization__smart_wallet__accepted_through_erc1271(
    token, form, smart_wallet, alice, relayer, sign_cancel
):
    nonce = signing.random_nonce()
    sig = sign_cancel(smart_wallet, nonce, key=alice.private_key)
    tx = token.cancelAuthorization(smart_wallet, nonce, *_tail(form, sig), sender=relayer)

    assert token.authorizationState(smart_wallet, nonce)
    assert tx.events == [token.AuthorizationCanceled(smart_wallet, nonce)]
