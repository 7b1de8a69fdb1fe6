"""On-chain codes: service types, pseudonymous patient ids and evidence hashes.

Nothing here puts personal data on chain: a patient id is a keyed hash of a local reference that
only the registrar's side can recompute, and evidence is referenced by its hash alone.
"""

from eth_utils import keccak

SERVICE_TYPE_MAX_LENGTH = 32

# The service types the scenarios use (seed 000, section 2.1; seed 003 on online follow-up).
VIRTUAL_FIRST_VISIT = "VIRTUAL_FIRST_VISIT"  # online first visits: not coverable online
VIRTUAL_FOLLOW_UP = "VIRTUAL_FOLLOW_UP"
DIGITAL_TWIN_STAGE = "DIGITAL_TWIN_STAGE"
CHRONIC_CARE = "CHRONIC_CARE"
OUTCOME_BONUS = "OUTCOME_BONUS"


def service_type(code: str) -> bytes:
    """A service type as bytes32: the ASCII code, right-padded with zeros (readable in events)."""
    raw = code.encode("ascii")
    if not raw or len(raw) > SERVICE_TYPE_MAX_LENGTH:
        raise ValueError(
            f"service type code {code!r} must be 1 to {SERVICE_TYPE_MAX_LENGTH} ASCII characters"
        )
    return raw.ljust(SERVICE_TYPE_MAX_LENGTH, b"\0")


def service_type_name(value: bytes) -> str:
    """The code back from its bytes32 form."""
    return bytes(value).rstrip(b"\0").decode("ascii")


def patient_id(registrar_key: bytes, local_reference: str) -> bytes:
    """A pseudonymous patient id: keccak256(registrar_key || local_reference).

    `registrar_key` is a secret kept off chain by whoever registers patients, so the id cannot be
    linked back to the local reference (e.g. an insurance number) by anyone else.
    """
    if len(registrar_key) < 16:
        raise ValueError("registrar_key must be at least 16 bytes of secret material")
    return keccak(registrar_key + local_reference.encode("utf-8"))


def evidence_hash(document: bytes) -> bytes:
    """The hash that stands for a piece of evidence (a lab report, a model output) on chain."""
    return keccak(document)
