import pytest
from eth_utils import keccak

from carepay import codes


def test_service_type__round_trips_through_bytes32():
    value = codes.service_type(codes.CHRONIC_CARE)
    assert len(value) == 32
    assert value.startswith(b"CHRONIC_CARE\0")
    assert codes.service_type_name(value) == codes.CHRONIC_CARE


@pytest.mark.parametrize("bad", ["", "X" * 33])
def test_service_type__empty_or_too_long__names_the_limit(bad):
    with pytest.raises(ValueError, match="must be 1 to 32 ASCII characters"):
        codes.service_type(bad)


def test_patient_id__is_a_keyed_hash_of_the_local_reference():
    key = b"k" * 32
    assert codes.patient_id(key, "INS-001") == keccak(key + b"INS-001")
    assert codes.patient_id(key, "INS-001") != codes.patient_id(b"j" * 32, "INS-001")


def test_patient_id__short_key__is_refused():
    with pytest.raises(ValueError, match="at least 16 bytes"):
        codes.patient_id(b"short", "INS-001")


def test_evidence_hash__is_keccak_of_the_document():
    assert codes.evidence_hash(b"HbA1c 6.4%") == keccak(b"HbA1c 6.4%")
