// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Errors} from "./Errors.sol";

/// @title PayerShares
/// @notice Who paid for each unit that leaves a stream or an escrow: the fund or the patient.
/// @dev Money comes in from two payers (the program's fund account and the patient's account) at the
/// shares the Regulator's cost sharing gave, possibly at different ratios over several top-ups. Every
/// unit that goes out (to the care team or back as a refund) is attributed to the payers so that:
///   - cumulative fund outflow = max(previous fund outflow, floor(totalOut * fundIn / totalIn)),
///     i.e. the fund's part follows the cumulative ratio of what it put in, rounded down;
///   - the patient's part is the rest of each outflow;
///   - neither part ever exceeds that payer's remaining balance (proof in INVARIANTS.md), and when
///     everything has gone out both balances are exactly zero.
/// Rounding against cumulative totals (not per outflow) keeps many tiny outflows from drifting the
/// ratio: the error is below one unit at every moment and never compounds.
library PayerShares {
    /// @notice Cumulative amounts in and out, per payer, in units of the settlement token (the working copy).
    struct Ledger {
        uint128 fundIn;
        uint128 patientIn;
        uint128 fundOut;
        uint128 patientOut;
    }

    /// @notice How modules store a ledger: the same four amounts in one slot, 64 bits each.
    /// @dev Each payer's outflow never exceeds its inflow (P1 in INVARIANTS.md), so bounding `fundIn` and
    /// `patientIn` by MAX_AMOUNT bounds all four; `store` refuses anything larger.
    struct Packed {
        uint64 fundIn;
        uint64 patientIn;
        uint64 fundOut;
        uint64 patientOut;
    }

    /// @notice The most a stored ledger holds of cumulative deposits per payer: 2^64 - 1 units (1.8e13 CareUSD).
    uint256 internal constant MAX_AMOUNT = type(uint64).max;

    /// @notice The working copy of a stored ledger (one SLOAD).
    function load(Packed storage packed) internal view returns (Ledger memory ledger) {
        Packed memory stored = packed;
        ledger = Ledger({
            fundIn: stored.fundIn,
            patientIn: stored.patientIn,
            fundOut: stored.fundOut,
            patientOut: stored.patientOut
        });
    }

    /// @notice Stores a working copy (one SSTORE); reverts with `PayerShares_DepositsAboveMax` when a payer's
    /// cumulative deposits do not fit.
    function store(Packed storage packed, Ledger memory ledger) internal {
        if (ledger.fundIn > MAX_AMOUNT || ledger.patientIn > MAX_AMOUNT) {
            revert Errors.PayerShares_DepositsAboveMax(ledger.fundIn, ledger.patientIn, MAX_AMOUNT);
        }
        // Fits: checked above for the inflows, and each outflow is at most its inflow.
        packed.fundIn = uint64(ledger.fundIn);
        packed.patientIn = uint64(ledger.patientIn);
        packed.fundOut = uint64(ledger.fundOut);
        packed.patientOut = uint64(ledger.patientOut);
    }

    /// @notice Records a deposit by both payers.
    function recordIn(Ledger memory ledger, uint128 fundAmount, uint128 patientAmount) internal pure {
        ledger.fundIn += fundAmount;
        ledger.patientIn += patientAmount;
    }

    /// @notice Records an outflow of `amount` and returns the fund's and the patient's part of it.
    /// @dev Requirement (the caller's to enforce): amount <= fundBalance + patientBalance.
    function recordOut(Ledger memory ledger, uint128 amount)
        internal
        pure
        returns (uint128 fundPart, uint128 patientPart)
    {
        uint256 totalIn = uint256(ledger.fundIn) + ledger.patientIn;
        uint256 totalOut = uint256(ledger.fundOut) + ledger.patientOut + amount;
        // totalOut <= totalIn, so the quotient is at most fundIn and fits in uint128.
        uint128 fundTarget = totalIn == 0 ? 0 : uint128(totalOut * ledger.fundIn / totalIn);
        if (fundTarget > ledger.fundOut) {
            fundPart = fundTarget - ledger.fundOut;
            // After a top-up at a higher fund ratio the target can jump by more than this outflow.
            if (fundPart > amount) fundPart = amount;
        }
        patientPart = amount - fundPart;
        ledger.fundOut += fundPart;
        ledger.patientOut += patientPart;
    }

    /// @notice What each payer still has in.
    function balances(Ledger memory ledger) internal pure returns (uint128 fundBalance, uint128 patientBalance) {
        fundBalance = ledger.fundIn - ledger.fundOut;
        patientBalance = ledger.patientIn - ledger.patientOut;
    }

    /// @notice Everything that is still in.
    function total(Ledger memory ledger) internal pure returns (uint128) {
        return (ledger.fundIn - ledger.fundOut) + (ledger.patientIn - ledger.patientOut);
    }
}
