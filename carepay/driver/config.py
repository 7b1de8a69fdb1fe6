"""What `carepay deploy` configures on a devnet, as plain data: the program, its coverage, the fund's float.

Scenarios add their own institutions, practitioners, patients and care-team splits (see scenario files),
so each one stays self-contained and two scenarios never share a budget or a daily limit.
"""

from __future__ import annotations

from eth_utils import keccak, to_checksum_address

from carepay import codes

UNIT = 10**6  # CareUSD has 6 decimals
MAX_UINT256 = 2**256 - 1
DEFAULT_ADMIN_DELAY = 2 * 24 * 3600
SHANGHAI, HANGZHOU = 310000, 330100
#: Keyed hashing of local patient references into pseudonymous ids (devnet only: a real registrar
#: keeps its key secret and off chain).
REGISTRAR_KEY = keccak(b"carepay demo registrar key (devnet only)")

# service type: (covered, cross-region allowed, ratio bps, deductible, fund cap per patient per period)
COVERAGE = {
    codes.VIRTUAL_FIRST_VISIT: (False, False, 0, 0, 0),  # online first visits are not covered
    codes.VIRTUAL_FOLLOW_UP: (True, False, 7_000, 10 * UNIT, 500 * UNIT),
    codes.DIGITAL_TWIN_STAGE: (True, False, 8_000, 0, 20_000 * UNIT),
    codes.CHRONIC_CARE: (True, True, 9_000, 0, 3_000 * UNIT),
    codes.OUTCOME_BONUS: (True, True, 10_000, 0, 1_000 * UNIT),
}
FUND_FLOAT = 100_000_000 * UNIT
PARTY_GAS_ETH = 10**21  # wei given to impersonated scenario parties for gas (devnet only)

#: Dev-account index of each operating role on a devnet; on other networks the deployer holds them all.
ROLE_ACCOUNTS = {"admin": 0, "fund": 1, "supervisor": 2, "arbiter": 3}


def party_address(label: str) -> str:
    """A fixed address for a scenario party, derived from its label (a devnet impersonates it; no key exists)."""
    return to_checksum_address(keccak(f"carepay party {label}".encode())[-20:])


def patient_id(label: str) -> bytes:
    return codes.patient_id(REGISTRAR_KEY, label)
