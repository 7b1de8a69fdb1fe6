"""EIP-712 signatures made by anvil itself (eth_signTypedData_v4 for its unlocked dev accounts), from the
typed data carepay.signing builds: no private key handled in Python, and no slow signing here."""

from __future__ import annotations

from typing import Any

from carepay import signing

from benchmarks.anvil import CHAIN_ID


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def sign(node: Any, signer: str, typed_data: dict) -> bytes:
    """The 65-byte r || s || v signature of `signer` (a dev account) over `typed_data`."""
    return bytes.fromhex(node.call("eth_signTypedData_v4", signer, _jsonable(typed_data)).removeprefix("0x"))


def split_vrs(signature: bytes) -> tuple[int, bytes, bytes]:
    return signature[64], signature[:32], signature[32:64]


def permit(node: Any, token: str, owner: str, spender: str, value: int, nonce: int, deadline: int) -> bytes:
    return sign(node, owner, signing.permit_typed_data(token, CHAIN_ID, owner, spender, value, nonce, deadline))


def authorization(node: Any, kind: str, token: str, from_: str, to: str, value: int, valid_after: int,
                  valid_before: int, nonce: bytes) -> bytes:
    data = signing.authorization_typed_data(kind, token, CHAIN_ID, from_, to, value, valid_after, valid_before, nonce)
    return sign(node, from_, data)


def cancel(node: Any, token: str, authorizer: str, nonce: bytes) -> bytes:
    return sign(node, authorizer, signing.cancel_authorization_typed_data(token, CHAIN_ID, authorizer, nonce))
