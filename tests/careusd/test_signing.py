"""carepay.signing: the EIP-712 digests match the contract's domain and typehashes, computed independently."""

import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak

from carepay import signing


def _digest(token, struct_types, struct_values):
    struct_hash = keccak(encode(struct_types, struct_values))
    return keccak(b"\x19\x01" + bytes(token.DOMAIN_SEPARATOR()) + struct_hash)


def _signer_of(digest, sig):
    return Account._recover_hash(digest, vrs=(sig.v, int.from_bytes(sig.r, "big"), int.from_bytes(sig.s, "big")))


def test_permit_digest__matches_contract_typehash_and_domain(token, chain_id, alice, bob):
    expected = _digest(
        token,
        ["bytes32", "address", "address", "uint256", "uint256", "uint256"],
        [bytes(token.PERMIT_TYPEHASH()), alice.address, bob.address, 5, 3, 99],
    )
    typed = signing.permit_typed_data(token.address, chain_id, alice, bob, 5, 3, 99)
    assert signing.typed_data_digest(typed) == expected

    sig = signing.sign_permit(alice.private_key, token.address, chain_id, alice, bob, 5, 3, 99)
    assert _signer_of(expected, sig) == alice.address


@pytest.mark.parametrize(
    "sign_fn, typehash_name",
    [
        (signing.sign_transfer_authorization, "TRANSFER_WITH_AUTHORIZATION_TYPEHASH"),
        (signing.sign_receive_authorization, "RECEIVE_WITH_AUTHORIZATION_TYPEHASH"),
    ],
)
def test_authorization_digest__matches_contract_typehash_and_domain(
    token, chain_id, alice, bob, sign_fn, typehash_name
):
    nonce = signing.random_nonce()
    expected = _digest(
        token,
        ["bytes32", "address", "address", "uint256", "uint256", "uint256", "bytes32"],
        [bytes(getattr(token, typehash_name)()), alice.address, bob.address, 7, 1, 2**40, nonce],
    )
    sig = sign_fn(alice.private_key, token.address, chain_id, alice, bob, 7, 1, 2**40, nonce)
    assert _signer_of(expected, sig) == alice.address


def test_cancel_digest__matches_contract_typehash_and_domain(token, chain_id, alice):
    nonce = signing.random_nonce()
    expected = _digest(
        token, ["bytes32", "address", "bytes32"], [bytes(token.CANCEL_AUTHORIZATION_TYPEHASH()), alice.address, nonce]
    )
    typed = signing.cancel_authorization_typed_data(token.address, chain_id, alice, "0x" + nonce.hex())
    assert signing.typed_data_digest(typed) == expected
    sig = signing.sign_cancel_authorization(alice.private_key, token.address, chain_id, alice, nonce)
    assert _signer_of(expected, sig) == alice.address


def test_signature__bytes_form__is_r_s_v():
    key = Account.create()
    sig = signing.sign_cancel_authorization(key.key, "0x" + "11" * 20, 1, key.address, b"\x01" * 32)
    assert sig.signature == sig.r + sig.s + bytes([sig.v])
    assert len(sig.signature) == 65
    assert sig.v in (27, 28)
    v, r, s = sig  # unpacks as the (v, r, s) form
    assert (v, r, s) == (sig.v, sig.r, sig.s)


def test_random_nonce__32_random_bytes():
    nonces = {signing.random_nonce() for _ in range(100)}
    assert len(nonces) == 100
    assert all(len(nonce) == 32 for nonce in nonces)


def test_nonce__wrong_length__rejected():
    with pytest.raises(ValueError, match="expected 32 bytes, got 31"):
        signing.cancel_authorization_typed_data("0x" + "11" * 20, 1, "0x" + "22" * 20, b"\x00" * 31)


def test_authorization_typed_data__unknown_type__rejected():
    with pytest.raises(ValueError, match="unknown authorization type"):
        signing.authorization_typed_data("Permit", "0x" + "11" * 20, 1, "0x" + "22" * 20, "0x" + "33" * 20, 1, 0, 1, b"\x00" * 32)
