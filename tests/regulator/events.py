"""Comparing decoded events and struct returns with expected values, field by field."""

from eth_utils import to_checksum_address


def normalise(value):
    """Decoded values come back as lists, HexBytes, checksum strings or ape accounts; make them comparable."""
    if hasattr(value, "address") and not isinstance(value, (str, bytes)):
        return to_checksum_address(str(value.address))
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        if value.startswith("0x") and len(value) == 42:
            return to_checksum_address(value)
        if value.startswith("0x") and len(value) == 66:
            return bytes.fromhex(value[2:])
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(normalise(v) for v in value)
    if hasattr(value, "items"):
        return tuple(normalise(v) for v in value.values())
    return value


def assert_fields(record, **expected):
    """Asserts every expected field of a decoded event log or struct (attribute access)."""
    for name, want in expected.items():
        got = getattr(record, name)
        assert normalise(got) == normalise(want), f"{name}: got {got!r}, want {want!r}"


def single(contract_event, receipt):
    """The one log of `contract_event` in `receipt`."""
    logs = contract_event.from_receipt(receipt)
    assert len(logs) == 1, f"expected one {contract_event.name} log, got {len(logs)}"
    return logs[0]
