// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title CostSharing
/// @notice The cost-sharing rule of one charge, as pure maths (the Python twin is carepay/cost_sharing.py).
/// @dev For a charge C of one service type, with the patient's counters of the current period:
///   1. deductible: d = min(C, deductible - deductibleMet) is paid by the patient
///      (0 when deductibleMet >= deductible, e.g. after the deductible was lowered mid-period);
///   2. ratio: r = floor((C - d) * ratioBps / 10_000), rounded down so the fund never pays above its ratio;
///   3. cap: fundShare = min(r, cap - fundUsed) when cap != 0 (0 when fundUsed >= cap); no cap when cap == 0;
///   4. patientShare = C - fundShare, so the shares add up to C exactly: no unit is created or lost.
/// Every amount is in units of the settlement token.
library CostSharing {
    /// @notice The basis-point scale of `ratioBps` (10_000 = 100 %).
    uint256 internal constant BPS = 10_000;

    /// @notice The shares of one charge.
    /// @param charge The full price C of the service.
    /// @param ratioBps The fund's share of the charge above the deductible, in basis points (<= 10_000).
    /// @param deductible The per-period deductible of the service type.
    /// @param deductibleMet What the patient has already met of it this period.
    /// @param cap The per-period fund cap per patient (0 = no cap).
    /// @param fundUsed What the fund has already paid (reserved) for the patient this period.
    /// @return fundShare What the fund pays.
    /// @return patientShare What the patient pays (charge - fundShare).
    /// @return deductiblePortion The part of `patientShare` that counts toward the deductible (d).
    /// @dev Requirement: `ratioBps <= BPS` (the Regulator validates it when coverage is set); the final
    /// subtraction is checked, so a larger ratio reverts instead of inventing units.
    function split(
        uint128 charge,
        uint16 ratioBps,
        uint128 deductible,
        uint128 deductibleMet,
        uint128 cap,
        uint128 fundUsed
    ) internal pure returns (uint128 fundShare, uint128 patientShare, uint128 deductiblePortion) {
        // Unchecked: every subtraction is guarded by the comparison before it, and
        // (charge - d) * ratioBps < 2^128 * 2^16 fits in uint256, so the quotient fits in uint128 when
        // ratioBps <= BPS (it is then at most charge - d).
        unchecked {
            uint128 deductibleLeft = deductible > deductibleMet ? deductible - deductibleMet : 0;
            deductiblePortion = charge < deductibleLeft ? charge : deductibleLeft;
            fundShare = uint128((uint256(charge - deductiblePortion) * ratioBps) / BPS);
            if (cap != 0) {
                uint128 capLeft = cap > fundUsed ? cap - fundUsed : 0;
                if (fundShare > capLeft) fundShare = capLeft;
            }
        }
        patientShare = charge - fundShare;
    }
}
