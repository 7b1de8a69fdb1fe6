// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

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
    /// @notice Cumulative amounts in and out, per payer, in units of the settlement token.
    /// @dev Two storage slots when held in storage.
    struct Ledger {
        uint128 fundIn;
        uint128 patientIn;
        uint128 fundOut;
        uint128 patientOut;
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
