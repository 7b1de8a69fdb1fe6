"""Constants and helpers shared by the OutcomeEscrow tests."""

from eth_abi import encode
from eth_utils import keccak

from carepay import codes

DAY = 86_400
UNIT = 10**6  # CareUSD has 6 decimals
DIGITAL_TWIN = codes.service_type(codes.DIGITAL_TWIN_STAGE)
REGISTRAR_KEY = b"escrow-tests-registrar-key-0001"
PATIENT_ID = codes.patient_id(REGISTRAR_KEY, "patient-0001")
OTHER_PATIENT_ID = codes.patient_id(REGISTRAR_KEY, "patient-0002")
REGION = 310_100
MONTHS = 1  # Supervision.PeriodUnit.Months
RATIO_BPS = 8_000
DEDUCTIBLE = 100 * UNIT
BUDGET = 1_000_000 * UNIT
FUNDING = 10_000_000 * UNIT
MAX_UINT = 2**256 - 1

TERMS_ABI = "(uint32,bytes32,bytes32,(uint128,uint40)[],(address[],uint8,uint16[],uint32,uint32))"
CHALLENGE_WINDOW = 7 * DAY
ARBITRATION_WINDOW = 14 * DAY
TIERS = [10_000, 5_000, 0]  # target reached / partial / not reached


def terms_hash(terms) -> bytes:
    """keccak256(abi.encode(terms)), computed off chain."""
    return keccak(encode([TERMS_ABI], [terms]))


def make_terms_tuple(
    program_id, patient_id, split_id, amounts, deadlines, attestors, threshold, tiers, challenge_window,
    arbitration_window,
):
    """Episodes.Terms as the nested tuple the ABI expects."""
    return (
        program_id,
        patient_id,
        split_id,
        [(a, d) for a, d in zip(amounts, deadlines)],
        ([getattr(a, "address", a) for a in attestors], threshold, list(tiers), challenge_window, arbitration_window),
    )


def cost_sharing(charge: int, deductible_met: int = 0) -> tuple[int, int]:
    """The Regulator's rule for DIGITAL_TWIN (no cap), recomputed: (fund share, patient share)."""
    deductible_part = min(charge, max(DEDUCTIBLE - deductible_met, 0))
    fund_share = (charge - deductible_part) * RATIO_BPS // 10_000
    return fund_share, charge - fund_share


def block_time(chain, receipt) -> int:
    return chain.blocks[receipt.block_number].timestamp
