"""The cost-sharing rule of one charge: the pure-Python twin of contracts/libraries/CostSharing.sol.

For a charge C of one service type, with the patient's counters of the current period:

1. deductible: d = min(C, deductible - deductible_met) is paid by the patient
   (0 once deductible_met >= deductible, e.g. after the deductible was lowered mid-period);
2. ratio: r = floor((C - d) * ratio_bps / 10_000), rounded down so the fund never pays above its ratio;
3. cap: fund_share = min(r, cap - fund_used) when cap != 0 (0 once fund_used >= cap); no cap when cap == 0;
4. patient_share = C - fund_share, so the shares add up to C exactly.

Every amount is an integer number of token units (CareUSD has 6 decimals).
Scripts use it to predict what the Regulator will reserve; tests check the contract against it.
"""

from __future__ import annotations

from dataclasses import dataclass

BPS = 10_000
"""The basis-point scale of ``ratio_bps`` (10_000 = 100 %)."""

UINT128_MAX = 2**128 - 1


@dataclass(frozen=True)
class Shares:
    """The result of cost sharing for one charge, in token units."""

    fund: int
    patient: int  # fund + patient == charge, always
    deductible: int  # the part of ``patient`` that counts toward the deductible


@dataclass(frozen=True)
class Coverage:
    """The rules of one service type within one program (mirrors ``Supervision.Coverage``)."""

    ratio_bps: int
    deductible: int = 0
    fund_cap_per_patient: int = 0  # 0 = no cap
    covered: bool = True
    cross_region_allowed: bool = False


def split(
    charge: int,
    ratio_bps: int,
    deductible: int = 0,
    deductible_met: int = 0,
    cap: int = 0,
    fund_used: int = 0,
) -> Shares:
    """Shares of ``charge`` given the coverage and the patient's counters of the period."""
    for name, value in (
        ("charge", charge),
        ("deductible", deductible),
        ("deductible_met", deductible_met),
        ("cap", cap),
        ("fund_used", fund_used),
    ):
        if not 0 <= value <= UINT128_MAX:
            raise ValueError(f"{name} must be a uint128, got {value}")
    if not 0 <= ratio_bps <= BPS:
        raise ValueError(f"ratio_bps must be in [0, {BPS}], got {ratio_bps}")

    deductible_left = max(deductible - deductible_met, 0)
    d = min(charge, deductible_left)
    fund = (charge - d) * ratio_bps // BPS
    if cap != 0:
        fund = min(fund, max(cap - fund_used, 0))
    return Shares(fund=fund, patient=charge - fund, deductible=d)


def split_for(coverage: Coverage, charge: int, deductible_met: int = 0, fund_used: int = 0) -> Shares:
    """``split`` with the rules taken from a ``Coverage``."""
    return split(
        charge,
        coverage.ratio_bps,
        deductible=coverage.deductible,
        deductible_met=deductible_met,
        cap=coverage.fund_cap_per_patient,
        fund_used=fund_used,
    )


def deductible_restored(deductible_counted: int, remaining_fund: int, remaining_patient: int) -> int:
    """How much of the deductible a release gives back to the patient.

    A reservation counts ``min(deductible_counted, remaining total)`` of the deductible, so a partial refund
    that leaves at least the deductible portion consumed restores nothing, and a full refund restores it all.
    """
    return max(deductible_counted - (remaining_fund + remaining_patient), 0)
