"""EIP-712 signatures for CareUSD: EIP-2612 permits and EIP-3009 authorizations.

Every ``sign_*`` function returns a :class:`Signature`, a ``(v, r, s)`` named tuple that also
carries the 65-byte ``r || s || v`` form, so one call serves both contract forms::

    sig = sign_permit(key, token.address, chain.chain_id, owner, spender, value, nonce, deadline)
    token.permit(owner, spender, value, deadline, *sig, sender=anyone)          # (v, r, s) form
    token.permit(owner, spender, value, deadline, sig.signature, sender=anyone) # bytes form

The ``*_typed_data`` functions build the EIP-712 message (the ``full_message`` dict that
``eth_account.messages.encode_typed_data`` accepts) for callers that sign some other way.

Private keys are hex strings or bytes. In ape tests: ``accounts.test_accounts[i].private_key``.
Addresses may be checksummed strings or ape account / contract objects (anything whose ``str()``
or ``.address`` is the address).
"""

from __future__ import annotations

import secrets
from typing import Any, NamedTuple

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

#: The token's EIP-712 domain name and version (CareUSD constructor: ERC20Permit("CareUSD")).
DOMAIN_NAME = "CareUSD"
DOMAIN_VERSION = "1"

_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
_PERMIT_TYPE = [
    {"name": "owner", "type": "address"},
    {"name": "spender", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
# TransferWithAuthorization and ReceiveWithAuthorization share their fields; only the type name differs.
_AUTHORIZATION_TYPE = [
    {"name": "from", "type": "address"},
    {"name": "to", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "validAfter", "type": "uint256"},
    {"name": "validBefore", "type": "uint256"},
    {"name": "nonce", "type": "bytes32"},
]
_CANCEL_TYPE = [
    {"name": "authorizer", "type": "address"},
    {"name": "nonce", "type": "bytes32"},
]


class Signature(NamedTuple):
    """An ECDSA signature: unpack it as ``v, r, s``; ``.signature`` is the bytes form."""

    v: int
    r: bytes
    s: bytes

    @property
    def signature(self) -> bytes:
        """The 65-byte ``r || s || v`` encoding that OpenZeppelin's ECDSA and SignatureChecker read."""
        return self.r + self.s + bytes([self.v])


def random_nonce() -> bytes:
    """A fresh random 32-byte EIP-3009 nonce (EIP-3009 nonces are random, not sequential)."""
    return secrets.token_bytes(32)


def _address(value: Any) -> str:
    """Checksummed address of a string or of an object with an ``.address`` (ape accounts, contracts)."""
    return to_checksum_address(str(getattr(value, "address", value)))


def _bytes32(value: bytes | str) -> bytes:
    """A 32-byte value from bytes or a 0x-hex string (nonces)."""
    raw = bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)
    if len(raw) != 32:
        raise ValueError(f"expected 32 bytes, got {len(raw)}")
    return raw


def domain(token_address: Any, chain_id: int) -> dict:
    """The CareUSD EIP-712 domain for the token deployed at ``token_address`` on ``chain_id``."""
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": int(chain_id),
        "verifyingContract": _address(token_address),
    }


def permit_typed_data(
    token_address: Any, chain_id: int, owner: Any, spender: Any, value: int, nonce: int, deadline: int
) -> dict:
    """EIP-712 message of an EIP-2612 ``Permit`` (``nonce`` is ``token.nonces(owner)``)."""
    return {
        "types": {"EIP712Domain": _DOMAIN_TYPE, "Permit": _PERMIT_TYPE},
        "primaryType": "Permit",
        "domain": domain(token_address, chain_id),
        "message": {
            "owner": _address(owner),
            "spender": _address(spender),
            "value": int(value),
            "nonce": int(nonce),
            "deadline": int(deadline),
        },
    }


