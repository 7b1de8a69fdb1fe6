"""Helpers of the SplitRouter tests: the care team's allocations and split definitions."""

from eth_utils import keccak, to_checksum_address

from split_model import SCALE

# A care team as in the chronic-care scenario: allocations out of SCALE (they add up to 1e6).
CARE_TEAM_ALLOCATIONS = {
    "hospital": 400_000,
    "doctor": 250_000,
    "vendor": 150_000,
    "data_provider": 80_000,
    "platform": 70_000,
    "patient": 50_000,
}
assert sum(CARE_TEAM_ALLOCATIONS.values()) == SCALE


def address_of(label) -> str:
    """A deterministic address that nobody holds a key for (recipients need no key: anyone may push)."""
    return to_checksum_address(keccak(text=f"carepay-split-recipient-{label}")[-20:])


def sorted_split(shares: dict, residual: str):
    """(recipients, allocations, residual_index) with recipients sorted ascending, from {address: a}."""
    recipients = sorted(shares, key=lambda a: int(a, 16))
    return recipients, [shares[r] for r in recipients], recipients.index(residual)
