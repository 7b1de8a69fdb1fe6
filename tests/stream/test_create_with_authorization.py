"""CareStream.createWithAuthorization: the patient authorises a stream by an EIP-3009 signature."""

import ape
import pytest
from eth_abi import encode
from eth_utils import keccak

from carepay.signing import sign_receive_authorization

from .conftest import DEDUCTIBLE, ONE, PATIENT_ID

PARAMS_TYPE = "(uint32,bytes32,address,address,bytes32,bytes32,uint128,uint40,uint40,uint128)"
SALT = keccak(b"first chronic-care stream")


def _abi_params(p):
    """CreateParams with plain addresses, for eth_abi."""
    return tuple(str(getattr(field, "address", field)) if hasattr(field, "address") else field for field in p)


@pytest.fixture
def authorize(chain, stream, token, patient):
    """Signs the patient's ReceiveWithAuthorization for `params` (nonce computed here, in Python)."""

    def sign(p, patient_share, salt=SALT, valid_after=0, valid_before=None, signer=None):
        valid_before = valid_before or chain.pending_timestamp + 3_600
        nonce = keccak(encode([PARAMS_TYPE, "bytes32"], [_abi_params(p), salt]))
        signature = sign_receive_authorization(
            (signer or patient).private_key,
            token.address,
            chain.chain_id,
            patient,
            stream.address,
            patient_share,
            valid_after,
            valid_before,
            nonce,
        )
        return (patient_share, valid_after, valid_before, salt, signature.signature), nonce

    return sign


def test_authorization_nonce__binds_the_terms_and_the_salt(stream, params):
    p = params()
    expected = keccak(encode([PARAMS_TYPE, "bytes32"], [_abi_params(p), SALT]))
    assert stream.authorizationNonce(p, SALT) == expected
    assert stream.authorizationNonce(params(rate=p[6] + 1), SALT) != expected
    assert stream.authorizationNonce(p, b"\x01" * 32) != expected


def test_create_with_authorization__relayed__the_patient_is_the_sender_and_pays_by_signature(
    stream, token, fund, patient, stranger, params, chain, expected_shares, authorize
):
    token.approve(stream, 0, sender=patient)  # no allowance: the signature moves the patient share
    p = params()
    now = chain.pending_timestamp
    fund_share, patient_share, _ = expected_shares(p[9], now)
    auth, nonce = authorize(p, patient_share)
    fund_before, patient_before = token.balanceOf(fund), token.balanceOf(patient)
    chain.pending_timestamp = now

    tx = stream.createWithAuthorization(p, auth, sender=stranger)

    [created] = tx.decode_logs(stream.StreamCreated)
    assert (created.streamId, created.sender, created.patientId) == (1, patient, PATIENT_ID)
    assert (created.fundShare, created.patientShare) == (fund_share, patient_share)
    [used] = tx.decode_logs(token.AuthorizationUsed)
    assert (used.authorizer, used.nonce) == (patient, nonce)
    assert token.balanceOf(fund) == fund_before - fund_share
    assert token.balanceOf(patient) == patient_before - patient_share
    assert token.balanceOf(stream) == p[9]
    assert stream.getStream(1).sender == patient
    # The relayer gained no rights over the stream.
    with ape.reverts(stream.CareStream_Unauthorized, caller=stranger, streamId=1):
        stream.cancel(1, sender=stranger)


def test_create_with_authorization__terms_changed_by_the_submitter__reverts(
    stream, token, patient, stranger, params, chain, expected_shares, authorize
):
    p = params()
    _, patient_share, _ = expected_shares(p[9], chain.pending_timestamp)
    auth, _ = authorize(p, patient_share)
    tampered = params(rate=p[6] * 2)
    with ape.reverts(token.CareUSD_InvalidSignature, signer=patient):
        stream.createWithAuthorization(tampered, auth, sender=stranger)


def test_create_with_authorization__signed_share_differs_from_the_cost_sharing__reverts(
    stream, stranger, params, chain, expected_shares, authorize
):
    p = params()
    _, patient_share, _ = expected_shares(p[9], chain.pending_timestamp)
    auth, _ = authorize(p, patient_share - 1)
    with ape.reverts(stream.CareStream_PatientShareMismatch, signedShare=patient_share - 1, quotedShare=patient_share):
        stream.createWithAuthorization(p, auth, sender=stranger)


def test_create_with_authorization__replayed__reverts(
    stream, token, patient, stranger, params, chain, expected_shares, authorize
):
    p = params(deposit=DEDUCTIBLE // 2)  # all patient share, so the replay's quote is the same
    _, patient_share, _ = expected_shares(p[9], chain.pending_timestamp)
    auth, nonce = authorize(p, patient_share)
    stream.createWithAuthorization(p, auth, sender=stranger)
    with ape.reverts(token.CareUSD_AuthorizationUsedOrCanceled, authorizer=patient, nonce=nonce):
        stream.createWithAuthorization(p, auth, sender=stranger)


def test_create_with_authorization__expired__reverts(stream, token, stranger, params, chain, expected_shares, authorize):
    p = params()
    now = chain.pending_timestamp
    _, patient_share, _ = expected_shares(p[9], now)
    auth, _ = authorize(p, patient_share, valid_before=now + 10)
    chain.pending_timestamp = now + 10
    with ape.reverts(token.CareUSD_AuthorizationExpired, validBefore=now + 10, currentTime=now + 10):
        stream.createWithAuthorization(p, auth, sender=stranger)


def test_create_with_authorization__signed_by_someone_else__reverts(
    stream, token, patient, stranger, params, chain, expected_shares, authorize
):
    p = params()
    _, patient_share, _ = expected_shares(p[9], chain.pending_timestamp)
    auth, _ = authorize(p, patient_share, signer=stranger)
    with ape.reverts(token.CareUSD_InvalidSignature, signer=patient):
        stream.createWithAuthorization(p, auth, sender=stranger)


def test_create_with_authorization__gas_is_reported(stream, stranger, params, chain, expected_shares, authorize):
    p = params(deposit=ONE * 300)
    now = chain.pending_timestamp
    _, patient_share, _ = expected_shares(p[9], now)
    auth, _ = authorize(p, patient_share)
    chain.pending_timestamp = now
    tx = stream.createWithAuthorization(p, auth, sender=stranger)
    print(f"\n[gas] createWithAuthorization (relayed, first stream): {tx.gas_used}")