def authorization_typed_data(
    primary_type: str,
    token_address: Any,
    chain_id: int,
    from_: Any,
    to: Any,
    value: int,
    valid_after: int,
    valid_before: int,
    nonce: bytes | str,
) -> dict:
    """EIP-712 message of an EIP-3009 ``TransferWithAuthorization`` or ``ReceiveWithAuthorization``."""
    if primary_type not in ("TransferWithAuthorization", "ReceiveWithAuthorization"):
        raise ValueError(f"unknown authorization type {primary_type!r}")
    return {
        "types": {"EIP712Domain": _DOMAIN_TYPE, primary_type: _AUTHORIZATION_TYPE},
        "primaryType": primary_type,
        "domain": domain(token_address, chain_id),
        "message": {
            "from": _address(from_),
            "to": _address(to),
            "value": int(value),
            "validAfter": int(valid_after),
            "validBefore": int(valid_before),
            "nonce": _bytes32(nonce),
        },
    }


def cancel_authorization_typed_data(token_address: Any, chain_id: int, authorizer: Any, nonce: bytes | str) -> dict:
    """EIP-712 message of an EIP-3009 ``CancelAuthorization``."""
    return {
        "types": {"EIP712Domain": _DOMAIN_TYPE, "CancelAuthorization": _CANCEL_TYPE},
        "primaryType": "CancelAuthorization",
        "domain": domain(token_address, chain_id),
        "message": {"authorizer": _address(authorizer), "nonce": _bytes32(nonce)},
    }


def typed_data_digest(typed_data: dict) -> bytes:
    """The 32-byte EIP-712 digest (what ERC-1271 wallets are asked about)."""
    signable = encode_typed_data(full_message=typed_data)
    # EIP-191 version 0x01: keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message)).
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def sign_typed_data(private_key: bytes | str, typed_data: dict) -> Signature:
    """Signs an EIP-712 ``full_message`` dict with ``private_key``."""
    signed = Account.sign_message(encode_typed_data(full_message=typed_data), private_key)
    return Signature(v=signed.v, r=signed.r.to_bytes(32, "big"), s=signed.s.to_bytes(32, "big"))


def sign_permit(
    private_key: bytes | str,
    token_address: Any,
    chain_id: int,
    owner: Any,
    spender: Any,
    value: int,
    nonce: int,
    deadline: int,
) -> Signature:
    """Signs an EIP-2612 permit; ``nonce`` must be ``token.nonces(owner)`` at submission."""
    return sign_typed_data(
        private_key, permit_typed_data(token_address, chain_id, owner, spender, value, nonce, deadline)
    )


def sign_transfer_authorization(
    private_key: bytes | str,
    token_address: Any,
    chain_id: int,
    from_: Any,
    to: Any,
    value: int,
    valid_after: int,
    valid_before: int,
    nonce: bytes | str,
) -> Signature:
    """Signs an EIP-3009 ``TransferWithAuthorization`` (anyone may submit it).

    Valid while ``valid_after < block.timestamp < valid_before``.
    """
    return sign_typed_data(
        private_key,
        authorization_typed_data(
            "TransferWithAuthorization", token_address, chain_id, from_, to, value, valid_after, valid_before, nonce
        ),
    )


def sign_receive_authorization(
    private_key: bytes | str,
    token_address: Any,
    chain_id: int,
    from_: Any,
    to: Any,
    value: int,
    valid_after: int,
    valid_before: int,
    nonce: bytes | str,
) -> Signature:
    """Signs an EIP-3009 ``ReceiveWithAuthorization`` (only ``to`` may submit it).

    Valid while ``valid_after < block.timestamp < valid_before``.
    """
    return sign_typed_data(
        private_key,
        authorization_typed_data(
            "ReceiveWithAuthorization", token_address, chain_id, from_, to, value, valid_after, valid_before, nonce
        ),
    )


def sign_cancel_authorization(
    private_key: bytes | str, token_address: Any, chain_id: int, authorizer: Any, nonce: bytes | str
) -> Signature:
    """Signs an EIP-3009 ``CancelAuthorization`` of ``authorizer``'s ``nonce``."""
    return sign_typed_data(private_key, cancel_authorization_typed_data(token_address, chain_id, authorizer, nonce))
